"""The demo's support plans, replaying Kingston's 2019 story in Chalkhill (five PCNs, like Kingston):
initiatives from the committee paper, one plan paid to the federation under an MOU, one approved by the PCCC,
one agreed and waiting for the committee, one waiting for the place lead's sign-off. The demo CD's own PCN has
no plan yet: its self-assessment is still in progress."""

import datetime

from django.db import transaction
from django.utils import timezone

from pcndev.accounts.models import User
from pcndev.delivery.reviewing import ReviewData, UpdateData, save_review, submit_review
from pcndev.funding.ledger import post_many
from pcndev.funding.models import Programme, ProgrammePriority
from pcndev.maturity.models import PCNAssessment
from pcndev.orgs.models import PCN, Place
from pcndev.plans.budget import pcn_money
from pcndev.plans.models import (
    CommitteeApproval,
    CommitteeDecision,
    Initiative,
    OutputMeasure,
    PlanVersion,
    Release,
    SignOff,
    SupportPlan,
)

# (title, area code, domain, tag, support required, output measure, target, share of the budget %)
KINGSTON = (
    (
        "Clinical director leadership development",
        "leadership",
        "leadership",
        "internal",
        "Coaching and personal leadership development for each clinical director",
        "Coaching sessions completed",
        "6 per CD",
        20,
    ),
    (
        "PCN member leadership development",
        "leadership",
        "od",
        "internal",
        "An away day and sessions to agree a shared vision and the actions to get there",
        "Shared vision agreed by every practice",
        "By March 2020",
        15,
    ),
    (
        "Organisational governance",
        "leadership",
        "setup",
        "internal",
        "Terms of reference, Nolan principles and MOUs so the PCN decides openly and fairly",
        "Terms of reference signed",
        "All member practices",
        10,
    ),
    (
        "Population analytics",
        "data",
        "phm",
        "external",
        "Expertise to find and use the data products already available and interpret them",
        "Population health dashboard in use",
        "Monthly review",
        20,
    ),
    (
        "Interfacing and system connectivity",
        "integrating-care",
        "mdt",
        "external",
        "A plan to improve clinical system connectivity for network-wide services from April 2020",
        "Connectivity plan agreed",
        "1 plan",
        15,
    ),
    (
        "Patient feedback across the PCN",
        "people-communities",
        "social_prescribing",
        "external",
        "A patient feedback and PPG system across the PCN",
        "Patient participation group meetings",
        "4 a year",
        10,
    ),
)
STORY = {
    "U90002": "funds_released",
    "U90003": "committee_approved",
    "U90005": "agreed",
    "U90004": "submitted",
}
MEETING = datetime.date(2019, 12, 5)


def _version(programme, pcn, assessment, priorities) -> PlanVersion:
    plan = SupportPlan.objects.create(programme=programme, pcn=pcn)
    version = PlanVersion.objects.create(
        plan=plan, number=1, assessment=assessment, improvement_priority=assessment.improvement_priority
    )
    version.needs.set(assessment.needs.all())
    development, _, _ = pcn_money(programme, pcn)
    areas = {a.code: a for a in assessment.round.template.areas.all()}
    for n, (title, area, domain, tag, support, measure, target, share) in enumerate(KINGSTON):
        initiative = Initiative.objects.create(
            version=version,
            position=n,
            title=title,
            area=areas.get(area),
            domain=priorities[domain],
            tag=tag,
            support_required=support,
            provider_type=Initiative.Provider.FEDERATION if n % 2 else Initiative.Provider.NHS_FAMILY,
            cost_pence=development * share // 100 // 100 * 100,  # whole pounds, 90% of the money in all
            start_month=datetime.date(2019, 10, 1),
            end_month=datetime.date(2020, 3, 1),
            existing_funds_checked=True,
        )
        OutputMeasure.objects.create(
            initiative=initiative, description=measure, target=target, due=datetime.date(2020, 3, 31)
        )
    return version


