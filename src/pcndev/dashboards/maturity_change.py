"""Maturity change since the baseline for many PCNs: per area, the mean of each PCN's change as its results page
shows it (maturity.results.ChangeRow: the area's mean consensus stage in the re-assessment minus the same in its
baseline round, areas matched by code), over the PCNs with a submitted consensus in both rounds.

The re-assessment rounds are the programme's rounds (or rounds of its year with no programme, as
delivery.services.assessments_for counts them) that have a baseline; a PCN in several takes the latest. Five
queries whatever the number of PCNs, with maturity.results' own grouping and scoring.
"""

from collections import defaultdict
from dataclasses import dataclass
from statistics import fmean

from django.db.models import Q

from pcndev.maturity.models import Area, AssessmentRound, PCNAssessment
from pcndev.maturity.results import ChangeRow, _area_values, _results

SUBMITTED = PCNAssessment.Status.SUBMITTED


@dataclass(frozen=True)
class AreaChange:
    title: str
    pcns: int  # PCNs compared
    baseline_mean: float | None
    current_mean: float | None
    mean_change: float | None


@dataclass(frozen=True)
class MaturityChange:
    rounds: list  # the re-assessment rounds compared, latest first
    compared: int  # PCNs with both consensuses submitted
    areas: list[AreaChange]
    by_pcn: dict[int, list[ChangeRow]]  # each compared PCN's rows, as on its results page


def _rounds(programme) -> list[AssessmentRound]:
    return list(
        AssessmentRound.objects.filter(
            Q(programme=programme) | Q(programme__isnull=True, financial_year=programme.financial_year),
            baseline__isnull=False,
        )
        .select_related("baseline")
        .order_by("-closes_on", "-pk")
    )


def change_since_baseline(programme, pcn_ids) -> MaturityChange | None:
    """None when the programme has no re-assessment round."""
    rounds = _rounds(programme)
    if not rounds:
        return None
    order = {r.pk: i for i, r in enumerate(rounds)}
    current: dict[int, tuple[int, int]] = {}  # pcn -> (assessment, round), the latest round first
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
    pairs = {
        pcn_id: (aid, earlier[(pcn_id, baseline_of[rid])])
        for pcn_id, (aid, rid) in current.items()
        if (pcn_id, baseline_of[rid]) in earlier
    }
    by_pcn = _changes(rounds, pairs, current)
    return MaturityChange(rounds, len(by_pcn), _means(rounds, by_pcn), by_pcn)


def _changes(rounds, pairs, current) -> dict[int, list[ChangeRow]]:
    if not pairs:
        return {}
    templates = {r.template_id for r in rounds} | {r.baseline.template_id for r in rounds}
    areas: dict[int, list[Area]] = defaultdict(list)
    for area in Area.objects.filter(template_id__in=templates).order_by("template_id", "position"):
        areas[area.template_id].append(area)
    values = _area_values(
        PCNAssessment.objects.filter(pk__in=[a for pair in pairs.values() for a in pair]).values("pk")
    )
    by_round = {r.pk: r for r in rounds}
    out = {}
    for pcn_id, (aid, bid) in pairs.items():
        rnd = by_round[current[pcn_id][1]]
        old = {r.area.code: r for r in _results(areas[rnd.baseline.template_id], values.get(bid, {}))}
        out[pcn_id] = [
            ChangeRow(
                r.area.title, old[r.area.code].current_score if r.area.code in old else None, r.current_score
            )
            for r in _results(areas[rnd.template_id], values.get(aid, {}))
        ]
    return out


def _means(rounds, by_pcn: dict[int, list[ChangeRow]]) -> list[AreaChange]:
    """Per area of the latest round's template (by title, as the rows carry it), the means over the PCNs."""
    cells: dict[str, list[ChangeRow]] = defaultdict(list)
    for rows in by_pcn.values():
        for row in rows:
            if row.change is not None:
                cells[row.area_title].append(row)
    titles = list(dict.fromkeys(r.area_title for rows in by_pcn.values() for r in rows))
    out = []
    for title in titles:
        rows = cells.get(title, [])
        out.append(
            AreaChange(
                title=title,
                pcns=len(rows),
                baseline_mean=_mean([r.baseline_score for r in rows]),
                current_mean=_mean([r.current_score for r in rows]),
                mean_change=_mean([r.change for r in rows]),
            )
        )
    return out


def _mean(values) -> float | None:
    return round(fmean(values), 2) if values else None
