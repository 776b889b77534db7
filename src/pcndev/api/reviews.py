"""Progress reviews in the API: the schedule, a PCN's reviews, one review, saving a draft and submitting it.

The same services as the pages (delivery/reviewing.py), so the same rules, reasons and ledger postings apply.
"""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from pcndev.api.plans.schemas import PlanProblem, _problems, _refused
from pcndev.delivery import rag, reviewing
from pcndev.delivery.review_lookup import due_or_404, plan_or_404
from pcndev.delivery.review_models import ProgressReview
from pcndev.funding.models import Programme
from pcndev.plans.editing import NotAllowed, PlanProblems

router = Router(tags=["reviews"])


class ScheduleOut(Schema):
    first_due: datetime.date
    last_due: datetime.date
    every_months: int
    due_dates: list[datetime.date]


class ScheduleIn(Schema):
    first_due: datetime.date
    last_due: datetime.date
    every_months: int = Field(1, ge=1, le=6)


class ActualIO(Schema):
    measure_id: int
    description: str = ""
    target: str = ""
    actual: str = Field("", max_length=200)
    achieved: str = Field("", description="'', yes, partly or no")


class UpdateIO(Schema):
    initiative_id: int
    title: str = ""
    cost_pence: int = 0
    status: str = Field("not_started", description=", ".join(rag.STATUSES))
    rag: str = Field("", description="'', green, amber or red")
    rag_reason: str = Field("", max_length=5000)
    spend_to_date_pence: int = Field(0, ge=0, description="Cumulative spend so far, in pence")
    evidence: str = Field("", max_length=5000)
    previous_rag: str = ""
    previous_spend_pence: int = 0
    actuals: list[ActualIO] = []


class ReviewOut(Schema):
    pcn: str
    due: datetime.date
    state: str
    saved: bool
    version: int | None
    lock_version: int
    meeting_date: datetime.date | None
    cd_attended: bool
    place_lead_attended: bool
    other_attendees: str
    additional_support: str
    support_area_ids: list[int]
    actions: str
    revision_version: int | None
    can_record: bool
    reason: str
    updates: list[UpdateIO]


class ReviewIn(Schema):
    lock_version: int = Field(..., description="From the last read; 0 for a review not saved yet")
    meeting_date: datetime.date | None = None
    cd_attended: bool = False
    place_lead_attended: bool = False
    other_attendees: str = Field("", max_length=5000)
    additional_support: str = Field("", max_length=5000)
    support_area_ids: list[int] = []
    actions: str = Field("", max_length=5000)
    updates: list[UpdateIO] = []


class SubmitIn(Schema):
    lock_version: int


class ReviewRowOut(Schema):
    due: datetime.date
    state: str  # not_started, draft or submitted
    revision_version: int | None


def _schedule_out(programme) -> dict:
    s = reviewing.schedule_for(programme)
    return {
        "first_due": s.first_due,
        "last_due": s.last_due,
        "every_months": s.every_months,
        "due_dates": reviewing.due_dates_for(programme),
    }


@router.get(
    "/programmes/{pk}/reviews/schedule", response=ScheduleOut, operation_id="pcndev_api_reviews_schedule"
)
def schedule(request, pk: int):
    return _schedule_out(get_object_or_404(Programme, pk=pk))


@router.put(
    "/programmes/{pk}/reviews/schedule",
    response={200: ScheduleOut, 400: PlanProblem, 403: PlanProblem},
    operation_id="pcndev_api_reviews_set_schedule",
)
def set_schedule(request, pk: int, body: ScheduleIn):
    """Change the review dates (national administrators)."""
    programme = get_object_or_404(Programme, pk=pk)
    try:
        reviewing.set_schedule(programme, request.user, body.first_due, body.last_due, body.every_months)
    except NotAllowed as exc:
        return _refused(exc.reason)
    except PlanProblems as exc:
        return _problems(exc)
    return _schedule_out(programme)


@router.get(
    "/programmes/{pk}/reviews/{code}", response=list[ReviewRowOut], operation_id="pcndev_api_reviews_list"
)
def pcn_reviews(request, pk: int, code: str):
    """The PCN's review dates, each with its state."""
    plan = plan_or_404(request.user, pk, code)
    saved = {r.due: r for r in plan.reviews.select_related("revision")}
    return [
        {
            "due": d,
            "state": saved[d].state if d in saved else "not_started",
            "revision_version": saved[d].revision.number if d in saved and saved[d].revision else None,
        }
        for d in reviewing.due_dates_for(plan.programme)
    ]


def update_figures(update, was: tuple[str, int]) -> dict:
    """What a review holds for one item (an initiative or a CD plan item): its saved update or, before one is
    saved, not started with the spend carried from the last review; and that last review's RAG and spend."""
    return {
        "status": update.status if update else "not_started",
        "rag": update.rag if update else "",
        "rag_reason": update.rag_reason if update else "",
        "spend_to_date_pence": update.spend_to_date_pence if update else was[1],
        "evidence": update.evidence if update else "",
        "previous_rag": was[0],
        "previous_spend_pence": was[1],
    }