@transaction.atomic
def build_plans() -> bool:
    programme = Programme.objects.filter(name="PCN development support", financial_year=2019).first()
    if programme is None or SupportPlan.objects.filter(programme=programme).exists():
        return False
    priorities = {p.code: p for p in ProgrammePriority.objects.filter(programme=programme)}
    place = Place.objects.get(code="RBD-CHALKHILL")
    lead = User.objects.get(email="place.lead@pcndev.example")
    now = timezone.now()
    approved = []
    for pcn in PCN.objects.filter(code__in=STORY).select_related("payee").order_by("code"):
        assessment = PCNAssessment.objects.filter(pcn=pcn, status=PCNAssessment.Status.SUBMITTED).first()
        if assessment is None:
            continue
        version = _version(programme, pcn, assessment, priorities)
        state = STORY[pcn.code]
        version.state, version.submitted_at = state, now
        version.save()
        agreed = state != "submitted"
        SignOff.objects.bulk_create(
            SignOff(
                version=version,
                party=p,
                decision="agree" if agreed else "",
                by=lead if agreed and p == "place" else None,
                at=now if agreed else None,
            )
            for p in ("cd", "place")
        )
        if state in ("committee_approved", "funds_released"):
            approved.append(version)
    if approved:
        _committee(programme, place, lead, approved)
    _reviews(programme, lead)
    return True


def _committee(programme, place, lead, versions) -> None:
    totals = {v.pk: sum(i.cost_pence for i in v.initiatives.all()) for v in versions}
    decision = CommitteeDecision.objects.create(
        programme=programme,
        place=place,
        committee="Primary Care Commissioning Committee",
        meeting_date=MEETING,
        minute_reference="PCCC/2019/12/7",
        approved_pence=sum(totals.values()),
        by=lead,
    )
    for v in versions:
        entries = post_many(
            programme,
            [
                dict(
                    pcn=v.plan.pcn,
                    kind="commitment",
                    amount_pence=totals[v.pk],
                    reference="PCCC 2019-12-05 PCCC/2019/12/7",
                    entry_date=MEETING,
                )
            ],
            lead,
        )
        approval = CommitteeApproval.objects.create(decision=decision, version=v, amount_pence=totals[v.pk])
        approval.ledger_entries.set(entries)
        if v.state == "funds_released":
            pcn = v.plan.pcn
            day = datetime.date(2020, 1, 15)
            entries = post_many(
                programme,
                [
                    dict(
                        pcn=pcn,
                        kind="release",
                        amount_pence=totals[v.pk],
                        reference="MOU-RBD-2019-002",
                        payee=pcn.payee.name,
                        entry_date=day,
                    )
                ],
                lead,
            )
            release = Release.objects.create(
                version=v,
                mou_reference="MOU-RBD-2019-002",
                payee=pcn.payee.name,
                amount_pence=totals[v.pk],
                release_date=day,
                by=lead,
            )
            release.ledger_entries.set(entries)


def _reviews(programme, lead) -> None:
    """U90002 is delivering: January and February reviewed (one initiative amber), March's review overdue."""
    plan = SupportPlan.objects.filter(programme=programme, pcn__code="U90002").first()
    if plan is None:
        return
    version = plan.versions.get()
    initiatives = list(version.initiatives.order_by("position"))
    for due, meeting, share in (
        (datetime.date(2020, 1, 31), datetime.date(2020, 1, 28), 20),
        (datetime.date(2020, 2, 29), datetime.date(2020, 2, 25), 45),
    ):
        data = ReviewData(
            meeting_date=meeting,
            cd_attended=True,
            place_lead_attended=True,
            actions="Share the MDT learning at the next place meeting",
            updates={
                i.pk: UpdateData(
                    "in_progress",
                    "amber" if n == 1 else "green",
                    "Backfill for the MDT lead is hard to find" if n == 1 else "",
                    i.cost_pence * share // 100,
                    "Notes of the PCN board",
                )
                for n, i in enumerate(initiatives)
            },
        )
        saved = save_review(plan, due, 0, lead, data)
        submit_review(plan, due, saved.lock_version, lead)
