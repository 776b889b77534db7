"""The querysets every maturity page and endpoint starts from, built from the same reach as permissions.py."""

from django.db.models import Q

from pcndev.maturity.models import AssessmentRound, PCNAssessment, Response
from pcndev.maturity.permissions import in_round, reach
from pcndev.orgs.models import PCN


def _oversight(r, prefix: str = "") -> Q:
    """PCNs under the user's place-level-and-above roles. National is spelled out: `Q() | x` would drop it."""
    if r.oversight.national:
        return Q(**{f"{prefix}pk__isnull": False})
    return r.oversight.pcns(prefix) if r.has_oversight else Q(pk__in=[])


def visible_responses(user):
    """Individual ratings: the practice's own members and the PCN's clinical directors only."""
    if not user.is_authenticated:
        return Response.objects.none()
    r = reach(user)
    return Response.objects.filter(Q(assessment__pcn_id__in=r.cd_pcn_ids) | Q(practice_id__in=r.practice_ids))


def visible_consensus(user):
    """Assessments whose consensus the user may see: their own PCN's always, others once submitted."""
    if not user.is_authenticated:
        return PCNAssessment.objects.none()
    r = reach(user)
    shared = Q(pcn_id__in=r.member_pcn_ids) | _oversight(r, "pcn__")
    return PCNAssessment.objects.filter(
        Q(pcn_id__in=r.cd_pcn_ids) | (Q(status=PCNAssessment.Status.SUBMITTED) & shared)
    )


def involved_pcns(user, rnd: AssessmentRound):
    """The round's PCNs the user has a part in: as CD, as a member practice, or overseeing them."""
    r = reach(user)
    q = Q(pk__in=r.cd_pcn_ids | r.member_pcn_ids) | _oversight(r)
    return PCN.objects.filter(rnd.pcn_filter()).filter(q)


def overseen_pcns(user, rnd: AssessmentRound):
    """The round's PCNs the user may see named in comparisons (heatmaps): place level and above only."""
    r = reach(user)
    if not r.has_oversight:
        return PCN.objects.none()
    return PCN.objects.filter(rnd.pcn_filter()).filter(_oversight(r))


def visible_rounds(user):
    return [
        rnd
        for rnd in AssessmentRound.objects.select_related("template", "place", "system")
        if in_round(user, rnd)
    ]
