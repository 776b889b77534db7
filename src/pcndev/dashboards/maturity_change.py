"""Maturity change since the baseline for a dashboard's PCNs, as the re-assessment's change page counts it
(maturity.rounds.change_by_area, whose AreaChange rows this returns): per area (matched by code), over the PCNs
with a submitted consensus in both the re-assessment and its baseline round, the mean stage then and now (each
rounded to one place), their difference, and how many PCNs moved up, stayed or moved down.

The re-assessment rounds are the programme's rounds (or rounds of its year with no programme, as
delivery.services.assessments_for counts them) that have a baseline; a PCN in several takes the latest. A dashboard
may span several (one per place, say), which change_by_area takes one at a time, so this gathers them all at once
with maturity.results' own grouping and scoring: five queries whatever the number of PCNs or rounds.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from pcndev.maturity.models import Area, AssessmentRound, PCNAssessment
from pcndev.maturity.results import _area_values, _results
from pcndev.maturity.rounds import AreaChange

SUBMITTED = PCNAssessment.Status.SUBMITTED


@dataclass(frozen=True)
class MaturityChange:
    rounds: list[AssessmentRound]  # the re-assessment rounds the compared PCNs are in, latest first
    compared: int  # PCNs with both consensuses submitted
    areas: list[AreaChange]  # in the latest round's area order
    by_pcn: dict[int, dict[str, tuple[float | None, float | None]]]  # PCN -> area code -> (then, now)


def _rounds(programme) -> list[AssessmentRound]:
    return list(
        AssessmentRound.objects.filter(
            Q(programme=programme) | Q(programme__isnull=True, financial_year=programme.financial_year),
            baseline__isnull=False,
        )
        .select_related("baseline")
        .order_by("-closes_on", "-pk")
    )


def _pairs(rounds, pcn_ids) -> dict[int, tuple[int, int, int]]:
    """PCN -> (re-assessment id, baseline assessment id, round id), both submitted, the latest round first."""
    order = {r.pk: i for i, r in enumerate(rounds)}
    current: dict[int, tuple[int, int]] = {}
    for aid, pcn_id, round_id in (
        PCNAssessment.objects.filter(round__in=rounds, pcn_id__in=pcn_ids, status=SUBMITTED)
        .order_by()
        .values_list("pk", "pcn_id", "round_id")
    ):
        if pcn_id not in current or order[round_id] < order[current[pcn_id][1]]:
            current[pcn_id] = (aid, round_id)
    baseline_of = {r.pk: r.baseline_id for r in rounds}
    earlier = {
        (pcn_id, round_id): aid
        for aid, pcn_id, round_id in PCNAssessment.objects.filter(
            round_id__in=set(baseline_of.values()), pcn_id__in=list(current), status=SUBMITTED
        )
        .order_by()
        .values_list("pk", "pcn_id", "round_id")
    }
    return {
        pcn_id: (aid, earlier[(pcn_id, baseline_of[rid])], rid)
        for pcn_id, (aid, rid) in current.items()
        if (pcn_id, baseline_of[rid]) in earlier
    }


def change_since_baseline(programme, pcn_ids) -> MaturityChange | None:
    """None when the programme has no re-assessment round."""
    rounds = _rounds(programme)
    if not rounds:
        return None
    pairs = _pairs(rounds, pcn_ids)
    by_round = {r.pk: r for r in rounds}
    used = [r for r in rounds if any(rid == r.pk for *_, rid in pairs.values())]
    templates = {r.template_id for r in rounds} | {r.baseline.template_id for r in rounds}
    areas: dict[int, list[Area]] = defaultdict(list)
    for area in Area.objects.filter(template_id__in=templates).order_by("template_id", "position"):
        areas[area.template_id].append(area)
    values = _area_values(
        PCNAssessment.objects.filter(pk__in=[a for aid, bid, _ in pairs.values() for a in (aid, bid)]).values(
            "pk"
        )
    )
    by_pcn = {}
    for pcn_id, (aid, bid, rid) in pairs.items():
        rnd = by_round[rid]
        then = {
            r.area.code: r.current_score
            for r in _results(areas[rnd.baseline.template_id], values.get(bid, {}))
        }
        by_pcn[pcn_id] = {
            r.area.code: (then.get(r.area.code), r.current_score)
            for r in _results(areas[rnd.template_id], values.get(aid, {}))
        }
    return MaturityChange(used, len(by_pcn), _summary(areas[(used or rounds)[0].template_id], by_pcn), by_pcn)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None  # as maturity.rounds.change_by_area


def _summary(areas: list[Area], by_pcn) -> list[AreaChange]:
    out = []
    for area in areas:
        pairs = [
            cells[area.code]
            for cells in by_pcn.values()
            if area.code in cells and None not in cells[area.code]
        ]
        diffs = [round(now - then, 1) for then, now in pairs]
        out.append(
            AreaChange(
                area.code,
                area.title,
                len(pairs),
                _mean([t for t, _ in pairs]),
                _mean([n for _, n in pairs]),
                sum(1 for d in diffs if d > 0),
                sum(1 for d in diffs if d == 0),
                sum(1 for d in diffs if d < 0),
            )
        )
    return out
