"""Scoring and needs, pure: rating checks, gaps, spreads, area stages, medians and the ranking of needs."""

import statistics

from hypothesis import given
from hypothesis import strategies as st

from pcndev.maturity.scoring import (
    EXTERNAL,
    INTERNAL,
    NeedInput,
    RatingInput,
    area_score,
    area_stage,
    gap,
    median,
    rank_needs,
    rating_problems,
    spread,
)

stage = st.integers(min_value=0, max_value=3)


def need_inputs():
    return st.lists(
        st.builds(
            NeedInput,
            element_code=st.text("abcdef", min_size=1, max_size=4),
            area_position=st.integers(0, 4),
            element_position=st.integers(0, 3),
            tag=st.sampled_from([INTERNAL, EXTERNAL]),
            current=stage,
            target=stage,
            priority=st.sampled_from(["high", "medium", "low", ""]),
            cost_pence=st.integers(-100, 10_000),
        ),
        max_size=25,
        unique_by=lambda n: (n.area_position, n.element_position),
    )


@given(stage, stage)
def test_gaps_are_never_negative(current, target):
    assert gap(current, target) >= 0
    assert gap(current, target) == (target - current if target > current else 0)


@given(need_inputs())
def test_needs_have_positive_gaps_and_internal_needs_come_first(inputs):
    needs = rank_needs(inputs)
    assert all(n.gap > 0 and n.cost_pence >= 0 for n in needs)
    assert [n.rank for n in needs] == list(range(1, len(needs) + 1))
    tags = [n.tag for n in needs]
    assert tags == sorted(tags, key=lambda t: t != INTERNAL)
    assert len(needs) == sum(1 for i in inputs if i.target > i.current)


@given(need_inputs(), st.randoms())
def test_ranking_is_stable_whatever_the_input_order(inputs, rnd):
    shuffled = list(inputs)
    rnd.shuffle(shuffled)
    assert rank_needs(shuffled) == rank_needs(inputs)


def test_needs_rank_by_priority_then_gap_within_a_tag():
    inputs = [
        NeedInput("ext", 0, 0, EXTERNAL, 0, 3, "high"),
        NeedInput("low", 0, 1, INTERNAL, 0, 3, "low"),
        NeedInput("big", 0, 2, INTERNAL, 0, 3, "high"),
        NeedInput("small", 0, 3, INTERNAL, 1, 2, "high"),
        NeedInput("none", 1, 0, INTERNAL, 2, 2, ""),
    ]
    assert [n.element_code for n in rank_needs(inputs)] == ["big", "small", "low", "ext"]


@given(st.lists(st.one_of(st.none(), st.integers(-50, 50)), max_size=30))
def test_median_matches_statistics_and_ignores_blanks(values):
    present = [v for v in values if v is not None]
    expected = None if not present else round(float(statistics.median(present)), 2)
    assert median(values) == expected


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert median([1, 2, 3, 10]) == 2.5
    assert median([]) is None


@given(st.lists(stage, min_size=1, max_size=6))
def test_area_stage_is_a_real_stage_within_the_range(stages):
    assert area_stage(stages) in stages
    assert min(stages) <= area_score(stages) <= max(stages)


def test_area_stage_and_score_examples():
    assert area_stage([0, 1, 3, 3]) == 1
    assert area_score([0, 1, 3, 3]) == 1.8
    assert area_stage([]) is None and area_score([]) is None


def test_spread_flags_practices_two_stages_apart():
    assert spread([0, 2, None]).diverges
    assert spread([0, 2, None]).raters == 2
    assert not spread([1, 2, 2]).diverges
    assert spread([None, None]).width == 0 and spread([]).lowest is None


def test_rating_problems_name_each_fault():
    assert rating_problems(RatingInput(2, 1, "high"), 4, complete=False) == [
        ("target", "Where you want to be in a year cannot be below where you are now")
    ]
    assert rating_problems(RatingInput(None, None), 4, complete=False) == []
    assert rating_problems(RatingInput(None, None), 4, complete=True) == [
        ("current", "Select where you are now"),
        ("target", "Select where you want to be"),
    ]
    assert rating_problems(RatingInput(0, 2, ""), 4, complete=True) == [
        ("priority", "Select how much of a priority this is")
    ]
    assert rating_problems(RatingInput(0, 4, "urgent", -1), 4, complete=False) == [
        ("target", "Select a stage from the list for where you want to be"),
        ("priority", "Select high, medium or low priority"),
        ("cost", "Estimated cost cannot be negative"),
    ]
    assert rating_problems(RatingInput(1, 1, ""), 4, complete=True) == []
