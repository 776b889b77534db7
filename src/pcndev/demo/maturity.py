"""The demo's self-assessment: the shipped matrix, a round open now, most PCNs submitted, and the demo CD's PCN
part-way through (some practices have rated, with a divergence to resolve; the demo practice has not rated)."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from pcndev.maturity.assessing import write_needs
from pcndev.maturity.models import AssessmentRound, ConsensusRating, PCNAssessment, Rating, Response
from pcndev.maturity.templates import default_template
from pcndev.orgs.models import PCN, Practice

ROUND_NAME = "September self-assessment 2019/20"
DEMO_PCN = "U90001"
SUPPORT = (
    "Facilitated away day for the member practices",
    "Coaching for the clinical director",
    "Analyst time to build a population health dashboard",
    "Project manager to set up the MDT",
    "Backfill so clinicians can attend development sessions",
)


def _rating(rng: random.Random, stages: int) -> tuple[int, int, str, str, int]:
    current = rng.choices(range(stages), weights=[4, 4, 2, 1][:stages])[0]
    target = min(stages - 1, current + rng.choice((0, 1, 1, 2)))
    priority = rng.choice(("high", "medium", "low")) if target > current else ""
    support = rng.choice(SUPPORT) if target > current else ""
    return current, target, priority, support, (rng.randint(1, 12) * 500_00 if target > current else 0)


@transaction.atomic
def build_maturity() -> bool:
    if AssessmentRound.objects.filter(name=ROUND_NAME).exists():
        return False
    rng = random.Random(920)
    template = default_template()
    elements = list(template.elements.select_related("area"))
    stages = template.stages.count()
    today = timezone.localdate()
    # The demo keeps the round open now (the real one ran in September 2019) so every role can try it.
    rnd = AssessmentRound.objects.create(
        name=ROUND_NAME,
        template=template,
        financial_year=2019,
        opens_on=today - datetime.timedelta(days=14),
        closes_on=today + datetime.timedelta(days=30),
    )
    now = timezone.now()
    for pcn in PCN.objects.order_by("code"):
        assessment = PCNAssessment.objects.create(round=rnd, pcn=pcn)
        if pcn.code == DEMO_PCN:
            _practice_ratings(rng, assessment, elements, stages)
            continue
        if rng.random() < 0.15:
            continue  # still in progress
        rows = []
        for e in elements:
            current, target, priority, support, cost = _rating(rng, stages)
            rows.append(
                ConsensusRating(
                    assessment=assessment,
                    element=e,
                    current_stage=current,
                    target_stage=target,
                    priority=priority,
                    support_needed=support,
                    cost_pence=cost,
                )
            )
        ConsensusRating.objects.bulk_create(rows)
        assessment.improvement_priority = rng.choice(
            (
                "Frail older people at home",
                "Childhood asthma",
                "Diabetes prevention",
                "Mental health in young people",
            )
        )
        assessment.status, assessment.submitted_at = PCNAssessment.Status.SUBMITTED, now
        assessment.save()
        write_needs(assessment, {e.id: e for e in elements})
    return True


def _practice_ratings(rng, assessment, elements, stages) -> None:
    practices = list(
        Practice.objects.filter(memberships__pcn=assessment.pcn, memberships__valid_to__isnull=True).order_by(
            "code"
        )
    )
    for n, practice in enumerate(
        practices[1:], start=1
    ):  # the first is the demo practice user's: left to rate
        response = Response.objects.create(
            assessment=assessment,
            practice=practice,
            status=Response.Status.SUBMITTED if n % 2 else Response.Status.DRAFT,
            submitted_at=timezone.now() if n % 2 else None,
        )
        rows = []
        for i, e in enumerate(elements):
            current, target, priority, support, cost = _rating(rng, stages)
            if i == 0:  # practices see the shared vision very differently: the CD has a divergence to resolve
                current, target = (0, 1) if n % 2 else (min(3, stages - 1), min(3, stages - 1))
                priority = "high" if target > current else ""
            rows.append(
                Rating(
                    response=response,
                    element=e,
                    current_stage=current,
                    target_stage=target,
                    priority=priority,
                    support_needed=support,
                    cost_pence=cost,
                )
            )
        Rating.objects.bulk_create(rows)
