"""Year rollover, the service: what is carried, money counted in exactly one year, totals reconciling across years,
the new programme and plans, refusal of a second rollover, atomicity and the audit trail."""

import datetime

import pytest

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.delivery.rollover import carry_rows, preview
from pcndev.delivery.rollover_writes import RolloverProblems, RolloverRefused, start_rollover
from pcndev.funding.ledger import LedgerRefused, balances_by, post, post_many
from pcndev.funding.ledger_rules import Balances
from pcndev.funding.models import CarryForward, LedgerEntry, Programme, TopUp
from pcndev.funding.priorities import PRIORITIES_2020, SUPPORT_DOMAINS_2019
from pcndev.maturity.models import AssessmentRound
from pcndev.plans import workflow
from pcndev.plans.budget import budget_for
from pcndev.plans.models import Initiative, OutputMeasure, PlanVersion
from tests.builders import AS_OF, make_user
from tests.maturity.builders import make_round
from tests.rollover.builders import ALLOCATION, LOCAL_TOP_UP, year_end

TOTAL_2020 = 4_370_000_000


@pytest.fixture
def year(db):
    return year_end()


@pytest.fixture
def admin(db):
    return make_user("admin@test.example", Role.NATIONAL_ADMIN)


def _roll(admin, programme, **kw):
    args = dict(name="PCN development support 2020/21", national_total_pence=TOTAL_2020, list_size_date=AS_OF)
    return start_rollover(admin, programme, **(args | kw))


def _carried(rows) -> dict[str, tuple]:
    return {
        i.initiative.title[-1]: (i.status, i.cost_pence, i.spent_pence, i.remaining_pence, i.carried_pence)
        for r in rows
        for i in r.items
    }


def test_only_unfinished_initiatives_with_budget_left_are_carried(year):
    rows = carry_rows(year.programme)
    assert [r.pcn for r in rows] == year.tree.pcns[:3]
    assert _carried(rows) == {
        "A": ("in_progress", 300_000, 100_000, 200_000, 200_000),
        "C": (None, 100_000, 0, 100_000, 100_000),
        "D": ("paused", 50_000, 10_000, 40_000, 40_000),
        "E": ("not_started", 20_000, 0, 20_000, 0),
        "H": ("in_progress", 100_000, 10_000, 90_000, 20_000),  # spend and status from the version it revised
        "I": (None, 50_000, 0, 50_000, 0),
    }
    assert [r.version for r in rows] == [year.versions[0], year.versions[1], year.versions[2]]
    assert [(r.remaining_pence, r.carried_pence) for r in rows] == [
        (360_000, 340_000),
        (90_000, 20_000),
        (50_000, 0),
    ]
    assert rows[0].carried_by_fund() == {"national": 300_000, "local": 40_000}


def test_rollover_creates_the_next_programme_with_its_priorities(year, admin):
    old = year.programme
    Programme.objects.filter(pk=old.pk).update(
        cd_share_bp=1250, cd_split="per-cd", requires_system_signoff=True
    )
    old.refresh_from_db()
    old.priorities.filter(code="od").update(title="Organisational development (local wording)")
    new = _roll(admin, old).programme
    assert (new.financial_year, new.year_label, new.name) == (
        2020,
        "2020/21",
        "PCN development support 2020/21",
    )
    assert new.national_total_pence == TOTAL_2020 and new.list_size_date == AS_OF
    assert (new.cd_share_bp, new.cd_split, new.basis, new.requires_system_signoff) == (
        1250,
        "per-cd",
        "list-size",
        True,
    )
    assert new.rolled_over_from == old and old.rolled_over_to == new
    domains = list(new.priorities.filter(kind="domain").values_list("code", "title"))
    assert [c for c, _ in domains] == [c for c, _ in SUPPORT_DOMAINS_2019]
    assert ("od", "Organisational development (local wording)") in domains
    assert list(new.priorities.filter(kind="priority").values_list("code", "title")) == list(PRIORITIES_2020)


def _money_in(programmes) -> int:
    """What came in: allocations and top-ups other than the carry-forward, from the entries themselves."""
    entries = LedgerEntry.objects.filter(programme__in=programmes)
    allocated = sum(e.amount_pence for e in entries.filter(kind="allocation"))
    top_ups = entries.filter(kind="top_up").exclude(top_up__carry_forward__isnull=False)
    return allocated + sum(e.amount_pence for e in top_ups)


def _totals(programme) -> Balances:
    return sum(balances_by(programme, "pcn").values(), Balances())


def _reconciles(b: Balances) -> None:
    assert b.funds == b.committed + b.available
    assert b.committed == b.released + b.unreleased
    assert b.released == b.spent + b.returned + b.unspent
    assert min(b.available, b.unreleased, b.unspent) >= 0


