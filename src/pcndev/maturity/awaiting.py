"""Self-assessment work awaiting a user, derived from open rounds, states and the user's reach."""

from django.utils import timezone

from pcndev.maturity.models import AssessmentRound, PCNAssessment, Response
from pcndev.maturity.permissions import reach
from pcndev.orgs.models import PCN, Practice


def awaiting_self_assessment(user) -> list[tuple[str, AssessmentRound, object, str]]:
    """(kind, round, PCN or practice, what to do) for open rounds: practices still to rate, consensus to submit."""
    if not user.is_authenticated:
        return []
    r = reach(user)
    today = timezone.localdate()
    rounds = list(
        AssessmentRound.objects.filter(opens_on__lte=today, closes_on__gte=today).select_related(
            "place", "system"
        )
    )
    out = []
    if not rounds or not (r.cd_pcn_ids or r.practice_ids):
        return out
    submitted = set(
        PCNAssessment.objects.filter(round__in=rounds, status=PCNAssessment.Status.SUBMITTED).values_list(
            "round_id", "pcn_id"
        )
    )
    rated = set(
        Response.objects.filter(
            assessment__round__in=rounds, practice_id__in=r.practice_ids, status=Response.Status.SUBMITTED
        ).values_list("assessment__round_id", "practice_id")
    )
    practices = list(
        Practice.objects.filter(pk__in=r.practice_ids, memberships__valid_to__isnull=True).values_list(
            "pk",
            "name",
            "code",
            "memberships__pcn_id",
            "memberships__pcn__code",
            "memberships__pcn__place_id",
            "memberships__pcn__place__system_id",
        )
    )
    cd_pcns = list(PCN.objects.filter(pk__in=r.cd_pcn_ids).select_related("place"))
    for rnd in rounds:
        in_scope = _scope_test(rnd)
        for pcn in cd_pcns:
            if in_scope(pcn.place_id, pcn.place.system_id) and (rnd.pk, pcn.pk) not in submitted:
                out.append(("consensus", rnd, pcn, "Agree and submit the PCN's self-assessment"))
        for pk, name, code, pcn_id, pcn_code, place_id, system_id in practices:
            if (
                in_scope(place_id, system_id)
                and (rnd.pk, pcn_id) not in submitted
                and (rnd.pk, pk) not in rated
            ):
                out.append(("rating", rnd, (code, name, pcn_code), f"Rate {name} against the matrix"))
    return out


def _scope_test(rnd):
    if rnd.place_id:
        return lambda place_id, system_id: place_id == rnd.place_id
    if rnd.system_id:
        return lambda place_id, system_id: system_id == rnd.system_id
    return lambda place_id, system_id: True
