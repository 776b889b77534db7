"""Delivery pages: the timetable (and leads' own dates), the six-step journey per PCN and counts per place, and
overdue actions, each scoped by the user's roles through accounts.scope.visible."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from pcndev.accounts.scope import visible
from pcndev.delivery import journey as jy
from pcndev.delivery import services
from pcndev.delivery import timetable as tt
from pcndev.delivery.access import can_override, lead_nodes
from pcndev.delivery.forms import PhaseDatesForm
from pcndev.delivery.models import PhaseOverride
from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, Place, System
from pcndev.plans.models import PlanVersion


def _programme(pk: int) -> Programme:
    return get_object_or_404(Programme, pk=pk)


@login_required
def index(request):
    return render(request, "delivery/index.jinja", {"programmes": Programme.objects.all(), "nav": "delivery"})


@login_required
def timetable(request, pk: int):
    programme = _programme(pk)
    phases = services.default_timetable(programme)
    nodes = lead_nodes(request.user)
    overrides = {
        (o.phase_id, "place" if o.place_id else "system", o.place_id or o.system_id): o
        for o in PhaseOverride.objects.filter(phase__programme=programme)
    }
    rows = []
    for node in nodes:
        level = "place" if isinstance(node, Place) else "system"
        rows.append((level, node, [(p, overrides.get((p.pk, level, node.pk))) for p in phases]))
    return render(
        request,
        "delivery/timetable.jinja",
        {"programme": programme, "phases": phases, "lead_rows": rows, "nav": "delivery"},
    )


@login_required
def timetable_edit(request, pk: int, level: str, code: str, kind: str):
    programme = _programme(pk)
    model = {"place": Place, "system": System}.get(level)
    if model is None or kind not in tt.KINDS:
        raise Http404("No such phase")
    node = get_visible_or_404(request.user, model, code=code)
    if not can_override(request.user, node):
        raise Http404("No such phase")
    phase = next(p for p in services.default_timetable(programme) if p.kind == kind)
    current = (phase.pk and PhaseOverride.objects.filter(phase=phase, **{level: node}).first()) or phase
    form = PhaseDatesForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.set_override(
            phase, node, form.cleaned_data["starts_on"], form.cleaned_data["ends_on"], request.user
        )
        messages.success(request, f"{phase.get_kind_display()} dates changed for {node.name}")
        return redirect("delivery:timetable", programme.pk)
    return render(
        request,
        "delivery/timetable_edit.jinja",
        {
            "programme": programme,
            "phase": phase,
            "node": node,
            "current": current,
            "form": form,
            "nav": "delivery",
        },
    )


@login_required
def journey_counts(request, pk: int):
    """Counts of PCNs at each current step, per place, for the PCNs the user can see."""
    programme = _programme(pk)
    pcns, facts, _ = services.facts_for(programme, visible(request.user, PCN))
    by_place: dict[int, dict] = {}
    totals = [0] * (len(jy.STEPS) + 1)
    for pcn in pcns:
        step = jy.current_step(facts[pcn.pk])
        row = by_place.setdefault(pcn.place_id, {"place": pcn.place, "counts": [0] * (len(jy.STEPS) + 1)})
        index = (step or len(jy.STEPS) + 1) - 1
        row["counts"][index] += 1
        totals[index] += 1
    rows = sorted(by_place.values(), key=lambda r: (r["place"].system.name, r["place"].name))
    return render(
        request,
        "delivery/journey_counts.jinja",
        {
            "programme": programme,
            "rows": rows,
            "totals": totals,
            "steps": jy.STEPS,
            "pcns": pcns,
            "current": {p.pk: jy.current_step(facts[p.pk]) for p in pcns},
            "nav": "delivery",
        },
    )


@login_required
def pcn_journey(request, pk: int, code: str):
    programme = _programme(pk)
    pcn = get_visible_or_404(request.user, PCN, ("place__system",), code=code)
    _, facts, versions = services.facts_for(programme, PCN.objects.filter(pk=pcn.pk))
    steps = jy.journey(facts[pcn.pk])
    items = [
        {
            "title": {"text": f"{s.number}. {s.title}"},
            "status": {"text": "Done"}
            if s.done
            else {
                "tag": {
                    "text": "Current step" if s.current else "Not done yet",
                    "classes": "nhsuk-tag--blue" if s.current else "nhsuk-tag--grey",
                }
            },
        }
        for s in steps
    ]
    return render(
        request,
        "delivery/pcn_journey.jinja",
        {
            "programme": programme,
            "pcn": pcn,
            "steps": steps,
            "items": items,
            "version": PlanVersion.objects.get(pk=versions[pcn.pk][0]) if pcn.pk in versions else None,
            "nav": "delivery",
        },
    )


@login_required
def overdue_list(request, pk: int):
    programme = _programme(pk)
    today = timezone.localdate()
    return render(
        request,
        "delivery/overdue.jinja",
        {
            "programme": programme,
            "rows": services.overdue_rows(request.user, programme, today),
            "today": today,
            "nav": "delivery",
        },
    )