def test_carried_money_is_counted_once_and_totals_reconcile_across_years(year, admin):
    old = year.programme
    before = _totals(old)
    done = _roll(admin, old)
    new = done.programme
    post_many(new, [dict(pcn=p, kind="allocation", amount_pence=2 * ALLOCATION) for p in year.tree.pcns])
    after_old, after_new = _totals(old), _totals(new)
    carried = sum(c.amount_pence for c in CarryForward.objects.all())
    assert carried == 360_000

    # Each year reconciles, and the old year changed only by the money carried out (returned).
    for b in (after_old, after_new):
        _reconciles(b)
    assert after_old == Balances(**{**before.__dict__, "returned": before.returned + carried})
    assert after_old.unspent == before.unspent - carried

    # The money carried appears once on each side: returned in 2019/20, topped up in 2020/21, nowhere else.
    returns = LedgerEntry.objects.filter(carried_forward_by__isnull=False)
    assert {e.programme_id for e in returns} == {old.pk} and sum(e.amount_pence for e in returns) == carried
    carry_top_ups = LedgerEntry.objects.filter(top_up__carry_forward__isnull=False)
    assert {e.programme_id for e in carry_top_ups} == {new.pk}
    assert sum(e.amount_pence for e in carry_top_ups) == carried
    assert after_new.topped_up == carried and after_new.allocated == 4 * 2 * ALLOCATION

    # Σ over both years of allocation + top-ups, carry-forward excluded, is the money that came in.
    came_in = 4 * ALLOCATION + 2 * LOCAL_TOP_UP + 4 * 2 * ALLOCATION
    assert _money_in([old, new]) == came_in
    assert sum(b.funds for b in (after_old, after_new)) - carried == came_in
    # What is still live across both years (unspent or unreleased or uncommitted) never counts it twice.
    live = sum(b.available + b.unreleased + b.unspent for b in (after_old, after_new))
    assert live + after_old.spent + after_old.returned - carried == came_in


def test_the_old_year_cannot_spend_what_it_carried_out(year, admin):
    _roll(admin, year.programme)
    p0 = year.tree.pcns[0]
    left = balances_by(year.programme, "pcn", [p0.pk], fund="national")[p0.pk].unspent
    assert left == 380_000 - 300_000  # only the finished initiatives' underspend is left
    with pytest.raises(LedgerRefused):
        post(year.programme, p0, "spend", left + 1)


def test_neither_half_of_the_carried_money_is_reversed_on_its_own(year, admin):
    new = _roll(admin, year.programme).programme
    top_up = LedgerEntry.objects.filter(top_up__carry_forward__isnull=False).select_related("pcn").first()
    returned = LedgerEntry.objects.filter(carried_forward_by__isnull=False).select_related("pcn").first()
    before = LedgerEntry.objects.count()
    with pytest.raises(LedgerRefused) as exc:
        post(new, top_up.pcn, "reversal", top_up.amount_pence, reverses=top_up, fund=top_up.fund)
    assert (
        "forward from 2019/20, where the same money was returned: it cannot be reversed on its own"
        in (exc.value.reasons[0])
    )
    with pytest.raises(LedgerRefused) as exc:
        post(
            year.programme,
            returned.pcn,
            "reversal",
            returned.amount_pence,
            reverses=returned,
            fund=returned.fund,
        )
    assert "moved the money into 2020/21 as a carried-forward top-up" in exc.value.reasons[0]
    assert LedgerEntry.objects.count() == before
    ordinary = post(new, top_up.pcn, "allocation", 1_000)  # entries that carry nothing still reverse
    assert post(new, top_up.pcn, "reversal", 1_000, reverses=ordinary).reverses == ordinary


def test_a_rolled_over_year_takes_spend_and_returns_but_no_new_money(year, admin):
    new = _roll(admin, year.programme)
    p0 = year.tree.pcns[0]
    for kind in ("allocation", "top_up", "commitment", "release"):
        with pytest.raises(LedgerRefused) as exc:
            post(year.programme, p0, kind, 1)
        assert exc.value.reasons == [
            f"{p0.name}: 2019/20 has been rolled over into 2020/21: new money is committed, released or added in 2020/21"
        ]
    post(year.programme, p0, "spend", 1)  # late spend reports still land in the year they belong to
    assert Programme.objects.get(pk=new.programme.pk).rolled_over_from_id == year.programme.pk


