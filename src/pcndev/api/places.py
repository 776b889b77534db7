"""Defining local places through the API, as the place editor does: a system lead (or its region lead, or a
national administrator) groups the system's PCNs into places, e.g. the boroughs inside a merged CCG.

One service (orgs.places) for the page, the CLI and here: every problem is listed at once and nothing is written
until all pass; the changes are audited."""

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from pcndev.accounts.permissions import can_define_places
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import Place, System
from pcndev.orgs.places import PlaceErrors, PlaceSpec, define_places, delete_place

router = Router(tags=["organisations"])


class PlaceProblem(Schema):
    detail: str
    reasons: list[str] = []


class PlaceIn(Schema):
    name: str = Field(description="The place's name, like Kingston")
    pcns: list[str] = Field(
        description="The codes of every PCN in the place (PCNs left out return to their CCG)"
    )


class DeletedPlaceOut(Schema):
    deleted: str = Field(description="The code of the place deleted")
    system: str


class DefinedPlaceOut(Schema):
    code: str
    name: str
    system: str
    kind: str
    pcns: list[str]


def _out(place: Place) -> dict:
    return {
        "code": place.code,
        "name": place.name,
        "system": place.system.code,
        "kind": place.kind,
        "pcns": sorted(place.pcns.values_list("code", flat=True)),
    }


def _system(request, code: str):
    system = get_visible_or_404(request.user, System, ("region",), code=code)
    return system, can_define_places(request.user, system)


@router.put(
    "/systems/{code}/places/{place_code}",
    response={200: DefinedPlaceOut, 201: DefinedPlaceOut, 403: PlaceProblem, 422: PlaceProblem},
    operation_id="pcndev_api_orgs_define_place",
)
def define_place(request, code: str, place_code: str, body: PlaceIn):
    """Create the place, or change its name and PCNs: it then holds exactly the PCNs listed."""
    system, decision = _system(request, code)
    if not decision:
        return Status(403, {"detail": decision.reason})
    place_code = place_code.strip().upper()  # as the place editor does
    existed = Place.objects.filter(code=place_code, system=system).exists()
    try:
        define_places(system, [PlaceSpec(place_code, body.name, body.pcns)], request.user)
    except PlaceErrors as exc:
        reasons = [e.split(": ", 1)[-1] for e in exc.errors]
        return Status(422, {"detail": "Check the place: " + "; ".join(reasons), "reasons": reasons})
    place = Place.objects.select_related("system").get(code=place_code)
    return Status(200 if existed else 201, _out(place))


@router.delete(
    "/systems/{code}/places/{place_code}",
    response={200: DeletedPlaceOut, 403: PlaceProblem, 422: PlaceProblem},
    operation_id="pcndev_api_orgs_delete_place",
)
def remove_place(request, code: str, place_code: str):
    """Delete a defined place that no longer holds PCNs (places from NHS data cannot be deleted)."""
    system, decision = _system(request, code)
    if not decision:
        return Status(403, {"detail": decision.reason})
    place = get_visible_or_404(request.user, Place, code=place_code, system=system, kind=Place.Kind.DEFINED)
    try:
        delete_place(place, request.user)
    except PlaceErrors as exc:
        return Status(422, {"detail": "; ".join(exc.errors), "reasons": exc.errors})
    return {"deleted": place.code, "system": system.code}
