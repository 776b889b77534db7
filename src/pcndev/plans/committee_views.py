"""The committee decision for a place's agreed plans, and releasing funds to a PCN's payee under an MOU."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from pcndev.config.views import forbidden
from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import Place
from pcndev.plans import permissions as perms
from pcndev.plans import workflow
from pcndev.plans.budget import budget_for
from pcndev.plans.editing import NotAllowed, PlanProblems
from pcndev.plans.forms import CommitteeForm, ReleaseForm
from pcndev.plans.models import CommitteeDecision, PlanVersion
from pcndev.plans.plan_views import version_or_404
from pcndev.plans.transitions import record_committee_decision, release_funds


@login_required
def committee(request, pk, code):
    programme = get_object_or_404(Programme, pk=pk)
    place = get_visible_or_404(request.user, Place, ("system",), code=code)
    agreed = list(
        PlanVersion.objects.filter(plan__programme=programme, plan__pcn__place=place, state=workflow.AGREED)
        .select_related("plan__pcn__place__system", "plan__programme")
        .order_by("plan__pcn__name")
    )
    may = perms.can_record_committee(request.user, place)
    if not may:
        return forbidden(request, may.reason)
    rows = [(v, budget_for(v)) for v in agreed]
    form = CommitteeForm(
        request.POST if request.method == "POST" else None,
        version_choices=[(v.pk, str(v.plan.pcn)) for v in agreed],
        initial={"committee": "Primary Care Commissioning Committee"},
    )
    if request.method == "POST" and form.is_valid():
        chosen = [v for v in agreed if v.pk in form.cleaned_data["versions"]]
        d = form.cleaned_data
        try:
            decision = record_committee_decision(
                request.user,
                place,
                programme,
                chosen,
                d["committee"],
                form.meeting_date,
                d["minute_reference"],
            )
        except PlanProblems as exc:
            for field, message in exc.problems:
                form.errors.setdefault(field, form.error_class()).append(message)
        except NotAllowed as exc:
            return forbidden(request, exc.reason)
        else:
            messages.success(
                request, f"{decision} approved {len(chosen)} plan{'s' if len(chosen) != 1 else ''}"
            )
            return redirect("plans:committee", pk=pk, code=code)
    decisions = CommitteeDecision.objects.filter(programme=programme, place=place).prefetch_related(
        "approvals__version__plan__pcn"
    )
    return render(
        request,
        "plans/committee.jinja",
        {
            "programme": programme,
            "place": place,
            "rows": rows,
            "form": form,
            "decisions": decisions,
            "nav": "plans",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def release(request, pk):
    version = version_or_404(request.user, pk)
    decision = perms.can_act(request.user, version, "release")
    if not decision:
        return forbidden(request, decision.reason)
    committed = version.approval.amount_pence
    form = ReleaseForm(
        request.POST if request.method == "POST" else None, initial={"amount": f"{committed / 100:.2f}"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            release_funds(
                request.user,
                version,
                form.cleaned_data["amount"],
                form.cleaned_data["mou_reference"],
                form.release_date,
            )
        except PlanProblems as exc:
            for field, message in exc.problems:
                form.errors.setdefault(field, form.error_class()).append(message)
        except NotAllowed as exc:
            return forbidden(request, exc.reason)
        else:
            messages.success(request, f"Funds released to {version.plan.pcn.payee}")
            return redirect("plans:version", pk=version.pk)
    return render(
        request,
        "plans/release.jinja",
        {
            "version": version,
            "form": form,
            "committed": committed,
            "today": timezone.localdate(),
            "nav": "plans",
        },
        status=400 if form.is_bound and form.errors else 200,
    )
