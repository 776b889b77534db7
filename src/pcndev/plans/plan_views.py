"""Support plan pages: the programme's plans, starting one, a plan version, editing it, workflow actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from pcndev.accounts.scope import visible
from pcndev.config.views import forbidden
from pcndev.funding.models import Programme
from pcndev.maturity.awaiting import awaiting_self_assessment
from pcndev.ops.scale_gc import gc_paused
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN
from pcndev.plans import permissions as perms
from pcndev.plans import workflow
from pcndev.plans.advice import internal_first_warning
from pcndev.plans.awaiting import awaiting_for
from pcndev.plans.budget import budget_for
from pcndev.plans.diff import total_change
from pcndev.plans.editing import NotAllowed, PlanProblems, StaleEdit, start_plan, update_plan
from pcndev.plans.eligibility import evaluate
from pcndev.plans.forms import CommentForm, PlanForm
from pcndev.plans.models import Initiative, PlanVersion
from pcndev.plans.revising import changes_since_revised
from pcndev.plans.transitions import transition


def version_or_404(user, pk: int) -> PlanVersion:
    version = get_object_or_404(
        PlanVersion.objects.select_related(
            "plan__pcn__place__system",
            "plan__pcn__payee",
            "plan__programme",
            "updated_by",
            "assessment__round",
        ),
        pk=pk,
    )
    if not visible(user, PCN).filter(pk=version.plan.pcn_id).exists():
        raise Http404("No plan found")
    return version


@gc_paused  # a row per PCN the user oversees: every PCN nationally
@login_required
def plan_list(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    pcns = list(visible(request.user, PCN).select_related("place").order_by("place__name", "name"))
    # The latest version of each PCN's plan from one query of versions (a subquery for the PCNs, not a list of
    # every id): prefetching versions per plan built a queryset per plan, which grew faster than the PCNs.
    seen = visible(request.user, PCN).values("id")
    latest_of: dict[int, PlanVersion] = {}
    for v in (
        PlanVersion.objects.filter(plan__programme=programme, plan__pcn__in=seen)
        .annotate(pcn_id=F("plan__pcn_id"))
        .only("id", "number", "state", "plan_id")
    ):
        if v.pcn_id not in latest_of or v.number > latest_of[v.pcn_id].number:
            latest_of[v.pcn_id] = v
    costs = dict(
        Initiative.objects.filter(version__plan__programme=programme, version__plan__pcn__in=seen)
        .exclude(funding_source=Initiative.Source.EXISTING)
        .values_list("version_id")
        .annotate(total=Sum("cost_pence"))
    )
    rows = []
    for pcn in pcns:
        latest = latest_of.get(pcn.id)
        rows.append(
            (pcn, latest, costs.get(latest.id, 0) if latest else 0, perms.can_start_plan(request.user, pcn))
        )
    return render(request, "plans/list.jinja", {"programme": programme, "rows": rows, "nav": "plans"})


@login_required
def plan_start(request, pk, code):
    programme = get_object_or_404(Programme, pk=pk)
    pcn = get_visible_or_404(request.user, PCN, ("place__system",), code=code)
    if request.method != "POST":
        return redirect("plans:list", pk=pk)
    try:
        version = start_plan(programme, pcn, request.user)
    except NotAllowed as exc:
        return forbidden(request, exc.reason)
    messages.success(request, f"The support plan for {pcn} has started from its self-assessment")
    return redirect("plans:version", pk=version.pk)


def _actions(user, version):
    signoffs = dict(version.signoffs.values_list("party", "decision"))
    out = []
    for t in workflow.transitions_from(version.state):
        if t.action in ("approve", "release"):
            continue  # recorded on the committee and release pages
        out.append((t, perms.can_act(user, version, t.action, signoffs)))
    return out


@login_required
def version_detail(request, pk):
    version = version_or_404(request.user, pk)
    initiatives = list(
        version.initiatives.select_related("area", "domain", "override__by").prefetch_related(
            "measures", "priorities", "elements"
        )
    )
    results = {i.pk: evaluate(i.answers()) for i in initiatives}
    versions = list(version.plan.versions.order_by("-number"))
    changes = changes_since_revised(version)
    return render(
        request,
        "plans/version.jinja",
        {
            "version": version,
            "plan": version.plan,
            "pcn": version.plan.pcn,
            "initiatives": initiatives,
            "results": results,
            "budget": budget_for(version),
            "warning": internal_first_warning(version),
            "needs": list(version.needs.select_related("element__area")),
            "signoffs": list(version.signoffs.select_related("by")),
            "actions": _actions(request.user, version),
            "can_edit": perms.can_edit(request.user, version),
            "can_override": perms.can_override(request.user, version),
            "versions": versions,
            "changes": changes,
            "change_total": total_change(changes),
            "opened_by": version.opened_by_reviews.order_by("due").first() if version.revises_id else None,
            "nav": "plans",
        },
    )


@login_required
def version_edit(request, pk):
    version = version_or_404(request.user, pk)
    decision = perms.can_edit(request.user, version)
    if not decision:
        return forbidden(request, decision.reason)
    choices = []
    if version.assessment_id:
        choices = [
            (str(n.pk), f"{n.rank}. {n.element.title}")
            for n in version.assessment.needs.select_related("element")
        ]
    initial = {
        "improvement_priority": version.improvement_priority,
        "summary": version.summary,
        "needs": [str(i) for i in version.needs.values_list("id", flat=True)],
        "lock_version": version.lock_version,
    }
    form = PlanForm(request.POST if request.method == "POST" else None, need_choices=choices, initial=initial)
    conflict = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            update_plan(
                version,
                d["lock_version"],
                request.user,
                d["improvement_priority"],
                d["summary"],
                [int(n) for n in d["needs"]],
            )
        except StaleEdit as exc:
            conflict = exc.message
        except PlanProblems as exc:
            for field, message in exc.problems:
                form.add_error(field if field in form.fields else None, message)
        except NotAllowed as exc:
            return forbidden(request, exc.reason)
        else:
            messages.success(request, "The plan has been saved")
            return redirect("plans:version", pk=version.pk)
    return render(
        request,
        "plans/version_edit.jinja",
        {"version": version, "form": form, "conflict": conflict, "nav": "plans"},
        status=409 if conflict else 400 if form.is_bound and form.errors else 200,
    )


@login_required
def version_action(request, pk, action):
    version = version_or_404(request.user, pk)
    t = workflow.BY_ACTION.get(action)
    if t is None or action in ("approve", "release"):
        raise Http404("No such action")
    decision = perms.can_act(request.user, version, action)
    if not decision:
        return forbidden(request, decision.reason)
    form = CommentForm(request.POST if request.method == "POST" else None)
    problems: list = []
    if request.method == "POST" and not form.is_valid():
        problems = [(name, str(e)) for name, errors in form.errors.items() for e in errors]
    if request.method == "POST" and form.is_valid():
        try:
            transition(version, action, request.user, comment=form.cleaned_data["comment"])
        except NotAllowed as exc:
            return forbidden(request, exc.reason)
        except PlanProblems as exc:
            problems = exc.problems
        else:
            state = PlanVersion.objects.get(pk=pk).get_state_display().lower()
            messages.success(request, f"Done: {t.label.lower()}. The plan is now {state}.")
            return redirect("plans:version", pk=version.pk)
    return render(
        request,
        "plans/action.jinja",
        {"version": version, "transition": t, "form": form, "problems": problems, "nav": "plans"},
        status=400 if problems else 200,
    )


@login_required
def index(request):
    return render(request, "plans/index.jinja", {"programmes": Programme.objects.all(), "nav": "plans"})


@login_required
def awaiting(request):
    """Everything waiting for the signed-in user, from states and permissions (no to-do list is kept)."""
    return render(
        request,
        "plans/awaiting.jinja",
        {
            "plans": awaiting_for(request.user),
            "assessments": awaiting_self_assessment(request.user),
            "nav": "plans",
        },
    )