def _review_out(request, plan, due) -> dict:
    review = reviewing.review_for(plan, due)
    version = review.version if review.version_id else None  # no version in force yet: nothing to review
    decision = reviewing.can_review(request.user, plan, version)
    initiatives = (
        list(version.initiatives.prefetch_related("measures").order_by("position", "pk")) if version else []
    )
    previous = reviewing.previous_figures(review, [i.pk for i in initiatives]) if version else {}
    saved = {u.initiative_id: u for u in review.updates.prefetch_related("actuals")} if review.pk else {}
    updates = []
    for i in initiatives:
        u = saved.get(i.pk)
        actuals = {a.measure_id: a for a in u.actuals.all()} if u else {}
        was = previous.get(i.pk, ("", 0))
        updates.append(
            {
                "initiative_id": i.pk,
                "title": i.title,
                "cost_pence": i.cost_pence,
                **update_figures(u, was),
                "actuals": [
                    {
                        "measure_id": m.pk,
                        "description": m.description,
                        "target": m.target,
                        "actual": actuals[m.pk].actual if m.pk in actuals else "",
                        "achieved": actuals[m.pk].achieved if m.pk in actuals else "",
                    }
                    for m in i.measures.all()
                ],
            }
        )
    return {
        "pcn": plan.pcn.code,
        "due": due,
        "state": review.state,
        "saved": review.pk is not None,
        "version": version.number if version else None,
        "lock_version": review.lock_version,
        "meeting_date": review.meeting_date,
        "cd_attended": review.cd_attended,
        "place_lead_attended": review.place_lead_attended,
        "other_attendees": review.other_attendees,
        "additional_support": review.additional_support,
        "support_area_ids": list(review.support_areas.values_list("pk", flat=True)) if review.pk else [],
        "actions": review.actions,
        "revision_version": review.revision.number if review.revision_id else None,
        "can_record": bool(decision) and not review.submitted,
        "reason": decision.reason,
        "updates": updates,
    }


@router.get(
    "/programmes/{pk}/reviews/{code}/{due}", response=ReviewOut, operation_id="pcndev_api_reviews_get"
)
def get_review(request, pk: int, code: str, due: datetime.date):
    """One review: the meeting record and an update per initiative, with the last review's figures."""
    plan = plan_or_404(request.user, pk, code)
    return _review_out(request, plan, due_or_404(plan, due))


def _data(body: ReviewIn) -> reviewing.ReviewData:
    return reviewing.ReviewData(
        meeting_date=body.meeting_date,
        cd_attended=body.cd_attended,
        place_lead_attended=body.place_lead_attended,
        other_attendees=body.other_attendees,
        additional_support=body.additional_support,
        support_area_ids=body.support_area_ids,
        actions=body.actions,
        updates={
            u.initiative_id: reviewing.UpdateData(
                u.status,
                u.rag,
                u.rag_reason,
                u.spend_to_date_pence,
                u.evidence,
                {a.measure_id: (a.actual, a.achieved) for a in u.actuals},
            )
            for u in body.updates
        },
    )


def _run(request, plan, due, action):
    try:
        action()
    except NotAllowed as exc:
        return _refused(exc.reason)
    except reviewing.StaleReview as exc:
        return Status(409, {"detail": exc.message})
    except PlanProblems as exc:
        return _problems(exc)
    return _review_out(request, plan, due)


@router.put(
    "/programmes/{pk}/reviews/{code}/{due}",
    response={200: ReviewOut, 400: PlanProblem, 403: PlanProblem, 409: PlanProblem},
    operation_id="pcndev_api_reviews_save",
)
def save(request, pk: int, code: str, due: datetime.date, body: ReviewIn):
    """Save a draft (the PCN's clinical directors or the place lead)."""
    plan = plan_or_404(request.user, pk, code)
    due = due_or_404(plan, due)
    return _run(
        request,
        plan,
        due,
        lambda: reviewing.save_review(plan, due, body.lock_version, request.user, _data(body)),
    )


@router.post(
    "/programmes/{pk}/reviews/{code}/{due}/submit",
    response={200: ReviewOut, 400: PlanProblem, 403: PlanProblem, 409: PlanProblem},
    operation_id="pcndev_api_reviews_submit",
)
def submit(request, pk: int, code: str, due: datetime.date, body: SubmitIn):
    """Submit: checks every update, posts increases in spend to the ledger, opens a revision for more support."""
    plan = plan_or_404(request.user, pk, code)
    due = due_or_404(plan, due)
    if not ProgressReview.objects.filter(plan=plan, due=due).exists():
        return _problems(PlanProblems([("due", "Save the review before submitting it")]))
    return _run(
        request, plan, due, lambda: reviewing.submit_review(plan, due, body.lock_version, request.user)
    )
