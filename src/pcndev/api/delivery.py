"""Delivery: the programme timetable (leads set their own dates), the six-step journey per PCN and counts, and
overdue actions, scoped exactly as the pages are."""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from pcndev.accounts.scope import visible
from pcndev.delivery import journey as jy
from pcndev.delivery import services
from pcndev.delivery import timetable as tt
from pcndev.delivery.access import can_override
from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, Place, System

router = Router(tags=["delivery"])


class PhaseOut(Schema):
    kind: str
    label: str
    starts_on: datetime.date
    ends_on: datetime.date


class DeliveryProblem(Schema):
    detail: str


class PhaseDatesIn(Schema):
    starts_on: datetime.date
    ends_on: datetime.date


class StepOut(Schema):
    number: int
    title: str
    done: bool
    current: bool


class JourneyOut(Schema):
    pcn: str
    name: str
    current_step: int | None
    steps: list[StepOut]


class CountsOut(Schema):
    steps: list[str]
    counts: list[int]  # PCNs at each current step 1–6, then those with every step done
    places: dict[str, list[int]]


class OverdueOut(Schema):
    pcn: str
    key: str
    what: str
    due: datetime.date
    holder: str
    holder_label: str


def _phases(dates: dict[str, tt.Dates]) -> list[dict]:
    return [
        {"kind": k, "label": tt.KINDS[k], "starts_on": d.starts_on, "ends_on": d.ends_on}
        for k, d in sorted(dates.items(), key=lambda kv: (kv[1].starts_on, kv[0]))
    ]


@router.get(
    "/programmes/{pk}/timetable", response=list[PhaseOut], operation_id="pcndev_api_delivery_timetable"
)
def timetable(request, pk: int, place: str = "", system: str = ""):
    """The programme's phases; with ?place= or ?system=, that node's resolved dates."""
    programme = get_object_or_404(Programme, pk=pk)
    base = {p.kind: tt.Dates(p.starts_on, p.ends_on) for p in services.default_timetable(programme)}
    if place or system:
        node = get_visible_or_404(request.user, Place if place else System, code=place or system)
        base = services.dates_for_node(programme, node)
    return _phases(base)


@router.put(
    "/programmes/{pk}/timetable/{level}/{code}/{kind}",
    response={200: PhaseOut, 400: DeliveryProblem, 403: DeliveryProblem},
    operation_id="pcndev_api_delivery_override",
)
def override(request, pk: int, level: str, code: str, kind: str, body: PhaseDatesIn):
    programme = get_object_or_404(Programme, pk=pk)
    model = {"place": Place, "system": System}.get(level)
    if model is None or kind not in tt.KINDS:
        raise Http404("No such phase")
    node = get_visible_or_404(request.user, model, code=code)
    if not can_override(request.user, node):
        return Status(403, {"detail": f"Only the {level} lead can change these dates"})
    phase = next(p for p in services.default_timetable(programme) if p.kind == kind)
    try:
        services.set_override(phase, node, body.starts_on, body.ends_on, request.user)
    except services.TimetableError as exc:
        return Status(400, {"detail": str(exc)})
    return {"kind": kind, "label": tt.KINDS[kind], "starts_on": body.starts_on, "ends_on": body.ends_on}


@router.get(
    "/programmes/{pk}/journey/{code}", response=JourneyOut, operation_id="pcndev_api_delivery_pcn_journey"
)
def pcn_journey(request, pk: int, code: str):
    programme = get_object_or_404(Programme, pk=pk)
    pcn = get_visible_or_404(request.user, PCN, code=code)
    _, facts, _ = services.facts_for(programme, PCN.objects.filter(pk=pcn.pk))
    steps = jy.journey(facts[pcn.pk])
    return {
        "pcn": pcn.code,
        "name": pcn.name,
        "current_step": jy.current_step(facts[pcn.pk]),
        "steps": [s.__dict__ for s in steps],
    }


@router.get("/programmes/{pk}/journey", response=CountsOut, operation_id="pcndev_api_delivery_journey_counts")
def journey_counts(request, pk: int):
    programme = get_object_or_404(Programme, pk=pk)
    pcns, facts, _ = services.facts_for(programme, visible(request.user, PCN))
    width = len(jy.STEPS) + 1
    counts, places = [0] * width, {}
    for pcn in pcns:
        index = (jy.current_step(facts[pcn.pk]) or width) - 1
        counts[index] += 1
        places.setdefault(pcn.place.code, [0] * width)[index] += 1
    return {"steps": list(jy.STEPS), "counts": counts, "places": places}


@router.get("/programmes/{pk}/overdue", response=list[OverdueOut], operation_id="pcndev_api_delivery_overdue")
def overdue(request, pk: int, on: datetime.date | None = None):
    programme = get_object_or_404(Programme, pk=pk)
    return [
        {
            "pcn": pcn.code,
            "key": item.key,
            "what": item.what,
            "due": item.due,
            "holder": item.holder,
            "holder_label": item.holder_label,
        }
        for pcn, item in services.overdue_rows(request.user, programme, on or timezone.localdate())
    ]
