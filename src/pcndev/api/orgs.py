"""Read endpoints for the organisation tree and list sizes, scoped exactly as the pages are."""

import datetime

from django.db.models import Q
from ninja import Router, Schema
from ninja.pagination import paginate

from pcndev.accounts.scope import visible
from pcndev.api.pagination import BoundedLimitOffset
from pcndev.orgs import totals
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, ListSize, Place, Practice, PracticeMembership, Region, System

router = Router(tags=["organisations"])


class RoleOut(Schema):
    role: str
    level: str
    code: str | None


class MeOut(Schema):
    email: str
    full_name: str
    roles: list[RoleOut]


class NodeOut(Schema):
    code: str
    name: str
    pcns: int
    practices: int
    patients: int
    unallocated_practices: int
    unallocated_patients: int


class PCNOut(Schema):
    code: str
    name: str
    place: str
    practices: int
    patients: int


class DirectorOut(Schema):
    name: str
    share_percent: int


class PracticeOut(Schema):
    code: str
    name: str
    postcode: str
    pcn: str | None
    home_place: str


class PCNDetailOut(PCNOut):
    system: str
    payee: str | None
    clinical_directors: list[DirectorOut]
    list_size_date: datetime.date | None
    member_practices: list[PracticeOut]


class ListSizeOut(Schema):
    as_of: datetime.date
    patients: int


def _node_rows(level: str, nodes) -> list[dict]:
    nodes = list(nodes)
    by_id = totals.totals_by(level, [n.id for n in nodes], totals.latest_list_date())
    return [
        {
            "code": n.code,
            "name": n.name,
            "pcns": by_id[n.id].pcns,
            "practices": by_id[n.id].all_practices,
            "patients": by_id[n.id].all_patients,
            "unallocated_practices": by_id[n.id].unallocated_practices,
            "unallocated_patients": by_id[n.id].unallocated_patients,
        }
        for n in nodes
    ]


@router.get("/me", response=MeOut)
def me(request):
    memberships = request.user.role_memberships.select_related("region", "system", "place", "pcn", "practice")
    roles = [{"role": m.role, "level": m.level, "code": m.node.code if m.node else None} for m in memberships]
    return {"email": request.user.email, "full_name": request.user.full_name, "roles": roles}


@router.get("/regions", response=list[NodeOut])
def list_regions(request):
    return _node_rows("region", visible(request.user, Region))


@router.get("/regions/{code}", response=NodeOut)
def get_region(request, code: str):
    return _node_rows("region", [get_visible_or_404(request.user, Region, code=code)])[0]


@router.get("/systems", response=list[NodeOut])
def list_systems(request, region: str | None = None):
    qs = visible(request.user, System)
    if region:
        qs = qs.filter(region__code=region)
    return _node_rows("system", qs)


@router.get("/systems/{code}", response=NodeOut)
def get_system(request, code: str):
    return _node_rows("system", [get_visible_or_404(request.user, System, code=code)])[0]


@router.get("/places", response=list[NodeOut])
def list_places(request, system: str | None = None):
    qs = visible(request.user, Place)
    if system:
        qs = qs.filter(system__code=system)
    return _node_rows("place", qs)


@router.get("/places/{code}", response=NodeOut)
def get_place(request, code: str):
    return _node_rows("place", [get_visible_or_404(request.user, Place, code=code)])[0]


def _pcn_rows(pcns) -> list[dict]:
    pcns = list(pcns)
    by_id = totals.totals_by("pcn", [p.id for p in pcns], totals.latest_list_date())
    return [
        {
            "code": p.code,
            "name": p.name,
            "place": p.place.code,
            "practices": by_id[p.id].practices,
            "patients": by_id[p.id].patients,
        }
        for p in pcns
    ]


@router.get("/pcns", response=list[PCNOut])
@paginate(BoundedLimitOffset)
def list_pcns(request, place: str | None = None, system: str | None = None, q: str | None = None):
    qs = visible(request.user, PCN).select_related("place").order_by("code")
    if place:
        qs = qs.filter(place__code=place)
    if system:
        qs = qs.filter(place__system__code=system)
    if q:
        qs = qs.filter(Q(code__iexact=q) | Q(name__icontains=q))
    return _LazyRows(qs, _pcn_rows)


@router.get("/pcns/{code}", response=PCNDetailOut)
def get_pcn(request, code: str):
    pcn = get_visible_or_404(request.user, PCN, ("place__system", "payee"), code=code)
    members = PracticeMembership.objects.current().filter(pcn=pcn).select_related("practice__home_place")
    row = _pcn_rows([pcn])[0]
    return {
        **row,
        "system": pcn.place.system.code,
        "payee": pcn.payee.name if pcn.payee else None,
        "clinical_directors": list(pcn.clinical_directors.all()),
        "list_size_date": totals.latest_list_date(),
        "member_practices": [_practice_row(m.practice, pcn.code) for m in members.order_by("practice__code")],
    }


def _practice_row(practice: Practice, pcn_code: str | None) -> dict:
    return {
        "code": practice.code,
        "name": practice.name,
        "postcode": practice.postcode,
        "pcn": pcn_code,
        "home_place": practice.home_place.code,
    }


@router.get("/practices", response=list[PracticeOut])
@paginate(BoundedLimitOffset)
def list_practices(request, pcn: str | None = None, q: str | None = None):
    qs = visible(request.user, Practice).select_related("home_place").order_by("code")
    if pcn:
        qs = qs.filter(memberships__valid_to__isnull=True, memberships__pcn__code=pcn)
    if q:
        qs = qs.filter(Q(code__iexact=q) | Q(name__icontains=q))
    return _LazyRows(qs, _practice_rows)


def _practice_rows(practices) -> list[dict]:
    practices = list(practices)
    current = dict(
        PracticeMembership.objects.current()
        .filter(practice__in=practices)
        .values_list("practice_id", "pcn__code")
    )
    return [_practice_row(p, current.get(p.id)) for p in practices]


@router.get("/practices/{code}", response=PracticeOut)
def get_practice(request, code: str):
    practice = get_visible_or_404(request.user, Practice, ("home_place",), code=code)
    return _practice_rows([practice])[0]


@router.get("/practices/{code}/list-sizes", response=list[ListSizeOut])
def practice_list_sizes(request, code: str):
    practice = get_visible_or_404(request.user, Practice, code=code)
    return list(ListSize.objects.filter(practice=practice).order_by("as_of"))


class _LazyRows:
    """A sliceable wrapper so the paginator slices the queryset first, then one batch query builds the page."""

    def __init__(self, queryset, build):
        self.queryset, self.build = queryset, build

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return self.build(self.queryset[item])
