"""Dashboard figures for a programme and a set of PCNs, in a fixed number of queries whatever the number of PCNs.

Each PCN's figures come from the same facts and functions as the pages they summarise, then add up by node:

- assessment completion: the PCN has a submitted self-assessment among the programme's (delivery.services
  .assessments_for: its rounds, or rounds of the same year with no programme);
- plans by state: the state of the PCN's latest plan version (delivery.services.current_versions), or no plan;
- journey: the PCN's current step from delivery.services.facts_for and delivery.journey.current_step;
- money: the PCN's ledger balances (funding.ledger.balances_by, national and local funds together, as on the money
  pages), with underspend as funds − spent and released − spent;
- RAG: the ratings in the latest submitted progress review of the PCN's plan (highest due date);
- overdue: the PCN's items from delivery.services.overdue_rows (passed in: it reads the user's scope).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count

from pcndev.dashboards.nodes import child_of
from pcndev.delivery import journey as jy
from pcndev.delivery.review_models import InitiativeUpdate, ProgressReview
from pcndev.delivery.services import assessments_for, current_versions, facts_for
from pcndev.funding.ledger import balances_by
from pcndev.funding.ledger_rules import Balances
from pcndev.maturity.models import PCNAssessment
from pcndev.plans import workflow

NO_PLAN = "none"
PLAN_STATES = (*workflow.STATES, NO_PLAN)
PLAN_LABELS = {**workflow.STATES, NO_PLAN: "No plan yet"}
RAGS = ("green", "amber", "red", "")
RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", "": "Not rated"}
ALL_DONE = len(jy.STEPS) + 1  # the journey column for PCNs with every step done
STEP_LABELS = [f"{n}. {title}" for n, title in enumerate(jy.STEPS, start=1)] + ["Every step done"]


@dataclass(frozen=True)
class PcnFigures:
    pcn: object  # with place__system__region loaded
    assessed: bool
    plan_state: str  # one of PLAN_STATES
    plan_version_id: int | None  # the latest version
    step: int  # 1–6, or ALL_DONE
    money: Balances
    rag: tuple[int, int, int, int] | None  # green, amber, red, not rated; None without a submitted review
    overdue: int


@dataclass
class Tally:
    """Figures added up over some PCNs."""

    pcns: int = 0
    assessed: int = 0
    plans: Counter = field(default_factory=Counter)  # PLAN_STATES -> PCNs
    steps: list[int] = field(default_factory=lambda: [0] * ALL_DONE)  # PCNs at steps 1–6, then all done
    money: Balances = field(default_factory=Balances)
    rag: Counter = field(default_factory=Counter)  # RAGS -> initiatives
    reviewed: int = 0  # PCNs whose plan has a submitted review
    overdue: int = 0  # overdue items
    overdue_pcns: int = 0

    def add(self, row: PcnFigures) -> None:
        self.pcns += 1
        self.assessed += row.assessed
        self.plans[row.plan_state] += 1
        self.steps[row.step - 1] += 1
        self.money = self.money + row.money
        if row.rag is not None:
            self.reviewed += 1
            for key, n in zip(RAGS, row.rag, strict=True):
                self.rag[key] += n
        self.overdue += row.overdue
        self.overdue_pcns += bool(row.overdue)

    @property
    def not_assessed(self) -> int:
        return self.pcns - self.assessed

    @property
    def assessed_percent(self) -> int | None:
        return None if not self.pcns else round(100 * self.assessed / self.pcns)

    @property
    def agreed_or_later(self) -> int:
        return sum(self.plans[s] for s in jy.AGREED_OR_LATER)

    @property
    def underspend(self) -> int:
        """Funds (allocated + top-ups) not spent."""
        return self.money.funds - self.money.spent

    @property
    def released_unspent(self) -> int:
        """Money released to payees and not (yet) reported as spent; returned underspend is part of it."""
        return self.money.released - self.money.spent

    def plan_counts(self) -> list[tuple[str, str, int]]:
        return [(s, PLAN_LABELS[s], self.plans[s]) for s in PLAN_STATES]

    def rag_counts(self) -> list[tuple[str, str, int]]:
        return [(r, RAG_LABELS[r], self.rag[r]) for r in RAGS]


def tally(rows) -> Tally:
    out = Tally()
    for row in rows:
        out.add(row)
    return out


def breakdown(rows: list[PcnFigures], child_level: str) -> list[tuple[object, Tally]]:
    """(child node, its tally) for every child with PCNs, by name."""
    by_child: dict[int, tuple[object, Tally]] = {}
    for row in rows:
        child = child_of(row.pcn, child_level)
        by_child.setdefault(child.pk, (child, Tally()))[1].add(row)
    return sorted(by_child.values(), key=lambda pair: (pair[0].name, pair[0].code))


def _submitted_pcn_ids(programme, ids) -> set[int]:
    return set(
        assessments_for(programme)
        .filter(pcn_id__in=ids, status=PCNAssessment.Status.SUBMITTED)
        .values_list("pcn_id", flat=True)
    )


def latest_submitted_reviews(programme, ids) -> dict[int, int]:
    """PCN id -> the id of its plan's latest submitted progress review (highest due date) in the programme."""
    latest: dict[int, tuple] = {}
    for pk, pcn_id, due in (
        ProgressReview.objects.filter(plan__programme=programme, plan__pcn_id__in=ids, state="submitted")
        .order_by()
        .values_list("pk", "plan__pcn_id", "due")
    ):
        if pcn_id not in latest or (due, pk) > latest[pcn_id]:
            latest[pcn_id] = (due, pk)
    return {pcn_id: pk for pcn_id, (_, pk) in latest.items()}


