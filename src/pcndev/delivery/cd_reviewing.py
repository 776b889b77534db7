"""Reviews of CD development plans: the same schedule, RAG rules and meeting record as plan reviews.

Submitting a review that identifies additional support reopens the CD plan as a revision (status back to draft,
revision number up), keeping a copy of the agreed items on the review so the difference can be shown. CD
development spend is recorded on the review against the CD slice; it is not a ledger release, so it is not
posted to the ledger.
"""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pcndev.accounts.models import Role
from pcndev.accounts.permissions import ALLOW, NOT_SIGNED_IN, Decision
from pcndev.accounts.scope import scope_for
from pcndev.audit.services import record
from pcndev.delivery import rag
from pcndev.delivery.review_models import CDItemUpdate, CDPlanReview
from pcndev.delivery.reviewing import TEXT_LIMIT, StaleReview, UpdateData, due_dates_for, submission_problems
from pcndev.plans.editing import NotAllowed, PlanProblems
from pcndev.plans.models import CDDevelopmentPlan


def can_review_cd_plan(user, plan: CDDevelopmentPlan) -> Decision:
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if plan.status != CDDevelopmentPlan.Status.AGREED:
        return Decision(False, "A CD development plan is reviewed once it is agreed.")
    place_id = plan.place_id or plan.director.pcn.place_id
    if plan.director_id and plan.director.user_id == user.pk:
        return ALLOW
    if place_id in scope_for(user, [Role.PLACE_LEAD]).place_ids:
        return ALLOW
    who = plan.director.name if plan.director_id else "the place lead"
    return Decision(False, f"Only {who} or the place lead can record this review.")


def cd_review_for(plan, due: datetime.date) -> CDPlanReview:
    return CDPlanReview.objects.filter(cd_plan=plan, due=due).first() or CDPlanReview(cd_plan=plan, due=due)


def previous_cd_figures(review) -> dict[int, tuple[str, int]]:
    """(RAG, spend to date) per item from the submitted reviews before this one."""
    out: dict[int, tuple] = {}
    for item_id, due, r, spend in CDItemUpdate.objects.filter(
        review__cd_plan_id=review.cd_plan_id, review__state="submitted", review__due__lt=review.due
    ).values_list("item_id", "review__due", "rag", "spend_to_date_pence"):
        if item_id not in out or due > out[item_id][0]:
            out[item_id] = (due, r, spend)
    return {k: (v[1], v[2]) for k, v in out.items()}


def _claim(plan, due, lock_version, user) -> CDPlanReview:
    review = CDPlanReview.objects.select_for_update(of=("self",)).filter(cd_plan=plan, due=due).first()
    if review is None:
        if not (decision := can_review_cd_plan(user, plan)):
            raise NotAllowed(decision)
        if lock_version != 0:
            raise StaleReview(cd_review_for(plan, due))
        if due not in due_dates_for(plan.programme):
            raise PlanProblems([("due", "No review is scheduled on that date")])
        return CDPlanReview.objects.create(cd_plan=plan, due=due, updated_by=user, lock_version=1)
    if review.submitted:
        raise NotAllowed(Decision(False, "This review has been submitted, so it cannot change."))
    if not (decision := can_review_cd_plan(user, plan)):
        raise NotAllowed(decision)
    if review.lock_version != lock_version:
        raise StaleReview(review)
    CDPlanReview.objects.filter(pk=review.pk).update(lock_version=F("lock_version") + 1)
    review.lock_version += 1
    return review


@transaction.atomic
def save_cd_review(plan, due, lock_version: int, user, meeting: dict, updates: dict[int, UpdateData]):
    """meeting: meeting_date, cd_attended, place_lead_attended, progress, additional_support, actions."""
    plan = (
        CDDevelopmentPlan.objects.select_for_update(of=("self",))
        .select_related("director__pcn")
        .get(pk=plan.pk)
    )
    review = _claim(plan, due, lock_version, user)
    items = {i.pk: i for i in plan.items.all()}
    problems = []
    if meeting.get("meeting_date") and meeting["meeting_date"] > timezone.localdate():
        problems.append(("meeting_date", "The meeting date cannot be in the future"))
    for name in ("progress", "additional_support", "actions"):
        if len(meeting.get(name, "")) > TEXT_LIMIT:
            problems.append((name, f"Keep this to {TEXT_LIMIT:,} characters or fewer"))
    for item_id, u in updates.items():
        if item_id not in items:
            problems.append(("updates", "An update names an item that is not in this plan"))
        elif u.status not in rag.STATUSES or u.rag not in ("", *rag.RAGS):
            problems.append((f"c-{item_id}-status", f"{items[item_id].description}: select a status and RAG"))
    if problems:
        raise PlanProblems(problems)
    for name in ("meeting_date", "cd_attended", "place_lead_attended"):
        setattr(review, name, meeting.get(name))
    for name in ("progress", "additional_support", "actions"):
        setattr(review, name, meeting.get(name, "").strip())
    review.updated_by = user
    review.save()
    for item_id, u in updates.items():
        CDItemUpdate.objects.update_or_create(
            review=review,
            item_id=item_id,
            defaults={
                "status": u.status,
                "rag": u.rag,
                "rag_reason": u.rag_reason.strip(),
                "spend_to_date_pence": u.spend_to_date_pence,
                "evidence": u.evidence.strip(),
            },
        )
    record(user, "cd_review.saved", review, None, {"due": str(due), "updates": len(updates)})
    return review


@transaction.atomic
def submit_cd_review(plan, due, lock_version: int, user) -> CDPlanReview:
    plan = (
        CDDevelopmentPlan.objects.select_for_update(of=("self",))
        .select_related("director__pcn")
        .get(pk=plan.pk)
    )
    review = _claim(plan, due, lock_version, user)
    items = {i.pk: i for i in plan.items.all()}
    updates = {u.item_id: u for u in review.updates.all()}
    previous = previous_cd_figures(review)
    things = {pk: (f"c-{pk}", i.description, i.cost_pence) for pk, i in items.items()}
    problems = submission_problems(review, things, updates, previous)
    if problems:
        raise PlanProblems(problems)
    review.state, review.submitted_at, review.submitted_by = "submitted", timezone.now(), user
    if review.additional_support.strip():
        review.agreed_items = [
            {"kind": i.get_kind_display(), "description": i.description, "cost_pence": i.cost_pence}
            for i in items.values()
        ]
        review.opened_revision = True
        plan.status = CDDevelopmentPlan.Status.DRAFT
        plan.revision += 1
        plan.save(update_fields=["status", "revision", "updated_at"])
        record(
            user,
            "cd_plan.revision_started",
            plan,
            {"status": "agreed"},
            {"status": "draft", "revision": plan.revision},
        )
    review.save()
    record(
        user,
        "cd_review.submitted",
        review,
        {"state": "draft"},
        {
            "state": "submitted",
            "rag": {items[i].description: u.rag for i, u in updates.items()},
            "revision": review.opened_revision,
        },
    )
    return review
