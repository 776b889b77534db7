"""A programme in mid-delivery over a tree with several places: self-assessments (a September baseline and a March
re-assessment), plans in every state, ledger history, and progress reviews with mixed RAG ratings (some drafts,
which must not count). Everything last financial year, so every phase has ended and items are overdue today."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from pcndev.delivery.review_models import InitiativeUpdate, ProgressReview
from pcndev.funding.ledger import post, post_many
from pcndev.funding.models import LedgerEntry
from pcndev.maturity.models import AssessmentRound
from pcndev.maturity.templates import default_template
from pcndev.plans.models import Initiative
from tests.builders import build_tree
from tests.delivery.builders import assessment, plan_at, with_cds
from tests.funding.builders import make_programme
from tests.maturity.builders import submitted_assessment

# The latest plan version's states, cycled over the PCNs (None: no plan); a revised plan is listed as two states.
STATES = [
    None,
    ("draft",),
    ("submitted",),
    ("agreed",),
    ("committee_approved",),
    ("funds_released",),
    ("in_delivery",),
    ("closed",),
    ("changes_requested",),
    ("agreed", "draft"),
    ("in_delivery",),
    ("funds_released",),
]
RELEASED = ("funds_released", "in_delivery", "closed")
APPROVED = ("committee_approved", *RELEASED)
RAG_CYCLE = ["green", "amber", "red", "", "green", "green", "amber"]


def last_year() -> int:
    today = timezone.localdate()
    return (today.year if today.month >= 4 else today.year - 1) - 1


@dataclass
class World:
    tree: object
    programme: object
    baseline: AssessmentRound
    reassessment: AssessmentRound
    versions: dict  # pcn id -> latest PlanVersion (absent: no plan)


def round_for(programme, name, month, baseline=None) -> AssessmentRound:
    year = programme.financial_year + (1 if month < 4 else 0)
    return AssessmentRound.objects.create(
        name=name,
        template=default_template(),
        programme=programme,
        financial_year=programme.financial_year,
        opens_on=datetime.date(year, month, 1),
        closes_on=datetime.date(year, month, 28),
        baseline=baseline,
    )


def _reviews(programme, version, k: int) -> None:
    """Monthly reviews from October: submitted ones with mixed ratings, then a draft (ignored by the dashboard)."""
    year = programme.financial_year
    dues = [datetime.date(year, 10, 31), datetime.date(year, 11, 30), datetime.date(year, 12, 31)]
    initiatives = list(Initiative.objects.filter(version=version).order_by("position"))
    submitted = 1 + k % 3  # 1–3 submitted, then one draft
    for n, due in enumerate(dues[: submitted + 1]):
        state = "submitted" if n < submitted else "draft"
        review = ProgressReview.objects.create(plan=version.plan, version=version, due=due, state=state)
        InitiativeUpdate.objects.bulk_create(
            InitiativeUpdate(
                review=review,
                initiative=i,
                status="in_progress",
                rag=RAG_CYCLE[(k + n + j) % len(RAG_CYCLE)] if state == "submitted" else "red",
            )
            for j, i in enumerate(initiatives)
        )


def _money(programme, tree, versions) -> None:
    specs = []
    for k, pcn in enumerate(tree.pcns):
        specs.append(dict(pcn=pcn, kind="allocation", amount_pence=1_000_000 + 1_000 * k))
        if k % 3 == 0:
            specs.append(dict(pcn=pcn, kind="top_up", amount_pence=50_000, fund="local"))
        version = versions.get(pcn.pk)
        if version is None or version.state not in APPROVED:
            continue
        specs.append(dict(pcn=pcn, kind="commitment", amount_pence=800_000))
        if version.state in RELEASED:
            specs.append(dict(pcn=pcn, kind="release", amount_pence=600_000, reference=f"MOU-{pcn.code}"))
            specs.append(dict(pcn=pcn, kind="spend", amount_pence=100_000 * (1 + k % 4)))
            if k % 2:
                specs.append(dict(pcn=pcn, kind="return", amount_pence=20_000))
    post_many(programme, specs)
    spend = LedgerEntry.objects.filter(programme=programme, kind="spend").order_by("pk").first()
    post(programme, spend.pcn, "reversal", spend.amount_pence, reverses=spend)  # a correction


def _other_programme(programme, pcn) -> None:
    """Next year's programme with its own plan, money and review for one PCN: none of it may count."""
    other = make_programme(year=programme.financial_year + 1)
    version = plan_at(other, pcn, "in_delivery", initiatives=[("programme", True)])
    review = ProgressReview.objects.create(
        plan=version.plan, version=version, due=datetime.date(other.financial_year, 10, 31), state="submitted"
    )
    InitiativeUpdate.objects.create(review=review, initiative=version.initiatives.get(), rag="red")
    post_many(other, [dict(pcn=pcn, kind="allocation", amount_pence=123_456)])


def build_world(regions=2, systems=2, places=2, pcns=3) -> World:
    tree = build_tree(regions=regions, systems=systems, places=places, pcns=pcns, practices=1, unallocated=0)
    with_cds(tree.pcns)
    programme = make_programme(year=last_year())
    baseline = round_for(programme, "September baseline", 9)
    reassessment = round_for(programme, "March re-assessment", 3, baseline=baseline)
    versions = {}
    for k, pcn in enumerate(tree.pcns):
        if k % 4 != 3:  # three in four PCNs submitted in September, at rising stages
            submitted_assessment(baseline, pcn, stages=(1 + k % 2, 3))
            if k % 3 != 2:
                submitted_assessment(reassessment, pcn, stages=(k % 4, 3))  # up, the same or down
        elif k % 8 == 3:
            assessment(baseline, pcn, submitted=False)
        states = STATES[(k * 5) % len(STATES)]
        if states:
            versions[pcn.pk] = plan_at(
                programme,
                pcn,
                *states,
                initiatives=[("programme", True), ("existing", False), ("top_up", True)],
            )
    for k, (_, version) in enumerate(sorted(versions.items())):
        if version.state in ("funds_released", "in_delivery", "closed"):
            _reviews(programme, version, k)
    _money(programme, tree, versions)
    _other_programme(programme, tree.pcns[0])
    return World(tree, programme, baseline, reassessment, versions)
