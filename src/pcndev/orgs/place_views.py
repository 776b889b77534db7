"""The place editor: a system lead groups the system's PCNs into local places."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render

from pcndev.accounts.permissions import can_define_places
from pcndev.config.views import forbidden
from pcndev.orgs.breadcrumbs import breadcrumb_items
from pcndev.orgs.forms import PlaceForm
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, Place, System
from pcndev.orgs.places import PlaceErrors, PlaceSpec, define_places, delete_place


def _pcn_choices(system):
    pcns = PCN.objects.filter(place__system=system).select_related("place").order_by("name")
    return [(p.code, f"{p.name} ({p.code}) — now in {p.place.name}") for p in pcns]


@login_required
def place_list(request, code):
    system = get_visible_or_404(request.user, System, ("region",), code=code)
    decision = can_define_places(request.user, system)
    places = Place.objects.filter(system=system).order_by("kind", "name").annotate(pcn_count=Count("pcns"))
    return render(
        request,
        "orgs/place_list.jinja",
        {
            "system": system,
            "places": places,
            "decision": decision,
            "crumbs": breadcrumb_items(request.user, system),
        },
    )


@login_required
def place_edit(request, code, place_code=None):
    system = get_visible_or_404(request.user, System, ("region",), code=code)
    decision = can_define_places(request.user, system)
    if not decision:
        return forbidden(request, decision.reason)
    place = None
    if place_code:
        place = get_visible_or_404(
            request.user, Place, code=place_code, system=system, kind=Place.Kind.DEFINED
        )
    choices = _pcn_choices(system)
    if request.method == "POST":
        if "delete" in request.POST and place:
            try:
                delete_place(place, request.user)
            except PlaceErrors as exc:
                for error in exc.errors:
                    messages.error(request, error)
                return redirect("orgs:place-edit", code=system.code, place_code=place.code)
            messages.success(request, f"{place.name} was deleted")
            return redirect("orgs:place-list", code=system.code)
        form = PlaceForm(request.POST, pcn_choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            if place and data["code"] != place.code:
                form.add_error("code", "The code of an existing place cannot change")
            else:
                try:
                    define_places(
                        system, [PlaceSpec(data["code"], data["name"], list(data["pcns"]))], request.user
                    )
                except PlaceErrors as exc:
                    for error in exc.errors:
                        form.add_error(None, error.split(": ", 1)[-1])
                else:
                    messages.success(request, f"{data['name']} was saved with {len(data['pcns'])} PCNs")
                    return redirect("orgs:place", code=data["code"])
    else:
        initial = {}
        if place:
            initial = {
                "name": place.name,
                "code": place.code,
                "pcns": list(place.pcns.values_list("code", flat=True)),
            }
        form = PlaceForm(initial=initial, pcn_choices=choices)
    return render(
        request,
        "orgs/place_edit.jinja",
        {"system": system, "place": place, "form": form, "crumbs": breadcrumb_items(request.user, system)},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
