"""The pure cores: journey rules, timetable resolution (with hypothesis) and overdue derivation."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from pcndev.delivery import timetable as tt
from pcndev.delivery.journey import STEPS, Facts, current_step, journey
from pcndev.delivery.overdue import CD, PLACE, SIGNOFF, items

D = datetime.date
DATES = tt.default_dates(2019)
ALL = Facts(2, 1, True, "Frailty", "closed", (("programme", True),))


def test_every_step_done_means_no_current_step():
    steps = journey(ALL)
    assert [s.done for s in steps] == [True] * 6 and not any(s.current for s in steps)
    assert current_step(ALL) is None and len(steps) == len(STEPS)


def test_an_empty_pcn_is_at_step_one_and_only_one_step_is_current():
    steps = journey(Facts())
    assert [s.current for s in steps] == [True, False, False, False, False, False]


def test_a_later_step_done_does_not_make_an_earlier_one_current_twice():
    facts = Facts(0, 0, True, "Frailty", "closed", (("programme", True),))
    assert current_step(facts) == 1
    assert [s.done for s in journey(facts)] == [False, True, True, True, True, True]


def test_default_dates_follow_the_seeds_calendar():
    assert DATES[tt.SELF_ASSESSMENT] == tt.Dates(D(2019, 9, 1), D(2019, 9, 30))
    assert DATES[tt.PLAN_AGREEMENT] == tt.Dates(D(2019, 10, 1), D(2019, 11, 15))
    assert DATES[tt.MOBILISATION].ends_on == D(2019, 10, 31)
    assert DATES[tt.DELIVERY] == tt.Dates(D(2019, 10, 1), D(2020, 3, 31))
    assert DATES[tt.YEAR_END] == tt.Dates(D(2020, 3, 1), D(2020, 3, 31))
    assert all(d.starts_on <= d.ends_on for d in DATES.values())


dates = st.builds(
    lambda start, days: tt.Dates(start, start + datetime.timedelta(days=days)),
    st.dates(D(2019, 1, 1), D(2021, 1, 1)),
    st.integers(0, 200),
)
overrides = st.dictionaries(st.sampled_from(list(tt.KINDS)), dates)


@given(overrides, overrides)
def test_place_beats_system_beats_programme(system, place):
    resolved = tt.resolve(DATES, system, place)
    assert set(resolved) == set(DATES)
    for kind, value in resolved.items():
        assert value == place.get(kind, system.get(kind, DATES[kind]))


@given(overrides)
def test_no_overrides_is_the_programme_and_a_system_alone_wins(system):
    assert tt.resolve(DATES) == DATES
    assert tt.resolve(DATES, system) == {k: system.get(k, v) for k, v in DATES.items()}


def _keys(facts, day, soon=False):
    return [(i.key, i.holder, i.overdue) for i in items(facts, DATES, day, soon)]


def test_nothing_is_overdue_before_the_phases_end():
    assert _keys(Facts(), D(2019, 9, 15)) == []


def test_an_unsubmitted_self_assessment_is_overdue_for_the_cd_after_september():
    assert _keys(Facts(), D(2019, 10, 1)) == [("self_assessment", CD, True)]
    assert _keys(Facts(), D(2019, 9, 30)) == []


def test_soon_due_items_are_within_seven_days():
    assert _keys(Facts(), D(2019, 9, 23), soon=True) == [("self_assessment", CD, False)]
    assert _keys(Facts(), D(2019, 9, 22), soon=True) == []


def test_after_mobilisation_the_holder_follows_the_plan_state():
    day = D(2019, 11, 1)
    submitted = Facts(assessment_submitted=True, plan_state="submitted")
    assert _keys(submitted, day) == [("funds_released", SIGNOFF, True)]
    agreed = Facts(assessment_submitted=True, plan_state="agreed")
    assert _keys(agreed, day) == [("funds_released", PLACE, True)]
    assert _keys(Facts(assessment_submitted=True, plan_state="funds_released"), day) == []


def test_a_plan_not_agreed_after_plan_agreement_ends_is_overdue():
    day = D(2019, 11, 16)
    assert _keys(Facts(assessment_submitted=True, plan_state="draft"), day) == [
        ("plan_agreed", CD, True),
        ("funds_released", CD, True),
    ]
    assert _keys(Facts(assessment_submitted=True, plan_state="committee_approved"), day) == [
        ("funds_released", PLACE, True)
    ]