def _rag_by_pcn(programme, ids) -> dict[int, tuple[int, int, int, int]]:
    """Two queries: the latest submitted reviews, then their updates counted by rating."""
    review_of = latest_submitted_reviews(programme, ids)
    counts: dict[int, Counter] = {pk: Counter() for pk in review_of.values()}
    rows = (
        InitiativeUpdate.objects.filter(review_id__in=list(counts))
        .order_by()
        .values_list("review_id", "rag")
        .annotate(n=Count("pk"))
    )
    for review_id, rating, n in rows:
        counts[review_id][rating] += n
    return {pcn_id: tuple(counts[pk][r] for r in RAGS) for pcn_id, pk in review_of.items()}


def pcn_figures(programme, pcns, overdue_rows=(), journey=None) -> list[PcnFigures]:
    """Every PCN's figures, from a PCN queryset (ordered by name), in a fixed number of queries.

    `overdue_rows` is delivery.services.overdue_rows output; rows for PCNs outside `pcns` are ignored.
    `journey` is facts_for's (PCNs, facts) for the same queryset when the caller has gathered them already.
    """
    pcn_list, facts = journey or facts_for(programme, pcns.select_related("place__system__region"))[:2]
    ids = [p.pk for p in pcn_list]
    assessed = _submitted_pcn_ids(programme, ids)
    latest = {
        pcn_id: (pk, state)
        for pcn_id, pk, state in current_versions(programme, ids).values_list("plan__pcn_id", "pk", "state")
    }
    money = balances_by(programme, "pcn", ids)
    rag = _rag_by_pcn(programme, ids)
    overdue = Counter(pcn.pk for pcn, _ in overdue_rows)
    out = []
    for pcn in pcn_list:
        version_id, state = latest.get(pcn.pk, (None, NO_PLAN))
        out.append(
            PcnFigures(
                pcn=pcn,
                assessed=pcn.pk in assessed,
                plan_state=state,
                plan_version_id=version_id,
                step=jy.current_step(facts[pcn.pk]) or ALL_DONE,
                money=money.get(pcn.pk, Balances()),
                rag=rag.get(pcn.pk),
                overdue=overdue.get(pcn.pk, 0),
            )
        )
    return out
