"""Builders for self-assessment tests: the shipped template, an open round, ratings and submitted consensus."""

import datetime

from django.utils import timezone

from pcndev.maturity.assessing import write_needs
from pcndev.maturity.models import AssessmentRound, ConsensusRating, PCNAssessment, Rating, Response
from pcndev.maturity.templates import default_template

TODAY = datetime.date(2019, 9, 10)  # pass as `day=` to services; the round below is open on it


def make_round(name: str = "September 2019", template=None, **scope) -> AssessmentRound:
    """A round open 1–30 September 2019 (scope: system=… or place=…, or none for England)."""
    return AssessmentRound.objects.create(
        name=name,
        template=template or default_template(),
        financial_year=2019,
        opens_on=datetime.date(2019, 9, 1),
        closes_on=datetime.date(2019, 9, 30),
        **scope,
    )


def open_round_now(rnd: AssessmentRound) -> AssessmentRound:
    """Move the round's window around today (for views, which use the real date)."""
    today = timezone.localdate()
    AssessmentRound.objects.filter(pk=rnd.pk).update(
        opens_on=today - datetime.timedelta(days=5), closes_on=today + datetime.timedelta(days=5)
    )
    rnd.refresh_from_db()
    return rnd


def elements_of(rnd: AssessmentRound) -> list:
    return list(rnd.template.elements.select_related("area").order_by("area__position", "position"))


def practice_response(assessment, practice, stages=(0, 1), submitted=False, user=None) -> Response:
    """A practice's ratings of every element at (current, target) = stages."""
    response = Response.objects.create(
        assessment=assessment,
        practice=practice,
        respondent=user,
        status=Response.Status.SUBMITTED if submitted else Response.Status.DRAFT,
    )
    current, target = stages
    Rating.objects.bulk_create(
        Rating(
            response=response,
            element=e,
            current_stage=current,
            target_stage=target,
            priority="high" if target > current else "",
            cost_pence=1000_00,
        )
        for e in elements_of(assessment.round)
    )
    return response


def submitted_assessment(
    rnd: AssessmentRound, pcn, stages=(1, 2), priority="Frail older people"
) -> PCNAssessment:
    """A PCN's consensus of every element at (current, target) = stages, submitted, with its needs."""
    assessment, _ = PCNAssessment.objects.get_or_create(round=rnd, pcn=pcn)
    elements = elements_of(rnd)
    current, target = stages
    ConsensusRating.objects.bulk_create(
        ConsensusRating(
            assessment=assessment,
            element=e,
            current_stage=current,
            target_stage=target,
            priority="medium" if target > current else "",
            cost_pence=500_00,
        )
        for e in elements
    )
    assessment.status = PCNAssessment.Status.SUBMITTED
    assessment.improvement_priority = priority
    assessment.submitted_at = timezone.now()
    assessment.save()
    write_needs(assessment, {e.id: e for e in elements})
    return assessment
