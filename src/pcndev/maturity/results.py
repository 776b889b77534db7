"""Results from submitted consensus: per-area stages, heatmaps, benchmarks against medians, change since a baseline.

Each function reads the consensus of many PCNs with one query and groups it in Python (scoring.py does the maths).
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from pcndev.maturity.models import Area, AssessmentRound, ConsensusRating, PCNAssessment
from pcndev.maturity.scoring import area_score, area_stage, median

SUBMITTED = PCNAssessment.Status.SUBMITTED


@dataclass(frozen=True)
class AreaResult:
    area: Area
    current_stage: int | None
    target_stage: int | None
    current_score: float | None
    target_score: float | None


def _area_values(assessments) -> dict[int, dict[int, tuple[list[int], list[int]]]]:
    """assessment id -> area id -> ([current stages], [target stages]) for those assessments' consensus.

    Unordered: the consensus's default ordering would join the round, PCN and area tables and sort every row, and
    an area's stage (a median) and score (a mean) do not depend on the order of its elements.
    """
    rows = (
        ConsensusRating.objects.filter(assessment__in=assessments)
        .order_by()
        .values_list("assessment_id", "element__area_id", "current_stage", "target_stage")
    )
    grouped: dict[int, dict[int, tuple[list[int], list[int]]]] = defaultdict(dict)
    for assessment_id, area_id, current, target in rows.iterator(chunk_size=5000):
        by_area = grouped[assessment_id]
        if (cell := by_area.get(area_id)) is None:
            by_area[area_id] = ([current], [target])
        else:
            cell[0].append(current)
            cell[1].append(target)
    return grouped


@lru_cache(maxsize=4096)
def _stage_and_score(stages: tuple[int, ...]) -> tuple[int | None, float | None]:
    """An area's stage and score from its elements' stages, given sorted (neither depends on their order).

    A national round has thousands of PCN × area cells but only a few dozen distinct sets of stages per area.
    """
    return area_stage(stages), area_score(stages)


def _results(areas: list[Area], values) -> list[AreaResult]:
    out = []
    for area in areas:
        cur, tgt = values.get(area.id, ([], []))
        current_stage, current_score = _stage_and_score(tuple(sorted(cur)))
        target_stage, target_score = _stage_and_score(tuple(sorted(tgt)))
        out.append(AreaResult(area, current_stage, target_stage, current_score, target_score))
    return out


def areas_of(rnd: AssessmentRound) -> list[Area]:
    return list(rnd.template.areas.all())


def pcn_results(assessment: PCNAssessment, areas: list[Area]) -> list[AreaResult]:
    """Current against target per area. Reads the consensus whether or not it is submitted (the CD's own view)."""
    values: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for area_id, current, target in assessment.consensus.values_list(
        "element__area_id", "current_stage", "target_stage"
    ):
        if current is not None and target is not None:
            values[area_id][0].append(current)
            values[area_id][1].append(target)
    return _results(areas, values)


@dataclass(frozen=True)
class HeatmapRow:
    pcn: object
    submitted: bool
    cells: list[AreaResult]


def heatmap(rnd: AssessmentRound, pcns, areas: list[Area]) -> list[HeatmapRow]:
    """PCNs × areas. Only submitted assessments contribute; the others show as not submitted."""
    submitted = PCNAssessment.objects.filter(round=rnd, pcn__in=pcns, status=SUBMITTED)
    pcns = list(pcns.select_related("place").order_by("place__name", "name"))
    assessment_of = dict(submitted.values_list("pcn_id", "id"))
    values = _area_values(submitted) if assessment_of else {}
    rows = []
    for pcn in pcns:
        aid = assessment_of.get(pcn.id)
        rows.append(HeatmapRow(pcn, aid is not None, _results(areas, values.get(aid, {})) if aid else []))
    return rows


@dataclass(frozen=True)
class BenchmarkRow:
    area: Area
    pcn_score: float | None
    place_median: float | None
    system_median: float | None
    national_median: float | None
    place_count: int
    system_count: int
    national_count: int


def benchmark(assessment: PCNAssessment, areas: list[Area]) -> list[BenchmarkRow]:
    """The PCN's current score per area against the medians of its place, its system and every PCN in the round.

    Only medians and counts leave this function: no other PCN is named.
    """
    rnd = assessment.round
    pcn = assessment.pcn
    submitted = PCNAssessment.objects.filter(round=rnd, status=SUBMITTED)
    where = {
        aid: (place, system)
        for aid, place, system in submitted.values_list("id", "pcn__place_id", "pcn__place__system_id")
    }
    values = _area_values(submitted)
    own = pcn_results(assessment, areas)
    out = []
    for area, mine in zip(areas, own, strict=True):
        in_place, in_system, national = [], [], []
        for aid, by_area in values.items():
            current = by_area.get(area.id, ([], []))[0]
            if not current:
                continue
            score = _stage_and_score(tuple(sorted(current)))[1]
            place, system = where.get(aid, (None, None))
            if place == pcn.place_id:
                in_place.append(score)
            if system == pcn.place.system_id:
                in_system.append(score)
            national.append(score)
        out.append(
            BenchmarkRow(
                area,
                mine.current_score,
                median(in_place),
                median(in_system),
                median(national),
                len(in_place),
                len(in_system),
                len(national),
            )
        )
    return out


@dataclass(frozen=True)
class ChangeRow:
    area_title: str
    baseline_score: float | None
    current_score: float | None

    @property
    def change(self) -> float | None:
        if self.baseline_score is None or self.current_score is None:
            return None
        return round(self.current_score - self.baseline_score, 1)


def change_since_baseline(assessment: PCNAssessment, areas: list[Area]) -> list[ChangeRow] | None:
    """Per area (matched by code), the change from the baseline round's submitted consensus; None without one."""
    baseline_round = assessment.round.baseline
    if baseline_round is None:
        return None
    earlier = PCNAssessment.objects.filter(round=baseline_round, pcn=assessment.pcn, status=SUBMITTED).first()
    if earlier is None:
        return None
    old_areas = {a.code: a for a in baseline_round.template.areas.all()}
    old = {r.area.code: r for r in pcn_results(earlier, list(old_areas.values()))}
    new = pcn_results(assessment, areas)
    return [
        ChangeRow(
            r.area.title, old[r.area.code].current_score if r.area.code in old else None, r.current_score
        )
        for r in new
    ]
