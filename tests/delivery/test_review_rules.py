"""Pure review rules: the schedule's dates, RAG rules and trends, the revision diff and overdue reviews."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from pcndev.delivery import rag
from pcndev.delivery.journey import Facts
from pcndev.delivery.overdue import items
from pcndev.delivery.schedule import Schedule, default_schedule, due_dates, month_end, problems
from pcndev.delivery.timetable import default_dates
from pcndev.plans.diff import Snapshot, diff, total_change

d = datetime.date


def test_the_default_schedule_is_monthly_from_october_to_march():
    assert due_dates(default_schedule(2019)) == [
        d(2019, 10, 31),
        d(2019, 11, 30),
        d(2019, 12, 31),
        d(2020, 1, 31),
        d(2020, 2, 29),
        d(2020, 3, 31),
    ]


def test_a_schedule_every_two_months_still_ends_in_the_last_month():
    assert due_dates(Schedule(d(2019, 10, 31), d(2020, 3, 31), 2)) == [
        d(2019, 10, 31),
        d(2019, 12, 31),
        d(2020, 2, 29),
        d(2020, 3, 31),
    ]


def test_bad_schedules_are_explained_and_give_no_dates():
    assert problems(Schedule(d(2020, 3, 31), d(2019, 10, 31), 1)) == [
        ("last_due", "The last review must be on or after the first")
    ]
    assert problems(Schedule(d(2019, 10, 31), d(2020, 3, 31), 0))[0][0] == "every_months"
    assert due_dates(Schedule(d(2019, 10, 31), d(2020, 3, 31), 7)) == []


@given(st.dates(d(2000, 1, 1), d(2090, 1, 1)), st.integers(0, 24), st.integers(1, 6))
def test_dates_are_month_ends_in_order_within_the_range(first, months, every):
    last = month_end(d(first.year + (first.month - 1 + months) // 12, (first.month - 1 + months) % 12 + 1, 1))
    dates = due_dates(Schedule(month_end(first), last, every))
    assert dates == sorted(set(dates)) and dates[0] == month_end(first) and dates[-1] == last
    assert all(x == month_end(x) for x in dates)


def _u(**kw):
    base = dict(status="in_progress", rag="green", reason="", spend_to_date_pence=0, cost_pence=1000_00)
    return rag.Update(**(base | kw))


def test_rag_rules():
    assert rag.problems(_u(), "A") == []
    assert rag.problems(_u(status="not_started", rag=""), "A") == []
    assert rag.problems(_u(rag=""), "A") == [("rag", "A: give a RAG rating (it has started)")]
    assert rag.problems(_u(rag="red"), "A") == [("rag_reason", "A: say why it is red")]
    assert rag.problems(_u(previous_rag="red"), "A") == [
        ("rag_reason", "A: say why it moved from red to green")
    ]
    assert rag.problems(_u(rag="red", reason="x", status="completed"), "A")[0][0] == "rag"
    assert "cannot go down" in rag.problems(_u(spend_to_date_pence=5, previous_spend_pence=6), "A")[0][1]
    assert "more than its cost" in rag.problems(_u(spend_to_date_pence=1000_01), "A")[0][1]
    assert rag.problems(_u(spend_to_date_pence=1000_01, reason="Agreed overspend from top-up"), "A") == []


def test_trends_and_spend_increases():
    assert [
        rag.trend("green", "amber"),
        rag.trend("red", "amber"),
        rag.trend("amber", "amber"),
        rag.trend("", "red"),
    ] == ["worse", "better", "same", ""]
    assert rag.spend_increase(_u(spend_to_date_pence=500, previous_spend_pence=200)) == 300
    assert rag.spend_increase(_u(spend_to_date_pence=100, previous_spend_pence=200)) == 0


def _s(pk, prev, title, cost, **values):
    return Snapshot(pk, prev, {"title": title, "cost_pence": cost} | values)


def test_the_diff_matches_initiatives_by_lineage():
    old = [_s(1, None, "Coaching", 100), _s(2, None, "MDT", 200), _s(3, None, "Dropped", 50)]
    new = [_s(11, 1, "Coaching", 100), _s(12, 2, "MDT meetings", 250), _s(13, None, "Analytics", 75)]
    changes = diff(old, new)
    assert [(c.title, c.kind) for c in changes] == [
        ("Coaching", "unchanged"),
        ("MDT meetings", "changed"),
        ("Analytics", "added"),
        ("Dropped", "removed"),
    ]
    assert changes[1].fields == [("Title", "MDT", "MDT meetings"), ("Cost", 200, 250)]
    assert total_change(changes) == 50 + 75 - 50


def test_reviews_become_overdue_once_funds_are_released_and_each_date_is_its_own_item():
    dates = default_dates(2019)
    review_due = tuple(due_dates(default_schedule(2019)))
    facts = Facts(
        practices=3,
        clinical_directors=1,
        assessment_submitted=True,
        improvement_priority="x",
        plan_state="in_delivery",
        initiatives=(("programme", True),),
        review_due=review_due,
        reviews_submitted=(d(2019, 10, 31),),
    )
    found = items(facts, dates, d(2019, 12, 3), soon=True)
    assert [i.key for i in found] == ["review:2019-11-30"]
    assert found[0].holder == "cd" and found[0].what == "Submit the progress review due 30 November 2019"
    soon = items(facts, dates, d(2019, 12, 26), soon=True)
    assert [(i.key, i.overdue) for i in soon] == [("review:2019-11-30", True), ("review:2019-12-31", False)]
    late = Facts(
        **{**facts.__dict__, "released_on": d(2019, 12, 20)}
    )  # reviews before the release are not due
    assert [i.key for i in items(late, dates, d(2020, 1, 3))] == ["review:2019-12-31"]
    agreed = Facts(**{**facts.__dict__, "plan_state": "agreed"})
    assert [i.key for i in items(agreed, dates, d(2019, 12, 3))] == ["funds_released"]
