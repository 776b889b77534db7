"""A 2019/20 year at its end for rollover tests: money in the ledger, plans in force, and reviews (via the ORM).

PCN 0 (funds released, in delivery), initiatives (cost, source, latest review status, spend to date):
  A 300,000 programme  in progress  100,000  -> carried, remaining 200,000
  B 200,000 programme  completed    150,000  -> finished: not carried
  C 100,000 programme  never reviewed     0  -> carried, remaining 100,000
  D  50,000 top-up     paused        10,000  -> carried, remaining 40,000 (local money)
  E  20,000 existing   not started        0  -> carried, no money (existing funds)
  F  80,000 programme  in progress   80,000  -> fully spent: not carried
  G  60,000 programme  in progress, then completed at the later review -> not carried
PCN 1: version 1 superseded by version 2 (in delivery) and a draft version 3; H (copied from version 1 with its
  spend of 10,000 reported there) costs 100,000, of which only 30,000 was released -> remaining 90,000, money 20,000.
PCN 2: agreed only (nothing committed): I 50,000 not started -> carried, no money.
PCN 3: no plan.
"""

import datetime
from dataclasses import dataclass

from pcndev.delivery.review_models import InitiativeUpdate, ProgressReview
from pcndev.funding.ledger import post_many
from pcndev.funding.models import Programme
from pcndev.funding.programmes import create_programme
from pcndev.funding.top_ups import add_top_up
from pcndev.maturity.templates import default_template
from pcndev.plans import workflow
from pcndev.plans.models import Initiative, OutputMeasure, PlanVersion, SupportPlan
from tests.builders import AS_OF, build_tree

ALLOCATION = 1_000_000
LOCAL_TOP_UP = 100_000
NOV, FEB = datetime.date(2019, 11, 30), datetime.date(2020, 2, 29)


@dataclass
class Year:
    tree: object
    programme: Programme
    versions: dict[int, PlanVersion]
    initiatives: dict[str, Initiative]


def _initiative(version, key, cost, source="programme", previous=None, **extra) -> Initiative:
    return Initiative.objects.create(
        version=version,
        title=f"Initiative {key}",
        cost_pence=cost,
        funding_source=source,
        existing_funds_checked=True,
        previous=previous,
        **extra,
    )


def _review(plan, version, due, statuses: dict[Initiative, tuple[str, int]]) -> ProgressReview:
    review = ProgressReview.objects.create(plan=plan, version=version, due=due, state="submitted")
    InitiativeUpdate.objects.bulk_create(
        InitiativeUpdate(review=review, initiative=i, status=s, rag="green", spend_to_date_pence=spent)
        for i, (s, spent) in statuses.items()
    )
    return review


def _plan(programme, pcn, *states) -> list[PlanVersion]:
    plan = SupportPlan.objects.create(programme=programme, pcn=pcn)
    out, previous = [], None
    for number, state in enumerate(states, start=1):
        previous = PlanVersion.objects.create(
            plan=plan, number=number, state=state, revises=previous, improvement_priority="Frailty"
        )
        out.append(previous)
    return out


def year_end(prefix: str = "") -> Year:
    """The 2019/20 programme at its year end (see the module docstring)."""
    tree = build_tree(regions=1, systems=1, places=2, pcns=2, practices=1, unallocated=0, prefix=prefix)
    programme = create_programme(f"{prefix}PCN development support", 2019, 4_350_000_000, AS_OF)
    p0, p1, p2, _ = tree.pcns
    post_many(programme, [dict(pcn=p, kind="allocation", amount_pence=ALLOCATION) for p in tree.pcns])
    for pcn in (p0, p1):
        add_top_up(programme, pcn, LOCAL_TOP_UP, "CCG primary care budget")
    domain = programme.priorities.get(kind="domain", code="od")
    element = default_template().elements.order_by("pk").first()

    (v0,) = _plan(programme, p0, workflow.IN_DELIVERY)
    i = {
        "A": _initiative(v0, "A", 300_000, domain=domain, area=element.area),
        "B": _initiative(v0, "B", 200_000),
        "C": _initiative(v0, "C", 100_000),
        "D": _initiative(v0, "D", 50_000, source="top_up"),
        "E": _initiative(v0, "E", 20_000, source="existing"),
        "F": _initiative(v0, "F", 80_000),
        "G": _initiative(v0, "G", 60_000),
    }
    i["A"].elements.add(element)
    OutputMeasure.objects.create(initiative=i["A"], description="Practices in the MDT", target="6 of 6")
    national = sum(i[k].cost_pence for k in "ABCFG")
    post_many(
        programme,
        [
            dict(pcn=p0, kind="commitment", amount_pence=national),
            dict(pcn=p0, kind="commitment", amount_pence=50_000, fund="local"),
            dict(pcn=p0, kind="release", amount_pence=national, reference="MOU-0"),
            dict(pcn=p0, kind="release", amount_pence=50_000, fund="local", reference="MOU-0"),
            dict(pcn=p0, kind="spend", amount_pence=100_000 + 150_000 + 80_000 + 30_000),
            dict(pcn=p0, kind="spend", amount_pence=10_000, fund="local"),
        ],
    )
    _review(
        v0.plan,
        v0,
        NOV,
        {
            i["A"]: ("in_progress", 50_000),
            i["B"]: ("in_progress", 100_000),
            i["G"]: ("in_progress", 10_000),
        },
    )
    _review(
        v0.plan,
        v0,
        FEB,
        {
            i["A"]: ("in_progress", 100_000),
            i["B"]: ("completed", 150_000),
            i["D"]: ("paused", 10_000),
            i["E"]: ("not_started", 0),
            i["F"]: ("in_progress", 80_000),
            i["G"]: ("completed", 30_000),
        },
    )

    v1a, v1b, _draft = _plan(programme, p1, workflow.SUPERSEDED, workflow.IN_DELIVERY, workflow.DRAFT)
    first = _initiative(v1a, "H", 100_000)
    i["H"] = _initiative(v1b, "H", 100_000, previous=first)
    _initiative(_draft, "H", 100_000, previous=i["H"])
    post_many(
        programme,
        [
            dict(pcn=p1, kind="commitment", amount_pence=100_000),
            dict(pcn=p1, kind="release", amount_pence=30_000, reference="MOU-1"),
            dict(pcn=p1, kind="spend", amount_pence=10_000),
        ],
    )
    _review(v1a.plan, v1a, NOV, {first: ("in_progress", 10_000)})

    (v2,) = _plan(programme, p2, workflow.AGREED)
    i["I"] = _initiative(v2, "I", 50_000)
    return Year(tree, programme, {0: v0, 1: v1b, 2: v2}, i)
