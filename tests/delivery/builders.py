"""Builders for delivery tests: a programme with its timetable, PCNs with CDs, and plans at a given state."""

from pcndev.maturity.models import PCNAssessment
from pcndev.orgs.models import ClinicalDirector
from pcndev.plans.models import Initiative, PlanVersion, SupportPlan
from tests.funding.builders import make_programme
from tests.maturity.builders import make_round


def with_cds(pcns) -> None:
    ClinicalDirector.objects.bulk_create(ClinicalDirector(pcn=p, name=f"Dr {p.code}") for p in pcns)


def assessment(rnd, pcn, submitted=True, priority="Frail older people") -> PCNAssessment:
    return PCNAssessment.objects.create(
        round=rnd,
        pcn=pcn,
        status=PCNAssessment.Status.SUBMITTED if submitted else PCNAssessment.Status.IN_PROGRESS,
        improvement_priority=priority,
    )


def plan_at(programme, pcn, *states, initiatives=(("programme", True),)) -> PlanVersion:
    """Versions 1, 2, … in the given states (the last is current), with initiatives on the last."""
    plan, _ = SupportPlan.objects.get_or_create(programme=programme, pcn=pcn)
    version = None
    for number, state in enumerate(states, start=1):
        version = PlanVersion.objects.create(plan=plan, number=number, state=state, revises=version)
    Initiative.objects.bulk_create(
        Initiative(
            version=version, title=f"Initiative {i}", funding_source=source, existing_funds_checked=checked
        )
        for i, (source, checked) in enumerate(initiatives)
    )
    return version


def programme_and_round(year: int = 2019):
    programme = make_programme(year=year)
    return programme, make_round(programme=programme)