def test_the_new_plans_hold_the_carried_copies_and_count_the_money_once(year, admin):
    done = _roll(admin, year.programme)
    new = done.programme
    versions = {
        v.plan.pcn: v for v in PlanVersion.objects.filter(plan__programme=new).select_related("plan__pcn")
    }
    p0, p1, p2, p3 = year.tree.pcns
    assert set(versions) == {p0, p1, p2} and p3 not in versions
    assert all(v.number == 1 and v.state == workflow.DRAFT for v in versions.values())
    copies = {c.title[-1]: c for c in Initiative.objects.filter(version__plan__programme=new)}
    assert set(copies) == set("ACDEHI")
    assert (
        copies["A"].carried_forward_from == year.initiatives["A"]
        and copies["H"].carried_forward_from == year.initiatives["H"]
    )
    assert {k: (c.cost_pence, c.funding_source) for k, c in copies.items()} == {
        "A": (200_000, "top_up"),
        "C": (100_000, "top_up"),
        "D": (40_000, "top_up"),
        "E": (20_000, "existing"),
        "H": (90_000, "top_up"),
        "I": (50_000, "top_up"),
    }
    assert copies["A"].domain.programme == new and copies["A"].domain.code == "od"
    assert list(copies["A"].elements.all()) == list(year.initiatives["A"].elements.all())
    assert list(
        OutputMeasure.objects.filter(initiative=copies["A"]).values_list("description", "target")
    ) == [("Practices in the MDT", "6 of 6")]
    assert versions[p0].improvement_priority == "Frailty"
    # The new plan's budget counts the carried money once: the carry-forward top-up pays for the copies.
    budget = budget_for(versions[p0])
    assert (budget.top_ups_pence, budget.top_up_cost_pence, budget.existing_cost_pence) == (
        340_000,
        340_000,
        20_000,
    )
    assert not budget.problems()
    # Never-released money stays in 2019/20, so the copies funded beyond it show as over budget.
    assert budget_for(versions[p1]).problems() and budget_for(versions[p2]).top_ups_pence == 0
    assert TopUp.objects.get(programme=new, pcn=p0).source == "Carried forward from 2019/20"


def test_a_second_rollover_is_refused_with_the_reason(year, admin):
    first = _roll(admin, year.programme).programme
    counts = (Programme.objects.count(), LedgerEntry.objects.count(), PlanVersion.objects.count())
    with pytest.raises(RolloverRefused) as exc:
        _roll(admin, year.programme, name="Another name")
    assert exc.value.reason.startswith(f"{year.programme} has already been rolled over into {first}")
    assert (Programme.objects.count(), LedgerEntry.objects.count(), PlanVersion.objects.count()) == counts
    assert not preview(admin, year.programme).decision


def test_only_a_national_administrator_may_roll_over(year):
    lead = make_user("system@test.example", Role.SYSTEM_LEAD, year.tree.systems[0])
    with pytest.raises(RolloverRefused) as exc:
        _roll(lead, year.programme)
    assert exc.value.reason == "Only a national administrator can start 2020/21."
    assert not Programme.objects.filter(financial_year=2020).exists()


def test_bad_input_or_a_clash_writes_nothing(year, admin):
    entries = LedgerEntry.objects.count()
    with pytest.raises(RolloverProblems) as exc:
        _roll(
            admin, year.programme, name=" ", national_total_pence=0, list_size_date=datetime.date(2020, 1, 1)
        )
    assert dict(exc.value.problems) == {
        "name": "Enter a name for the new programme",
        "national_total": "Enter a national total of more than £0, like 43,700,000",
        "list_size_date": "Choose a date for which list sizes are held",
    }
    Programme.objects.create(
        name="PCN development support 2020/21",
        financial_year=2020,
        national_total_pence=1,
        list_size_date=AS_OF,
    )
    with pytest.raises(RolloverProblems) as exc:
        _roll(admin, year.programme)
    assert "There is already a programme called" in exc.value.problems[0][1]
    assert LedgerEntry.objects.count() == entries and not CarryForward.objects.exists()
    assert (
        Programme.objects.filter(financial_year=2020).count() == 1
        and not TopUp.objects.filter(programme__financial_year=2020).exists()
    )


def test_it_opens_next_years_round_with_the_template_and_is_audited(year, admin):
    september = make_round(programme=year.programme)
    march = AssessmentRound.objects.create(
        name="Year-end re-assessment 2019/20",
        template=september.template,
        programme=year.programme,
        financial_year=2019,
        opens_on=datetime.date(2020, 3, 1),
        closes_on=datetime.date(2020, 3, 31),
        baseline=september,
    )
    done = _roll(admin, year.programme)
    (rnd,) = done.rounds
    assert (rnd.name, rnd.financial_year, rnd.programme, rnd.template) == (
        "September 2020",
        2020,
        done.programme,
        september.template,
    )
    assert rnd.baseline == march and (rnd.opens_on, rnd.closes_on) == (
        datetime.date(2020, 9, 1),
        datetime.date(2020, 9, 30),
    )

    actions = set(AuditEvent.objects.filter(actor=admin).values_list("action", flat=True))
    assert {
        "programme.created",
        "programme.rolled_over",
        "plan.carried_forward",
        "top_up.carried_forward",
    } <= actions
    assert {"ledger.return", "ledger.top_up", "round.created"} <= actions
    event = AuditEvent.objects.get(action="programme.rolled_over")
    assert event.after["carried_pence"] == 360_000 and event.after["rounds"] == [rnd.pk]
    assert (event.after["pcns"], event.after["initiatives"], event.after["remaining_pence"]) == (
        3,
        6,
        500_000,
    )
    assert AuditEvent.objects.filter(action="plan.carried_forward").count() == 3


def test_rounds_are_not_opened_when_declined(year, admin):
    make_round(programme=year.programme)
    assert _roll(admin, year.programme, open_rounds=False).rounds == []
    assert not AssessmentRound.objects.filter(financial_year=2020).exists()
