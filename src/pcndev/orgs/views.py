"""The organisation browser: region → system → place → PCN → practice, with totals at every level."""

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import redirect, render

from pcndev.accounts.permissions import can_define_places, can_edit_pcn
from pcndev.accounts.scope import scope_for, visible
from pcndev.orgs import totals
from pcndev.orgs.breadcrumbs import breadcrumb_items
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import (
    PCN,
    USUAL_PCN_MAX,
    USUAL_PCN_MIN,
    ClinicalDirector,
    Place,
    Practice,
    PracticeMembership,
    Region,
    System,
)


def band_flag(patients: int) -> str:
    if patients < USUAL_PCN_MIN:
        return "Below 30,000"
    if patients > USUAL_PCN_MAX:
        return "Above 50,000"
    return ""


def _rows(children, level: str, as_of):
    by_id = totals.totals_by(level, [c.id for c in children], as_of)
    rows = [(child, by_id[child.id]) for child in children]
    return rows, totals.sum_totals(t for _, t in rows)


@login_required
def index(request):
    if not scope_for(request.user).national:
        return redirect("accounts:my-organisations")
    as_of = totals.latest_list_date()
    rows, total = _rows(list(Region.objects.all()), "region", as_of)
    return render(request, "orgs/index.jinja", {"rows": rows, "total": total, "as_of": as_of})


@login_required
def region_detail(request, code):
    region = get_visible_or_404(request.user, Region, code=code)
    as_of = totals.latest_list_date()
    rows, total = _rows(list(region.systems.all()), "system", as_of)
    return render(
        request,
        "orgs/region.jinja",
        {
            "region": region,
            "rows": rows,
            "total": total,
            "as_of": as_of,
            "crumbs": breadcrumb_items(request.user, region),
        },
    )


@login_required
def system_detail(request, code):
    system = get_visible_or_404(request.user, System, ("region",), code=code)
    as_of = totals.latest_list_date()
    places = list(system.places.filter(Q(pcns__isnull=False) | Q(home_practices__isnull=False)).distinct())
    rows, total = _rows(places, "place", as_of)
    return render(
        request,
        "orgs/system.jinja",
        {
            "system": system,
            "rows": rows,
            "total": total,
            "as_of": as_of,
            "crumbs": breadcrumb_items(request.user, system),
            "can_define": can_define_places(request.user, system),
        },
    )


@login_required
def place_detail(request, code):
    place = get_visible_or_404(request.user, Place, ("system__region",), code=code)
    as_of = totals.latest_list_date()
    pcns = list(place.pcns.all())
    by_id = totals.totals_by("pcn", [p.id for p in pcns], as_of)
    rows = [(pcn, by_id[pcn.id], band_flag(by_id[pcn.id].patients)) for pcn in pcns]
    place_total = totals.totals_by("place", [place.id], as_of)[place.id]
    unallocated = (
        place.home_practices.filter(
            ~Exists(PracticeMembership.objects.current().filter(practice=OuterRef("pk")))
        ).order_by("name")
        if place_total.unallocated_practices
        else []
    )
    return render(
        request,
        "orgs/place.jinja",
        {
            "place": place,
            "rows": rows,
            "total": place_total,
            "unallocated": unallocated,
            "unallocated_sizes": totals.practice_list_sizes([p.id for p in unallocated], as_of),
            "as_of": as_of,
            "crumbs": breadcrumb_items(request.user, place),
        },
    )


@login_required
def pcn_detail(request, code):
    pcn = get_visible_or_404(request.user, PCN, ("place__system__region", "payee"), code=code)
    as_of = totals.latest_list_date()
    memberships = list(
        PracticeMembership.objects.current()
        .filter(pcn=pcn)
        .select_related("practice")
        .order_by("practice__name")
    )
    sizes = totals.practice_list_sizes([m.practice_id for m in memberships], as_of)
    total = sum(sizes.values())
    return render(
        request,
        "orgs/pcn.jinja",
        {
            "pcn": pcn,
            "memberships": memberships,
            "sizes": sizes,
            "total": total,
            "flag": band_flag(total),
            "directors": list(ClinicalDirector.objects.filter(pcn=pcn)),
            "as_of": as_of,
            "crumbs": breadcrumb_items(request.user, pcn),
            "can_edit": can_edit_pcn(request.user, pcn),
        },
    )


@login_required
def practice_detail(request, code):
    practice = get_visible_or_404(request.user, Practice, code=code)
    practice = (
        Practice.objects.select_related("home_place__system__region")
        .prefetch_related(
            Prefetch(
                "memberships",
                PracticeMembership.objects.select_related("pcn__place__system__region").order_by(
                    "-valid_from"
                ),
            ),
            "list_sizes",
        )
        .get(pk=practice.pk)
    )
    memberships = list(practice.memberships.all())
    current = next((m for m in memberships if m.valid_to is None), None)
    practice.current_pcn = current.pcn if current else None
    return render(
        request,
        "orgs/practice.jinja",
        {
            "practice": practice,
            "memberships": memberships,
            "current": current,
            "list_sizes": list(practice.list_sizes.all()),
            "crumbs": breadcrumb_items(request.user, practice),
        },
    )


SEARCH_LIMIT = 25


@login_required
def search(request):
    # NUL characters are dropped: PostgreSQL cannot compare them, and no name or code has one
    query = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    results = []
    if query:
        match = Q(code__iexact=query) | Q(name__icontains=query)
        for model, label in (
            (Region, "Region"),
            (System, "System"),
            (Place, "Place"),
            (PCN, "PCN"),
            (Practice, "Practice"),
        ):
            for obj in visible(request.user, model).filter(match).order_by("name")[:SEARCH_LIMIT]:
                results.append((label, obj))
    return render(request, "orgs/search.jinja", {"query": query, "results": results, "limit": SEARCH_LIMIT})
