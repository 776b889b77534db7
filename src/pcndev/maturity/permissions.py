"""Who may see and do what in a self-assessment. Each check returns a Decision (allowed, reason).

The privacy rule the seeds ask for: a PCN owns its assessment.
* A practice's ratings are seen only by that practice's members and its PCN's clinical directors.
* Place, system, region and national users see a PCN's consensus only once the PCN has submitted it.
The same reach feeds the querysets in privacy.py, so a list never shows what a check would refuse.
"""

import datetime
from dataclasses import dataclass

from pcndev.accounts.models import Role
from pcndev.accounts.permissions import ALLOW, NOT_SIGNED_IN, Decision
from pcndev.accounts.scope import MANAGER_ROLES, Scope, scope_for
from pcndev.config.formatting import format_date
from pcndev.orgs.models import PCN, PracticeMembership

OVERSIGHT_ROLES = (*MANAGER_ROLES, Role.VIEWER)
TEMPLATE_MANAGERS = (Role.NATIONAL_ADMIN, Role.REGION_LEAD, Role.SYSTEM_LEAD)


@dataclass(frozen=True)
class Reach:
    """What a user's roles reach in a self-assessment."""

    cd_pcn_ids: frozenset[int]
    practice_ids: frozenset[int]  # practices the user is a member (nominated lead) of
    member_pcn_ids: frozenset[int]  # the current PCNs of those practices, and PCNs a viewer is placed at
    oversight: Scope  # place level and above: managers and viewers

    @property
    def has_oversight(self) -> bool:
        return not self.oversight.is_empty


def reach(user) -> Reach:
    cached = getattr(user, "_pcndev_maturity_reach", None)
    if cached is not None:
        return cached
    cd = scope_for(user, [Role.PCN_CD]).pcn_ids
    members = scope_for(user, [Role.PRACTICE_MEMBER]).practice_ids
    wide = scope_for(user, OVERSIGHT_ROLES)
    oversight = Scope(wide.national, wide.region_ids, wide.system_ids, wide.place_ids)
    practices = set(members) | set(wide.practice_ids)
    member_pcns = set(wide.pcn_ids)
    if practices:
        current = PracticeMembership.objects.current().filter(practice_id__in=practices)
        member_pcns |= set(current.values_list("pcn_id", flat=True))
    result = Reach(frozenset(cd), frozenset(members), frozenset(member_pcns), oversight)
    if user.is_authenticated:
        user._pcndev_maturity_reach = result
    return result


def oversees(user, pcn: PCN) -> bool:
    r = reach(user)
    return r.has_oversight and PCN.objects.filter(r.oversight.pcns(), pk=pcn.pk).exists()


def in_round(user, rnd) -> bool:
    """Whether any PCN of the round is one the user has a part in."""
    r = reach(user)
    if not user.is_authenticated:
        return False
    pcns = rnd.pcns()
    mine = pcns.filter(pk__in=r.cd_pcn_ids | r.member_pcn_ids)
    return mine.exists() or (r.has_oversight and pcns.filter(r.oversight.pcns()).exists())


def _window(rnd, today: datetime.date) -> Decision:
    if today < rnd.opens_on:
        return Decision(False, f"The self-assessment opens on {format_date(rnd.opens_on)}.")
    return ALLOW


def can_rate_practice(user, assessment, practice, today: datetime.date) -> Decision:
    """The practice's nominated lead rates it while the round is open and the PCN has not submitted."""
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if practice.pk not in reach(user).practice_ids:
        return Decision(False, f"Only a member of {practice.name} can rate it.")
    rnd = assessment.round
    if not (window := _window(rnd, today)):
        return window
    if today > rnd.closes_on:
        return Decision(False, f"The self-assessment closed on {format_date(rnd.closes_on)}.")
    if assessment.is_submitted:
        return Decision(False, f"{assessment.pcn} has submitted its self-assessment, so ratings are locked.")
    return ALLOW


def can_view_ratings(user, response) -> Decision:
    """A practice's ratings: its own members and its PCN's clinical directors, nobody else."""
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    r = reach(user)
    if response.assessment.pcn_id in r.cd_pcn_ids:
        return ALLOW
    if response.practice_id is not None and response.practice_id in r.practice_ids:
        return ALLOW
    return Decision(False, "A practice's ratings are private to the practice and its clinical directors.")


def is_cd(user, assessment) -> bool:
    return user.is_authenticated and assessment.pcn_id in reach(user).cd_pcn_ids


def can_lead_assessment(user, assessment, today: datetime.date) -> Decision:
    """Rate as CD, record the consensus and submit: the PCN's clinical directors, once the round opens."""
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if not is_cd(user, assessment):
        return Decision(False, f"Only a clinical director of {assessment.pcn} can do this.")
    if not (window := _window(assessment.round, today)):
        return window
    if assessment.is_submitted:
        return Decision(False, "The self-assessment has been submitted. Reopen it to make changes.")
    return ALLOW


def can_reopen(user, assessment) -> Decision:
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if not assessment.is_submitted:
        return Decision(False, "The self-assessment is still open.")
    if is_cd(user, assessment):
        return ALLOW
    managers = scope_for(user, MANAGER_ROLES)
    if not managers.is_empty and PCN.objects.filter(managers.pcns(), pk=assessment.pcn_id).exists():
        return ALLOW
    return Decision(False, f"Only a clinical director of {assessment.pcn} or its place lead can reopen it.")


def can_view_consensus(user, assessment) -> Decision:
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    r = reach(user)
    if assessment.pcn_id in r.cd_pcn_ids:
        return ALLOW
    involved = assessment.pcn_id in r.member_pcn_ids or oversees(user, assessment.pcn)
    if not involved:
        return Decision(False, f"{assessment.pcn} is outside the organisations your roles cover.")
    if not assessment.is_submitted:
        return Decision(False, f"{assessment.pcn} has not submitted its self-assessment yet.")
    return ALLOW


def can_create_round(user) -> Decision:
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if scope_for(user, MANAGER_ROLES).is_empty:
        return Decision(
            False, "Only a place, system, region or national lead can open a self-assessment round."
        )
    return ALLOW


def can_manage_templates(user) -> Decision:
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if scope_for(user, TEMPLATE_MANAGERS).is_empty:
        return Decision(
            False, "Only a system, region or national lead can create or change matrix templates."
        )
    return ALLOW


def can_view_comparisons(user) -> Decision:
    """Heatmaps name PCNs, so they are for place-level users and above."""
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if not reach(user).has_oversight:
        return Decision(False, "Heatmaps are for place, system, region and national users.")
    return ALLOW
