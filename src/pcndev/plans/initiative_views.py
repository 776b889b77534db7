"""Adding, changing and removing an initiative, and a place lead's override of a blocked one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from pcndev.config.views import forbidden
from pcndev.funding.models import ProgrammePriority
from pcndev.plans import permissions as perms
from pcndev.plans.editing import (
    NotAllowed,
    PlanProblems,
    StaleEdit,
    delete_initiative,
    override_block,
    save_initiative,
)
from pcndev.plans.eligibility import evaluate
from pcndev.plans.forms import MEASURE_ROWS, InitiativeForm, OverrideForm, initiative_initial
from pcndev.plans.models import Initiative
from pcndev.plans.plan_views import version_or_404


def _choices(version):
    priorities = ProgrammePriority.objects.filter(programme=version.plan.programme)
    domains = [(p.code, p.title) for p in priorities if p.kind == ProgrammePriority.Kind.DOMAIN]
    tags = [(p.code, p.title) for p in priorities if p.kind == ProgrammePriority.Kind.PRIORITY]
    areas, elements = [], []
    if version.assessment_id:
        template = version.assessment.round.template
        areas = [(a.pk, a.title) for a in template.areas.all()]
        elements = [
            (e.pk, f"{e.area.title}: {e.title}")
            for e in template.elements.select_related("area").order_by("area__position", "position")
        ]
    return {"domains": domains, "priorities": tags, "areas": areas, "elements": elements}


@login_required
def initiative_form(request, pk, iid=None):
    version = version_or_404(request.user, pk)
    decision = perms.can_edit(request.user, version)
    if not decision:
        return forbidden(request, decision.reason)
    initiative = get_object_or_404(Initiative, pk=iid, version=version) if iid else None
    choices = _choices(version)
    posted = request.POST if request.method == "POST" else None
    initial = initiative_initial(initiative) if initiative else {}
    initial["lock_version"] = version.lock_version
    form = InitiativeForm(posted, initial=initial, **choices)
    conflict = ""
    if posted is not None and form.is_valid():
        try:
            saved = save_initiative(
                version, form.cleaned_data["lock_version"], request.user, form.to_data(), initiative
            )
        except StaleEdit as exc:
            conflict = exc.message
        except PlanProblems as exc:
            for field, message in exc.problems:
                form.errors.setdefault(field, form.error_class()).append(message)
        except NotAllowed as exc:
            return forbidden(request, exc.reason)
        else:
            result = evaluate(saved.answers())
            note = {
                "block": " It is blocked by the spending rules: see why below.",
                "warn": " Check the warning below.",
            }
            messages.success(request, f"{saved.title} has been saved.{note.get(result.outcome, '')}")
            return redirect("plans:version", pk=version.pk)
    values = (
        dict(posted.items())
        if posted is not None
        else {k: v for k, v in initial.items() if not isinstance(v, list)}
    )
    multi = {
        "priorities": posted.getlist("priorities") if posted is not None else initial.get("priorities", []),
        "elements": posted.getlist("elements") if posted is not None else initial.get("elements", []),
    }
    return render(
        request,
        "plans/initiative_form.jinja",
        {
            "version": version,
            "initiative": initiative,
            "form": form,
            "values": values,
            "multi": multi,
            "measure_rows": range(MEASURE_ROWS),
            "conflict": conflict,
            "nav": "plans",
            **choices,
        },
        status=409 if conflict else 400 if form.is_bound and form.errors else 200,
    )


@login_required
def initiative_delete(request, pk, iid):
    version = version_or_404(request.user, pk)
    initiative = get_object_or_404(Initiative, pk=iid, version=version)
    decision = perms.can_edit(request.user, version)
    if not decision:
        return forbidden(request, decision.reason)
    if request.method == "POST":
        try:
            delete_initiative(version, int(request.POST.get("lock_version", -1)), request.user, initiative)
        except StaleEdit as exc:
            messages.error(request, exc.message)
        except NotAllowed as exc:
            return forbidden(request, exc.reason)
        else:
            messages.success(request, f"{initiative.title} has been removed")
        return redirect("plans:version", pk=version.pk)
    return render(
        request,
        "plans/initiative_delete.jinja",
        {"version": version, "initiative": initiative, "nav": "plans"},
    )


@login_required
def initiative_override(request, iid):
    initiative = get_object_or_404(Initiative, pk=iid)
    version = version_or_404(request.user, initiative.version_id)
    decision = perms.can_override(request.user, version)
    if not decision:
        return forbidden(request, decision.reason)
    form = OverrideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            override_block(initiative, request.user, form.cleaned_data["justification"])
        except PlanProblems as exc:
            for field, message in exc.problems:
                form.errors.setdefault(field, form.error_class()).append(message)
        except NotAllowed as exc:
            return forbidden(request, exc.reason)
        else:
            messages.success(request, f"{initiative.title} is allowed: your justification has been recorded")
            return redirect("plans:version", pk=version.pk)
    return render(
        request,
        "plans/override.jinja",
        {
            "version": version,
            "initiative": initiative,
            "result": evaluate(initiative.answers()),
            "form": form,
            "nav": "plans",
        },
        status=400 if form.is_bound and form.errors else 200,
    )
