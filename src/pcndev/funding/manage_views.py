"""Setting up money from the UI: a programme (national), and from there allocations and top-ups."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from pcndev.accounts.scope import MANAGER_ROLES, visible
from pcndev.config.views import forbidden
from pcndev.funding.allocating import preview, save_run
from pcndev.funding.forms import AllocationForm, ProgrammeForm, TopUpForm
from pcndev.funding.ledger import LedgerRefused
from pcndev.funding.models import Programme
from pcndev.funding.permissions import can_create_programme, can_manage_money
from pcndev.funding.programmes import ProgrammeError, create_programme
from pcndev.funding.top_ups import add_top_up
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, Place, System


@login_required
def programme_new(request):
    decision = can_create_programme(request.user)
    if not decision:
        return forbidden(request, decision.reason)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            programme = create_programme(
                d["name"],
                d["financial_year"],
                d["national_total"],
                form.list_size_date,
                d["cd_share"],
                d["cd_split"],
                d["basis"],
                user=request.user,
            )
        except ProgrammeError as exc:
            for problem in str(exc).split("; "):
                form.add_error(None, problem)
        else:
            messages.success(request, f"{programme} was set up")
            return redirect("funding:programme", pk=programme.pk)
    return render(
        request,
        "funding/programme_new.jinja",
        {"form": form, "nav": "funding"},
        status=400 if form.is_bound and form.errors else 200,
    )


def _managed_scopes(user) -> list[tuple[str, str]]:
    choices = [("national", "England (national)")] if can_create_programme(user) else []
    choices += [(s.code, s.name) for s in visible(user, System, MANAGER_ROLES).order_by("name")]
    choices += [(p.code, p.name) for p in visible(user, Place, MANAGER_ROLES).order_by("name")]
    return choices


@login_required
def allocation_new(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    choices = _managed_scopes(request.user)
    if not choices:
        return forbidden(request, "Only a place, system, region or national lead can allocate money.")
    data = request.POST if request.method == "POST" else None
    form = AllocationForm(
        data, scope_choices=choices, initial={"scope": request.GET.get("scope", choices[0][0])}
    )
    result = None
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            result = preview(
                d["total"],
                d["scope"],
                d["basis"],
                programme.list_size_date,
                programme.cd_share_bp,
                programme.cd_split,
            )
            if "save" in data:
                run = save_run(programme, result, request.user)
                messages.success(
                    request, f"Version {run.version} of the allocation was saved and posted to the ledger"
                )
                return redirect("funding:run", pk=programme.pk, run_pk=run.pk)
        except LedgerRefused as exc:
            result = None
            for reason in exc.reasons:
                form.add_error(None, reason)
        except ValueError as exc:
            result = None
            form.add_error(None, str(exc))
    return render(
        request,
        "funding/allocation_new.jinja",
        {"programme": programme, "form": form, "result": result, "nav": "funding"},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def top_up_new(request, pk, level, code):
    programme = get_object_or_404(Programme, pk=pk)
    model = {"system": System, "place": Place, "pcn": PCN}.get(level)
    if model is None:
        raise Http404
    node = get_visible_or_404(request.user, model, code=code)
    decision = can_manage_money(request.user, node)
    if not decision:
        return forbidden(request, decision.reason)
    form = TopUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            add_top_up(programme, node, d["amount"], d["source"], d["note"], d["spread"], request.user)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The top-up for {node} was added")
            return redirect(f"funding:{level}", pk=programme.pk, code=node.code)
    return render(
        request,
        "funding/top_up_new.jinja",
        {"programme": programme, "node": node, "level": level, "form": form, "nav": "funding"},
        status=400 if form.is_bound and form.errors else 200,
    )
