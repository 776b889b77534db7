"""Reconciliation, one test per tile: every dashboard figure equals a direct query of the same facts, for England,
a region, a system and a place of a world with plans in every state, money, mixed RAG ratings and re-assessments."""

from collections import Counter

import pytest
from django.db.models import Q
from django.utils import timezone

from pcndev.dashboards import figures as fg
from pcndev.dashboards.nodes import Node
from pcndev.dashboards.service import build
from pcndev.delivery import journey as jy
from pcndev.delivery.review_models import ProgressReview
from pcndev.delivery.services import facts_for
from pcndev.funding.ledger_rules import BUCKET
from pcndev.funding.models import LedgerEntry
from pcndev.maturity import results
from pcndev.maturity.models import PCNAssessment
from pcndev.maturity.rounds import change_by_area
from pcndev.orgs.models import PCN
from pcndev.plans.models import PlanVersion


def _nodes(w):
    tree = w.tree
    return [
        ("england", Node("national"), PCN.objects.all()),
        (
            "region",
            Node("region", tree.regions[1]),
            PCN.objects.filter(place__system__region=tree.regions[1]),
        ),
        ("system", Node("system", tree.systems[0]), PCN.objects.filter(place__system=tree.systems[0])),
        ("place", Node("place", tree.places[0]), PCN.objects.filter(place=tree.places[0])),
    ]


CASES = ["england", "region", "system", "place"]


@pytest.fixture(params=CASES)
def case(request, world, db):
    w, admin = world
    name, node, pcns = next(c for c in _nodes(w) if c[0] == request.param)
    return w, admin, node, list(pcns), build(admin, w.programme, node, timezone.localdate())


def test_the_world_is_not_trivial(case):
    w, _, node, pcns, d = case
    t = d.total
    assert len([s for s in fg.PLAN_STATES if t.plans[s]]) >= (3 if node.level == "place" else 6)
    assert all(t.rag[r] for r in fg.RAGS) and t.money.spent and t.money.returned and t.overdue
    assert len({r.step for r in d.rows}) >= 2 and d.maturity.compared > 1 and len(d.children) >= 2
    if node.level in ("national", "region"):
        assert all(a.improved and a.fell for a in d.maturity.areas)
    if node.level != "place":
        assert 0 < t.assessed < t.pcns


def test_assessment_completion_is_the_pcns_with_a_submitted_self_assessment(case):
    w, _, _, pcns, d = case
    submitted = PCNAssessment.objects.filter(
        Q(round__programme=w.programme)
        | Q(round__programme__isnull=True, round__financial_year=w.programme.financial_year),
        status="submitted",
        pcn__in=pcns,
    )
    assert d.total.assessed == submitted.values("pcn").distinct().count()
    assert d.total.pcns == len(pcns)
    assert d.total.not_assessed == len(pcns) - d.total.assessed


def test_plans_by_state_count_each_pcns_latest_version(case):
    w, _, _, pcns, d = case
    direct = Counter()
    for pcn in pcns:
        latest = (
            PlanVersion.objects.filter(plan__programme=w.programme, plan__pcn=pcn).order_by("-number").first()
        )
        direct[latest.state if latest else fg.NO_PLAN] += 1
    assert {s: d.total.plans[s] for s in fg.PLAN_STATES if d.total.plans[s]} == dict(direct)
    assert sum(n for *_, n in d.total.plan_counts()) == len(pcns)


def test_money_adds_up_the_ledger_with_reversals_taken_out(case):
    w, _, _, pcns, d = case
    direct = Counter()
    for e in LedgerEntry.objects.filter(programme=w.programme, pcn__in=pcns).select_related("reverses"):
        if e.kind == "reversal":
            direct[BUCKET[e.reverses.kind]] -= e.amount_pence
        else:
            direct[BUCKET[e.kind]] += e.amount_pence
    m = d.total.money
    assert {b: getattr(m, b) for b in BUCKET.values()} == {b: direct[b] for b in BUCKET.values()}
    assert d.total.underspend == direct["allocated"] + direct["topped_up"] - direct["spent"]
    assert d.total.released_unspent == direct["released"] - direct["spent"]


