"""Clinical directors' development plans in the API: the list for a programme, one director's plan, a place's
collective plan, adding an item and agreeing the plan; the plans' reviews are in cd_plan_reviews.py.

The same services as the pages (plans/cd_plans.py), so the same rules, reasons and budget checks apply. Every
change sends back the lock_version it read: a stale one is refused with a 409 naming who changed the plan and when.
"""

from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from pcndev.accounts.scope import visible
from pcndev.api.cd_plan_reviews import router as reviews_router
from pcndev.api.plans.schemas import MAX_PENCE, DecisionOut, PlanProblem, _problems, _refused
from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, ClinicalDirector, Place
from pcndev.plans.budget import cd_plan_budget
from pcndev.plans.cd_plans import StaleCDPlan, add_item, agree_cd_plan, can_agree_cd_plan, can_edit_cd_plan
from pcndev.plans.editing import NotAllowed, PlanProblems
from pcndev.plans.models import CDDevelopmentItem, CDDevelopmentPlan

router = Router(tags=["cd-plans"])
router.add_router("", reviews_router)

KINDS = ", ".join(CDDevelopmentItem.Kind.values)


class CDItemOut(Schema):
    id: int
    kind: str = Field(description=KINDS)
    kind_label: str
    description: str
    cost_pence: int


class CDPlanOut(Schema):
    id: int | None = Field(description="None until the first item is added: reading a plan never creates one")
    programme: int
    director_id: int | None
    director: str
    pcn: str = Field(description="The director's PCN's ODS code ('' for a place's collective plan)")
    place: str = Field(description="The place's code")
    place_name: str
    status: str = Field(description="draft or agreed")
    revision: int
    lock_version: int = Field(description="Send it back with every change; a stale one is refused (409)")
    budget_pence: int = Field(description="The CD development money this plan may draw")
    cost_pence: int = Field(description="What its items cost")
    items: list[CDItemOut]
    can_edit: DecisionOut
    can_agree: DecisionOut


class CDItemIn(Schema):
    lock_version: int = Field(description="From the last read; 0 for a plan not saved yet")
    kind: str = Field(description=KINDS)
    description: str
    cost_pence: int = Field(ge=-MAX_PENCE, le=MAX_PENCE)


class CDAgreeIn(Schema):
    lock_version: int


class DirectorRowOut(Schema):
    director_id: int
    director: str
    share_percent: int
    pcn: str
    pcn_name: str
    plan: int | None
    status: str = Field(description="not_started, draft or agreed")


class PlaceRowOut(Schema):
    place: str
    place_name: str
    plan: int | None
    status: str = Field(description="not_started, draft or agreed")


class CDPlanListOut(Schema):
    directors: list[DirectorRowOut]
    places: list[PlaceRowOut]


def _decision(d) -> dict:
    return {"allowed": bool(d), "reason": d.reason}


def _plan_out(request, plan: CDDevelopmentPlan) -> dict:
    budget, cost = cd_plan_budget(plan)
    place = plan.place or plan.director.pcn.place
    return {
        "id": plan.pk,
        "programme": plan.programme_id,
        "director_id": plan.director_id,
        "director": plan.director.name if plan.director_id else "",
        "pcn": plan.director.pcn.code if plan.director_id else "",
        "place": place.code,
        "place_name": place.name,
        "status": plan.status,
        "revision": plan.revision,
        "lock_version": plan.lock_version,
        "budget_pence": budget,
        "cost_pence": cost,
        "items": [
            {
                "id": i.pk,
                "kind": i.kind,
                "kind_label": i.get_kind_display(),
                "description": i.description,
                "cost_pence": i.cost_pence,
            }
            for i in (plan.items.all() if plan.pk else [])
        ],
        "can_edit": _decision(can_edit_cd_plan(request.user, plan)),
        "can_agree": _decision(can_agree_cd_plan(request.user, plan)),
    }


def _director_plan(user, pk: int, director_id: int) -> CDDevelopmentPlan:
    """The director's plan (unsaved if none yet), as the page finds it: a director of a PCN out of reach is a 404."""
    programme = get_object_or_404(Programme, pk=pk)
    director = (
        ClinicalDirector.objects.filter(pk=director_id, pcn__in=visible(user, PCN))
        .select_related("pcn__place")
        .first()
    )
    if director is None:
        raise Http404("No clinical director found")
    plan = CDDevelopmentPlan.objects.filter(programme=programme, director=director).first()
    return plan or CDDevelopmentPlan(programme=programme, director=director, pcn=director.pcn)


def _place_plan(user, pk: int, code: str) -> CDDevelopmentPlan:
    programme = get_object_or_404(Programme, pk=pk)
    place = get_visible_or_404(user, Place, code=code)
    plan = CDDevelopmentPlan.objects.filter(programme=programme, place=place).first()
    return plan or CDDevelopmentPlan(programme=programme, place=place)


def _saved(plan: CDDevelopmentPlan) -> CDDevelopmentPlan:
    """Save a plan's first item's plan; if another client saved it first, theirs (whose lock_version moved on)."""
    if plan.pk is not None:
        return plan
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        keys = {"director": plan.director} if plan.director_id else {"place": plan.place}
        return CDDevelopmentPlan.objects.get(programme=plan.programme, **keys)
    return plan


