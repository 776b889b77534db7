"""Reviews of CD development plans in the API: a plan's review dates, one review, saving a draft and submitting it.

The same services as the pages (delivery/cd_reviewing.py), so the same rules and reasons apply; the shapes follow
the progress-review API (reviews.py). Included in the cd-plans router (cd_plans.py).
"""

import datetime

from ninja import Field, Router, Schema
from ninja.responses import Status

from pcndev.api.plans.schemas import MAX_PENCE, PlanProblem, _problems, _refused
from pcndev.api.reviews import update_figures
from pcndev.delivery import cd_reviewing, rag, reviewing
from pcndev.delivery.review_lookup import cd_plan_or_404, due_or_404
from pcndev.delivery.review_models import CDPlanReview
from pcndev.plans.editing import NotAllowed, PlanProblems

router = Router(tags=["cd-plans"])


class CDUpdateIO(Schema):
    item_id: int
    description: str = ""
    cost_pence: int = 0
    status: str = Field("not_started", description=", ".join(rag.STATUSES))
    rag: str = Field("", description="'', green, amber or red")
    rag_reason: str = Field("", max_length=5000)
    spend_to_date_pence: int = Field(0, ge=0, le=MAX_PENCE, description="Cumulative spend so far, in pence")
    evidence: str = Field("", max_length=5000)
    previous_rag: str = ""
    previous_spend_pence: int = 0


class CDReviewOut(Schema):
    plan: int
    due: datetime.date
    state: str
    saved: bool
    lock_version: int
    meeting_date: datetime.date | None
    cd_attended: bool
    place_lead_attended: bool
    progress: str
    additional_support: str
    actions: str
    opened_revision: bool
    can_record: bool
    reason: str
    updates: list[CDUpdateIO]


class CDReviewIn(Schema):
    lock_version: int = Field(..., description="From the last read; 0 for a review not saved yet")
    meeting_date: datetime.date | None = None
    cd_attended: bool = False
    place_lead_attended: bool = False
    progress: str = Field("", max_length=5000)
    additional_support: str = Field("", max_length=5000)
    actions: str = Field("", max_length=5000)
    updates: list[CDUpdateIO] = []


class CDSubmitIn(Schema):
    lock_version: int


class CDReviewRowOut(Schema):
    due: datetime.date
    state: str = Field(description="not_started, draft or submitted")
    opened_revision: bool


class CDReviewsOut(Schema):
    plan: int
    status: str = Field(description="The plan's status: draft or agreed (reviewed once agreed)")
    can_record: bool
    reason: str
    reviews: list[CDReviewRowOut]


@router.get(
    "/programmes/{pk}/cd-plans/{plan_id}/reviews",
    response=CDReviewsOut,
    operation_id="pcndev_api_cd_plans_reviews",
)
def cd_reviews(request, pk: int, plan_id: int):
    """The CD plan's review dates (the programme's schedule), each with its state."""
    plan = cd_plan_or_404(request.user, pk, plan_id)
    saved = {r.due: r for r in plan.reviews.all()}
    decision = cd_reviewing.can_review_cd_plan(request.user, plan)
    return {
        "plan": plan.pk,
        "status": plan.status,
        "can_record": bool(decision),
        "reason": decision.reason,
        "reviews": [
            {
                "due": d,
                "state": saved[d].state if d in saved else "not_started",
                "opened_revision": saved[d].opened_revision if d in saved else False,
            }
            for d in reviewing.due_dates_for(plan.programme)
        ],
    }


def _review_out(request, plan, due) -> dict:
    review = cd_reviewing.cd_review_for(plan, due)
    decision = cd_reviewing.can_review_cd_plan(request.user, plan)
    previous = cd_reviewing.previous_cd_figures(review)
    saved = {u.item_id: u for u in review.updates.all()} if review.pk else {}
    updates = []
    for i in plan.items.all():
        u = saved.get(i.pk)
        was = previous.get(i.pk, ("", 0))
        updates.append(
            {
                "item_id": i.pk,
                "description": i.description,
                "cost_pence": i.cost_pence,
                **update_figures(u, was),
            }
        )
    return {
        "plan": plan.pk,
        "due": due,
        "state": review.state,
        "saved": review.pk is not None,
        "lock_version": review.lock_version,
        "meeting_date": review.meeting_date,
        "cd_attended": review.cd_attended,
        "place_lead_attended": review.place_lead_attended,
        "progress": review.progress,
        "additional_support": review.additional_support,
        "actions": review.actions,
        "opened_revision": review.opened_revision,
        "can_record": bool(decision) and not review.submitted,
        "reason": decision.reason,
        "updates": updates,
    }


@router.get(
    "/programmes/{pk}/cd-plans/{plan_id}/reviews/{due}",
    response=CDReviewOut,
    operation_id="pcndev_api_cd_plans_get_review",
)
def get_cd_review(request, pk: int, plan_id: int, due: datetime.date):
    """One review: the meeting record and an update per item, with the last submitted review's figures."""
    plan = cd_plan_or_404(request.user, pk, plan_id)
    return _review_out(request, plan, due_or_404(plan, due))


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


WRITE = {200: CDReviewOut, 400: PlanProblem, 403: PlanProblem, 409: PlanProblem}


@router.put(
    "/programmes/{pk}/cd-plans/{plan_id}/reviews/{due}",
    response=WRITE,
    operation_id="pcndev_api_cd_plans_save_review",
)
def save_cd_review(request, pk: int, plan_id: int, due: datetime.date, body: CDReviewIn):
    """Save a draft (the plan's clinical director or the place lead), once the plan is agreed."""
    plan = cd_plan_or_404(request.user, pk, plan_id)
    due = due_or_404(plan, due)
    meeting = {
        "meeting_date": body.meeting_date,
        "cd_attended": body.cd_attended,
        "place_lead_attended": body.place_lead_attended,
        "progress": body.progress,
        "additional_support": body.additional_support,
        "actions": body.actions,
    }
    updates = {
        u.item_id: reviewing.UpdateData(u.status, u.rag, u.rag_reason, u.spend_to_date_pence, u.evidence)
        for u in body.updates
    }
    return _run(
        request,
        plan,
        due,
        lambda: cd_reviewing.save_cd_review(plan, due, body.lock_version, request.user, meeting, updates),
    )


@router.post(
    "/programmes/{pk}/cd-plans/{plan_id}/reviews/{due}/submit",
    response=WRITE,
    operation_id="pcndev_api_cd_plans_submit_review",
)
def submit_cd_review(request, pk: int, plan_id: int, due: datetime.date, body: CDSubmitIn):
    """Submit: checks every update; a review that identifies additional support reopens the plan for revision."""
    plan = cd_plan_or_404(request.user, pk, plan_id)
    due = due_or_404(plan, due)
    if not (decision := cd_reviewing.can_review_cd_plan(request.user, plan)):
        return _refused(decision.reason)  # (before saying there is nothing to submit)
    if not CDPlanReview.objects.filter(cd_plan=plan, due=due).exists():
        return _problems(PlanProblems([("due", "Save the review before submitting it")]))
    return _run(
        request,
        plan,
        due,
        lambda: cd_reviewing.submit_cd_review(plan, due, body.lock_version, request.user),
    )
