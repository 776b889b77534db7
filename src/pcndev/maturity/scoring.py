"""Maturity scoring, pure Python: rating checks, divergence between practices, area stages, needs, medians.

Stages are 0-based positions in a template's stage list (0 = Foundation). Nothing here imports Django.
"""

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

INTERNAL, EXTERNAL = "internal", "external"
PRIORITIES = ("high", "medium", "low")
DIVERGENCE_STAGES = 2  # practices this many stages apart on an element are flagged for the CD


@dataclass(frozen=True)
class RatingInput:
    """One element's rating as entered: stages may be missing while a draft."""

    current: int | None
    target: int | None
    priority: str = ""
    cost_pence: int | None = None


def rating_problems(r: RatingInput, stages: int, complete: bool) -> list[tuple[str, str]]:
    """(field, message) for everything wrong with a rating; `complete` also demands the required fields."""
    problems = []
    for field, value, what in (
        ("current", r.current, "where you are now"),
        ("target", r.target, "where you want to be"),
    ):
        if value is None:
            if complete:
                problems.append((field, f"Select {what}"))
        elif not 0 <= value < stages:
            problems.append((field, f"Select a stage from the list for {what}"))
    if r.current is not None and r.target is not None and r.target < r.current:
        problems.append(("target", "Where you want to be in a year cannot be below where you are now"))
    if r.priority and r.priority not in PRIORITIES:
        problems.append(("priority", "Select high, medium or low priority"))
    if (
        complete
        and not r.priority
        and r.current is not None
        and r.target is not None
        and r.target > r.current
    ):
        problems.append(("priority", "Select how much of a priority this is"))
    if r.cost_pence is not None and r.cost_pence < 0:
        problems.append(("cost", "Estimated cost cannot be negative"))
    return problems


def gap(current: int, target: int) -> int:
    """Stages to climb; never negative."""
    return max(0, target - current)


@dataclass(frozen=True)
class Spread:
    lowest: int | None
    highest: int | None
    raters: int

    @property
    def width(self) -> int:
        return 0 if self.lowest is None else self.highest - self.lowest

    @property
    def diverges(self) -> bool:
        return self.width >= DIVERGENCE_STAGES


def spread(stages: Iterable[int | None]) -> Spread:
    rated = [s for s in stages if s is not None]
    if not rated:
        return Spread(None, None, 0)
    return Spread(min(rated), max(rated), len(rated))


def area_stage(element_stages: Sequence[int]) -> int | None:
    """An area's stage: the lower median of its elements' stages (always a real stage)."""
    return statistics.median_low(element_stages) if element_stages else None


def area_score(element_stages: Sequence[int]) -> float | None:
    """An area's mean stage to one decimal place, for charts and benchmarks."""
    return round(statistics.fmean(element_stages), 1) if element_stages else None


def median(values: Iterable[float | int | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(float(statistics.median(present)), 2) if present else None


@dataclass(frozen=True)
class NeedInput:
    element_code: str
    area_position: int
    element_position: int
    tag: str
    current: int
    target: int
    priority: str = ""
    support_needed: str = ""
    cost_pence: int = 0


@dataclass(frozen=True)
class Need:
    element_code: str
    tag: str
    current: int
    target: int
    gap: int
    priority: str
    support_needed: str
    cost_pence: int
    rank: int


def _priority_order(priority: str) -> int:
    return PRIORITIES.index(priority) if priority in PRIORITIES else len(PRIORITIES)


def rank_needs(ratings: Iterable[NeedInput]) -> list[Need]:
    """Every element with a gap becomes a need, internal needs first (seed 000's advice), then by priority,
    then the largest gap, then matrix order; ties cannot reorder because matrix positions are unique."""
    with_gap = [r for r in ratings if gap(r.current, r.target) > 0]
    ordered = sorted(
        with_gap,
        key=lambda r: (
            0 if r.tag == INTERNAL else 1,
            _priority_order(r.priority),
            -gap(r.current, r.target),
            r.area_position,
            r.element_position,
            r.element_code,
        ),
    )
    return [
        Need(
            r.element_code,
            r.tag,
            r.current,
            r.target,
            gap(r.current, r.target),
            r.priority,
            r.support_needed,
            max(0, r.cost_pence or 0),
            rank,
        )
        for rank, r in enumerate(ordered, start=1)
    ]
