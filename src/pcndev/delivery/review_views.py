"""Progress review pages: a PCN's reviews (schedule and status), one review's form or record, and the schedule."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Min
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from pcndev.config.views import forbidden
from pcndev.delivery import rag, review_forms, reviewing
from pcndev.delivery.overdue import SOON_DAYS
from pcndev.delivery.review_lookup import due_or_404, plan_or_404
from pcndev.delivery.review_models import ProgressReview
from pcndev.forms import date_from_parts
from pcndev.funding.models import Programme
from pcndev.plans.editing import NotAllowed, PlanProblems
from pcndev.plans.models import Release

MULTI = ("support_areas", "attended")
ANCHORS = {
    "meeting_date": "meeting_date-day",
    "first_due": "first_due-month",
    "last_due": "last_due-month",
    "spend": "maincontent",
    "updates": "maincontent",
    "due": "maincontent",
}


def error_list(problems) -> list[dict]:
    return [{"text": m, "href": "#" + ANCHORS.get(f, f)} for f, m in problems]


def _status(review, due: datetime.date, today: datetime.date, released_on=None) -> tuple[str, str]:
    if review and review.submitted:
        return "Submitted", "nhsuk-tag--green"
    if not review and released_on and due < released_on:
        return "Not due (before funds were released)", "nhsuk-tag--grey"
    if today > due:
        return "Overdue", "nhsuk-tag--red"
    if (due - today).days <= SOON_DAYS:
        return "Due soon", "nhsuk-tag--orange"
    return ("Draft saved", "nhsuk-tag--blue") if review else ("Not started", "nhsuk-tag--grey")


@login_required
def pcn_reviews(request, pk: int, code: str):
    plan = plan_or_404(request.user, pk, code)
    today = timezone.localdate()
    saved = {r.due: r for r in plan.reviews.select_related("revision")}
    released_on = Release.objects.filter(version__plan=plan).aggregate(first=Min("release_date"))["first"]
    rows = [
        (due, saved.get(due), *_status(saved.get(due), due, today, released_on))
        for due in reviewing.due_dates_for(plan.programme)
    ]
    version = reviewing.version_in_force(plan)
    return render(
        request,
        "delivery/reviews.jinja",
        {
            "plan": plan,
            "pcn": plan.pcn,
            "programme": plan.programme,
            "rows": rows,
            "version": version,
            "can_review": reviewing.can_review(request.user, plan, version),
            "nav": "delivery",
        },
    )


@login_required
def review(request, pk: int, code: str, due: str):
    plan = plan_or_404(request.user, pk, code)
    day = due_or_404(plan, due)
    current = reviewing.review_for(plan, day)
    if current.version_id is None:
        return forbidden(request, "Progress is reviewed once the plan's funds are released.")
    decision = reviewing.can_review(request.user, plan, current.version)
    initiatives = list(current.version.initiatives.prefetch_related("measures").order_by("position", "pk"))
    problems, conflict = [], ""
    values = review_forms.initial(current, initiatives)
    if request.method == "POST":
        if not decision:
            return forbidden(request, decision.reason)
        values = {k: request.POST.getlist(k) if k in MULTI else v for k, v in request.POST.items()}
        data, problems = review_forms.parse(request.POST, initiatives)
        lock = _int(request.POST.get("lock_version"))
        if not problems:
            try:
                saved = reviewing.save_review(plan, day, lock, request.user, data)
                if request.POST.get("action") == "submit":
                    saved = reviewing.submit_review(plan, day, saved.lock_version, request.user)
                    messages.success(request, _submitted_message(saved))
                else:
                    messages.success(request, "Your review has been saved as a draft.")
                return redirect("delivery:review", plan.programme_id, plan.pcn.code, day.isoformat())
            except reviewing.StaleReview as exc:
                conflict = exc.message
            except PlanProblems as exc:
                problems = exc.problems
            except NotAllowed as exc:
                return forbidden(request, exc.reason)
            current = reviewing.review_for(plan, day)  # the saved draft, with its new lock
    previous = reviewing.previous_figures(current, [i.pk for i in initiatives]) if current.version else {}
    updates = {u.initiative_id: u for u in current.updates.prefetch_related("actuals")} if current.pk else {}
    template = current.version.assessment.round.template if current.version.assessment_id else None
    return render(
        request,
        "delivery/review.jinja",
        {
            "plan": plan,
            "pcn": plan.pcn,
            "programme": plan.programme,
            "review": current,
            "due": day,
            "initiatives": initiatives,
            "values": values,
            "updates": updates,
            "previous": previous,
            "trend": {iid: rag.trend(previous.get(iid, ("", 0))[0], u.rag) for iid, u in updates.items()},
            "problems": error_list(problems),
            "errors": dict(reversed(problems)),
            "conflict": conflict,
            "decision": decision,
            "editable": bool(decision) and not current.submitted,
            "areas": list(template.areas.order_by("position")) if template else [],
            "statuses": rag.STATUSES,
            "rags": rag.RAGS,
            "achieved": rag.ACHIEVED,
            "nav": "delivery",
        },
        status=400 if problems and request.method == "POST" else 200,
    )


def _submitted_message(review: ProgressReview) -> str:
    if review.revision:
        return (
            f"Your review has been submitted. It identified additional support, so version "
            f"{review.revision.number} of the plan has been opened as a revision: change it, then submit it "
            "for agreement."
        )
    return "Your review has been submitted."


def _int(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return -1


@login_required
def schedule(request, pk: int):
    programme = get_object_or_404(Programme, pk=pk)
    current = reviewing.schedule_for(programme)
    problems = []
    values = {
        "first_due[month]": current.first_due.month,
        "first_due[year]": current.first_due.year,
        "last_due[month]": current.last_due.month,
        "last_due[year]": current.last_due.year,
        "every_months": current.every_months,
    }
    if request.method == "POST":
        values = dict(request.POST.items())
        first = date_from_parts(request.POST, "first_due", ("month", "year"))
        last = date_from_parts(request.POST, "last_due", ("month", "year"))
        every = _int(request.POST.get("every_months"))
        for name, value in (("first_due", first), ("last_due", last)):
            if value in (None, "invalid"):
                problems.append((name, "Enter a real month and year, like 10 2019"))
        if every == -1:
            problems.append(("every_months", "Enter how many months apart the reviews are, from 1 to 6"))
        if not problems:
            try:
                reviewing.set_schedule(programme, request.user, first, last, every)
            except NotAllowed as exc:
                return forbidden(request, exc.reason)
            except PlanProblems as exc:
                problems = exc.problems
            else:
                messages.success(request, "The review schedule has been changed.")
                return redirect("delivery:review-schedule", programme.pk)
    return render(
        request,
        "delivery/review_schedule.jinja",
        {
            "programme": programme,
            "schedule": current,
            "dates": reviewing.due_dates_for(programme),
            "values": values,
            "problems": error_list(problems),
            "errors": dict(reversed(problems)),
            "can_change": reviewing.can_change_schedule(request.user),
            "nav": "delivery",
        },
        status=400 if problems else 200,
    )