def test_rag_counts_read_each_plans_latest_submitted_review(case):
    w, _, _, pcns, d = case
    direct, reviewed = Counter(), 0
    for pcn in pcns:
        review = (
            ProgressReview.objects.filter(plan__programme=w.programme, plan__pcn=pcn, state="submitted")
            .order_by("-due")
            .first()
        )
        if review:
            reviewed += 1
            direct.update(review.updates.values_list("rag", flat=True))
    assert {r: d.total.rag[r] for r in fg.RAGS} == {r: direct[r] for r in fg.RAGS}
    assert d.total.reviewed == reviewed


def test_journey_counts_are_each_pcns_own_current_step(case):
    w, _, _, pcns, d = case
    direct = Counter()
    for pcn in pcns:
        facts = facts_for(w.programme, PCN.objects.filter(pk=pcn.pk))[1][pcn.pk]
        direct[jy.current_step(facts) or fg.ALL_DONE] += 1
    assert d.total.steps == [direct[n] for n in range(1, fg.ALL_DONE + 1)]


def test_overdue_items_are_the_delivery_overdue_items_of_these_pcns(case, client):
    w, admin, _, pcns, d = case
    client.force_login(admin)
    ids = {p.code for p in pcns}
    rows = client.get(f"/api/v1/programmes/{w.programme.pk}/overdue").json()  # the underlying page's rows
    mine = sorted((r["pcn"], r["key"]) for r in rows if r["pcn"] in ids)
    assert sorted((a.pcn.code, a.key) for a in d.overdue) == mine
    assert d.total.overdue == len(mine) and d.total.overdue_pcns == len({p for p, _ in mine})
    assert [a.due for a in d.overdue] == sorted(a.due for a in d.overdue)


def test_maturity_change_is_the_re_assessments_change_over_these_pcns(case):
    w, _, _, pcns, d = case
    summary, _ = change_by_area(w.reassessment, PCN.objects.filter(pk__in=[p.pk for p in pcns]))
    assert d.maturity.areas == summary  # as the re-assessment's change page counts them
    assert [r.pk for r in d.maturity.rounds] == [w.reassessment.pk]
    areas = results.areas_of(w.reassessment)
    for a in PCNAssessment.objects.filter(round=w.reassessment, pcn__in=pcns, status="submitted"):
        rows = results.change_since_baseline(a, areas)  # each PCN's results page
        if rows is not None:
            assert [(r.baseline_score, r.current_score) for r in rows] == list(
                d.maturity.by_pcn[a.pcn_id].values()
            )
    both = PCNAssessment.objects.filter(round=w.baseline, status="submitted", pcn__in=pcns).values("pcn")
    again = PCNAssessment.objects.filter(round=w.reassessment, status="submitted", pcn__in=both)
    assert d.maturity.compared == again.count() == len(d.maturity.by_pcn)


def test_the_national_maturity_change_is_the_change_page_of_the_round(client, world, db):
    w, admin = world
    client.force_login(admin)
    page = client.get(f"/api/v1/maturity/rounds/{w.reassessment.pk}/change").json()
    d = build(admin, w.programme, Node("national"), timezone.localdate())
    assert [
        (
            a["area"],
            a["compared"],
            a["baseline_mean"],
            a["current_mean"],
            a["change"],
            a["improved"],
            a["fell"],
        )
        for a in page["areas"]
    ] == [
        (a.code, a.compared, a.baseline_mean, a.current_mean, a.change, a.improved, a.fell)
        for a in d.maturity.areas
    ]


def test_the_breakdown_rows_are_the_childrens_own_dashboards_and_add_up(case):
    w, admin, node, _, d = case
    assert d.children
    for child, tally in d.children:
        if node.child_level == "pcn":
            row = next(r for r in d.rows if r.pcn.pk == child.pk)
            assert fg.tally([row]) == tally
            continue
        own = build(admin, w.programme, Node(node.child_level, child), d.today).total
        assert own == tally, child.code
    summed = fg.tally(d.rows)
    assert summed == d.total
    assert sum(t.pcns for _, t in d.children) == d.total.pcns
    assert sum(t.money.spent for _, t in d.children) == d.total.money.spent
