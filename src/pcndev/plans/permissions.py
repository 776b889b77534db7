"""Who may do what with a support plan. Each check returns a Decision (allowed, reason) shown beside the button.

Parties: the PCN's clinical directors ("cd"), the place lead for the PCN's place ("place") and the system lead
for its system ("system"). Anyone whose roles reach the PCN may read its plan.
"""

from pcndev.accounts.models import Role
from pcndev.accounts.permissions import ALLOW, NOT_SIGNED_IN, Decision
from pcndev.accounts.scope import scope_for
from pcndev.plans import workflow

PARTY_LABEL = {"cd": "the PCN's clinical director", "place": "the place lead", "system": "the system lead"}


def parties_of(user, pcn) -> set[str]:
    """The parties the user can act as for this PCN's plan (cached per user and PCN)."""
    if not user.is_authenticated:
        return set()
    cache = user.__dict__.setdefault("_pcndev_plan_parties", {})
    if pcn.pk not in cache:
        parties = set()
        if pcn.pk in scope_for(user, [Role.PCN_CD]).pcn_ids:
            parties.add("cd")
        if pcn.place_id in scope_for(user, [Role.PLACE_LEAD]).place_ids:
            parties.add("place")
        if pcn.place.system_id in scope_for(user, [Role.SYSTEM_LEAD]).system_ids:
            parties.add("system")
        cache[pcn.pk] = parties
    return cache[pcn.pk]


def can_edit(user, version) -> Decision:
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if not version.editable:
        return Decision(
            False, f"This version is {version.get_state_display().lower()}, so it cannot be changed."
        )
    if "cd" not in parties_of(user, version.plan.pcn):
        return Decision(False, f"Only a clinical director of {version.plan.pcn} can change the plan.")
    return ALLOW


def can_start_plan(user, pcn) -> Decision:
    if "cd" in parties_of(user, pcn):
        return ALLOW
    return Decision(False, f"Only a clinical director of {pcn} can start its support plan.")


def can_override(user, version) -> Decision:
    if "place" in parties_of(user, version.plan.pcn):
        return ALLOW
    return Decision(
        False, f"Only the place lead for {version.plan.pcn.place} can allow a blocked initiative."
    )


def can_record_committee(user, place) -> Decision:
    if user.is_authenticated and place.pk in scope_for(user, [Role.PLACE_LEAD]).place_ids:
        return ALLOW
    return Decision(False, f"Only the place lead for {place} can record the committee's decision.")


def can_act(user, version, action: str, signoffs: dict[str, str] | None = None) -> Decision:
    """State and party checks for a transition (preconditions such as the budget are checked when it runs)."""
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    t = workflow.BY_ACTION.get(action)
    if t is None:
        return Decision(False, f"Unknown action: {action}")
    if version.state != t.source:
        return Decision(
            False,
            f"The plan is {version.get_state_display().lower()}; '{t.label}' is for plans that are "
            f"{workflow.STATES[t.source].lower()}.",
        )
    mine = parties_of(user, version.plan.pcn) & set(t.parties)
    requires_system = version.plan.programme.requires_system_signoff
    if action in ("agree", "decline"):
        mine &= set(workflow.required_parties(requires_system))
        signoffs = (
            signoffs if signoffs is not None else dict(version.signoffs.values_list("party", "decision"))
        )
        waiting = [p for p in workflow.required_parties(requires_system) if signoffs.get(p) != "agree"]
        if not mine:
            return Decision(
                False, f"Waiting for {' and '.join(PARTY_LABEL[p] for p in waiting)} to sign off."
            )
        if all(signoffs.get(p) == "agree" for p in mine):
            return Decision(
                False,
                "You have agreed this version. "
                + (
                    f"Waiting for {' and '.join(PARTY_LABEL[p] for p in waiting)}." if waiting else ""
                ).strip(),
            )
        return ALLOW
    if not mine:
        who = " or ".join(PARTY_LABEL[p] for p in t.parties)
        return Decision(False, f"Only {who} can {t.label[0].lower() + t.label[1:]}.")
    return ALLOW
