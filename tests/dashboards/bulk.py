"""Cheap data for query-count tests: every PCN gets a plan (states cycling by its position in its place), money,
reviews with updates for released plans, and self-assessments, all with bulk_create (no per-row services)."""

import datetime

from django.utils import timezone

from pcndev.delivery.review_models import InitiativeUpdate, ProgressReview
from pcndev.funding.models import LedgerEntry
from pcndev.maturity.models import ConsensusRating, PCNAssessment
from pcndev.plans.models import Initiative, PlanVersion, SupportPlan
from tests.delivery.builders import with_cds

CYCLE = ["funds_released", "draft", "in_delivery", "agreed", None, "committee_approved", "submitted"]
RELEASED = ("funds_released", "in_delivery")
RAGS = ["green", "amber", "red", ""]


def populate(programme, pcns, baseline, reassessment) -> None:
    with_cds(pcns)
    place_index: dict[int, int] = {}
    chosen = []
    for pcn in pcns:
        k = place_index[pcn.place_id] = place_index.get(pcn.place_id, -1) + 1
        chosen.append((pcn, k, CYCLE[k % len(CYCLE)]))
    _assessments(pcns, [(p, k) for p, k, _ in chosen], baseline, reassessment)
    planned = [(p, k, s) for p, k, s in chosen if s]
    plans = SupportPlan.objects.bulk_create(SupportPlan(programme=programme, pcn=p) for p, _, _ in planned)
    versions = PlanVersion.objects.bulk_create(
        PlanVersion(plan=plan, number=1, state=s) for plan, (_, _, s) in zip(plans, planned, strict=True)
    )
    initiatives = Initiative.objects.bulk_create(
        Initiative(version=v, position=n, title=f"Initiative {n}", existing_funds_checked=True)
        for v in versions
        for n in range(2)
    )
    by_version: dict[int, list] = {}
    for i in initiatives:
        by_version.setdefault(i.version_id, []).append(i)
    year = programme.financial_year
    released = [v for v in versions if v.state in RELEASED]
    reviews = ProgressReview.objects.bulk_create(
        ProgressReview(plan=v.plan, version=v, due=datetime.date(year, month, 28), state=state)
        for v in released
        for month, state in ((10, "submitted"), (11, "submitted"), (12, "draft"))
    )
    InitiativeUpdate.objects.bulk_create(
        InitiativeUpdate(review=r, initiative=i, status="in_progress", rag=RAGS[(r.pk + n) % len(RAGS)])
        for r in reviews
        for n, i in enumerate(by_version[r.version_id])
    )
    _money(programme, [(p, s) for p, _, s in chosen])


def _assessments(pcns, indexed, baseline, reassessment) -> None:
    now = timezone.now()
    first = PCNAssessment.objects.bulk_create(
        PCNAssessment(
            round=baseline, pcn=p, status="submitted", improvement_priority="Access", submitted_at=now
        )
        for p, k in indexed
        if k % 3
    )
    again = PCNAssessment.objects.bulk_create(
        PCNAssessment(
            round=reassessment, pcn=p, status="submitted", improvement_priority="Access", submitted_at=now
        )
        for p, k in indexed
        if k % 3 == 1
    )
    elements = list(baseline.template.elements.all())
    ConsensusRating.objects.bulk_create(
        (
            ConsensusRating(assessment=a, element=e, current_stage=stage, target_stage=3)
            for assessments, stage in ((first, 0), (again, 2))
            for a in assessments
            for e in elements
        ),
        batch_size=2000,
    )


def _money(programme, chosen) -> None:
    day = datetime.date(programme.financial_year, 6, 1)
    entries = []
    for pcn, state in chosen:
        entries.append(LedgerEntry(programme=programme, pcn=pcn, kind="allocation", amount_pence=900_000))
        if state in RELEASED:
            entries += [
                LedgerEntry(programme=programme, pcn=pcn, kind=kind, amount_pence=amount)
                for kind, amount in (("commitment", 500_000), ("release", 400_000), ("spend", 100_000))
            ]
    for e in entries:
        e.entry_date = day
    LedgerEntry.objects.bulk_create(entries)
