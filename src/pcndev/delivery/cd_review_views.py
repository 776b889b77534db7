"""CD development plan reviews: the plan's review dates, and one review's form or record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from pcndev.config.views import forbidden
from pcndev.delivery import cd_reviewing, rag, reviewing
from pcndev.delivery.review_forms import parse_updates
from pcndev.delivery.review_lookup import cd_plan_or_404, due_or_404
from pcndev.delivery.review_views import MULTI, _int, _status, error_list
from pcndev.forms import date_from_parts, nul_problems
from pcndev.plans.editing import NotAllowed, PlanProblems


@login_required
def cd_reviews(request, pk: int, plan_id: int):
    plan = cd_plan_or_404(request.user, pk, plan_id)
    today = timezone.localdate()
    saved = {r.due: r for r in plan.reviews.all()}
    rows = [
        (d, saved.get(d), *_status(saved.get(d), d, today)) for d in reviewing.due_dates_for(plan.programme)
    ]
    return render(
        request,
        "delivery/cd_reviews.jinja",
        {
            "plan": plan,
            "programme": plan.programme,
            "rows": rows,
            "decision": cd_reviewing.can_review_cd_plan(request.user, plan),
            "nav": "delivery",
        },
    )


def _initial(review, items) -> dict:
    values = {}
    if review.meeting_date:
        d = review.meeting_date
        values |= {"meeting_date[day]": d.day, "meeting_date[month]": d.month, "meeting_date[year]": d.year}
    values["attended"] = [
        k for k, v in (("cd", review.cd_attended), ("place", review.place_lead_attended)) if v
    ]
    values |= {
        "progress": review.progress,
        "additional_support": review.additional_support,
        "actions": review.actions,
    }
    if review.pk:
        for u in review.updates.all():
            key = f"c-{u.item_id}"
            p = u.spend_to_date_pence
            values |= {
                f"{key}-status": u.status,
                f"{key}-rag": u.rag,
                f"{key}-reason": u.rag_reason,
                f"{key}-spend": f"{p // 100}.{p % 100:02d}",
                f"{key}-evidence": u.evidence,
            }
    return values


@login_required
def cd_review(request, pk: int, plan_id: int, due: str):
    plan = cd_plan_or_404(request.user, pk, plan_id)
    day = due_or_404(plan, due)
    review = cd_reviewing.cd_review_for(plan, day)
    decision = cd_reviewing.can_review_cd_plan(request.user, plan)
    items = list(plan.items.all())
    values, problems, conflict = _initial(review, items), [], ""
    if request.method == "POST":
        if not decision:
            return forbidden(request, decision.reason)
        values = {k: request.POST.getlist(k) if k in MULTI else v for k, v in request.POST.items()}
        updates, problems = parse_updates(request.POST, [(f"c-{i.pk}", i.pk, i.description) for i in items])
        problems += nul_problems(request.POST)
        meeting_date = date_from_parts(request.POST, "meeting_date")
        if meeting_date == "invalid":
            problems.append(("meeting_date", "The meeting date must be a real date, like 27 11 2019"))
        if not problems:
            attended = request.POST.getlist("attended")
            meeting = {
                "meeting_date": meeting_date,
                "cd_attended": "cd" in attended,
                "place_lead_attended": "place" in attended,
                **{k: request.POST.get(k, "") for k in ("progress", "additional_support", "actions")},
            }
            try:
                saved = cd_reviewing.save_cd_review(
                    plan, day, _int(request.POST.get("lock_version")), request.user, meeting, updates
                )
                if request.POST.get("action") == "submit":
                    saved = cd_reviewing.submit_cd_review(plan, day, saved.lock_version, request.user)
                    messages.success(
                        request,
                        "Your review has been submitted."
                        + (
                            " It identified additional support, so the CD development plan is open for revision."
                            if saved.opened_revision
                            else ""
                        ),
                    )
                else:
                    messages.success(request, "Your review has been saved as a draft.")
                return redirect("delivery:cd-review", plan.programme_id, plan.pk, day.isoformat())
            except reviewing.StaleReview as exc:
                conflict = exc.message
            except PlanProblems as exc:
                problems = exc.problems
            except NotAllowed as exc:
                return forbidden(request, exc.reason)
            review = cd_reviewing.cd_review_for(plan, day)
    return render(
        request,
        "delivery/cd_review.jinja",
        {
            "plan": plan,
            "programme": plan.programme,
            "review": review,
            "due": day,
            "items": items,
            "values": values,
            "previous": cd_reviewing.previous_cd_figures(review),
            "problems": error_list(problems),
            "errors": dict(reversed(problems)),
            "conflict": conflict,
            "decision": decision,
            "editable": bool(decision) and not review.submitted,
            "statuses": rag.STATUSES,
            "rags": rag.RAGS,
            "nav": "delivery",
        },
        status=400 if problems else 200,
    )