def _change(request, plan: CDDevelopmentPlan, check, action, created: int):
    """Run a change the way the page does: the permission first, then the service; a refusal keeps nothing."""
    if not (decision := check(request.user, plan)):
        return _refused(decision.reason)
    try:
        with transaction.atomic():  # a refused first item leaves no empty plan behind
            plan = _saved(plan)
            action(plan)
    except NotAllowed as exc:
        return _refused(exc.reason)
    except StaleCDPlan as exc:
        return Status(409, {"detail": exc.message})
    except PlanProblems as exc:
        return _problems(exc)
    fresh = CDDevelopmentPlan.objects.select_related("director__pcn__place", "place").get(pk=plan.pk)
    return Status(created, _plan_out(request, fresh))


def _add(request, plan, body: CDItemIn):
    return _change(
        request,
        plan,
        can_edit_cd_plan,
        lambda p: add_item(p, request.user, body.kind, body.description, body.cost_pence, body.lock_version),
        201,
    )


def _agree(request, plan, body: CDAgreeIn):
    return _change(
        request, plan, can_agree_cd_plan, lambda p: agree_cd_plan(p, request.user, body.lock_version), 200
    )


@router.get("/programmes/{pk}/cd-plans", response=CDPlanListOut, operation_id="pcndev_api_cd_plans_list")
def cd_plan_list(request, pk: int):
    """The clinical directors of the PCNs you can see, each with their plan's state, and the places' collective
    plans."""
    programme = get_object_or_404(Programme, pk=pk)
    directors = (
        ClinicalDirector.objects.filter(pcn__in=visible(request.user, PCN))
        .select_related("pcn")
        .order_by("pcn__name", "-share_percent", "pk")
    )
    by_director = {
        p.director_id: p
        for p in CDDevelopmentPlan.objects.filter(programme=programme, director__in=directors)
    }
    places = list(visible(request.user, Place).filter(pcns__isnull=False).distinct().order_by("name"))
    by_place = {
        p.place_id: p for p in CDDevelopmentPlan.objects.filter(programme=programme, place__in=places)
    }
    return {
        "directors": [
            {
                "director_id": d.pk,
                "director": d.name,
                "share_percent": d.share_percent,
                "pcn": d.pcn.code,
                "pcn_name": d.pcn.name,
                "plan": by_director[d.pk].pk if d.pk in by_director else None,
                "status": by_director[d.pk].status if d.pk in by_director else "not_started",
            }
            for d in directors
        ],
        "places": [
            {
                "place": p.code,
                "place_name": p.name,
                "plan": by_place[p.pk].pk if p.pk in by_place else None,
                "status": by_place[p.pk].status if p.pk in by_place else "not_started",
            }
            for p in places
        ],
    }


WRITE = {400: PlanProblem, 403: PlanProblem, 409: PlanProblem}


@router.get(
    "/programmes/{pk}/cd-plans/directors/{director_id}",
    response=CDPlanOut,
    operation_id="pcndev_api_cd_plans_get_director",
)
def get_director_plan(request, pk: int, director_id: int):
    """One clinical director's development plan, its budget and items, and whether you may change or agree it."""
    return _plan_out(request, _director_plan(request.user, pk, director_id))


@router.post(
    "/programmes/{pk}/cd-plans/directors/{director_id}/items",
    response={201: CDPlanOut, **WRITE},
    operation_id="pcndev_api_cd_plans_add_director_item",
)
def add_director_item(request, pk: int, director_id: int, body: CDItemIn):
    """Add an item to the director's plan (the director themself): within their share of the CD money and the
    place's."""
    return _add(request, _director_plan(request.user, pk, director_id), body)


@router.post(
    "/programmes/{pk}/cd-plans/directors/{director_id}/agree",
    response={200: CDPlanOut, **WRITE},
    operation_id="pcndev_api_cd_plans_agree_director",
)
def agree_director_plan(request, pk: int, director_id: int, body: CDAgreeIn):
    """Agree the director's plan (the place lead)."""
    return _agree(request, _director_plan(request.user, pk, director_id), body)


@router.get(
    "/programmes/{pk}/cd-plans/places/{code}",
    response=CDPlanOut,
    operation_id="pcndev_api_cd_plans_get_place",
)
def get_place_plan(request, pk: int, code: str):
    """A place's collective CD development plan (shared coaching, a leadership programme for all its CDs)."""
    return _plan_out(request, _place_plan(request.user, pk, code))


@router.post(
    "/programmes/{pk}/cd-plans/places/{code}/items",
    response={201: CDPlanOut, **WRITE},
    operation_id="pcndev_api_cd_plans_add_place_item",
)
def add_place_item(request, pk: int, code: str, body: CDItemIn):
    """Add an item to the place's collective plan (the place lead): within what the individual plans leave."""
    return _add(request, _place_plan(request.user, pk, code), body)


@router.post(
    "/programmes/{pk}/cd-plans/places/{code}/agree",
    response={200: CDPlanOut, **WRITE},
    operation_id="pcndev_api_cd_plans_agree_place",
)
def agree_place_plan(request, pk: int, code: str, body: CDAgreeIn):
    """Agree the place's collective plan (the place lead)."""
    return _agree(request, _place_plan(request.user, pk, code), body)
