"""Reading the engine's inputs from the register: PCNs in a scope, their list sizes and CD roles."""

import datetime
from collections import defaultdict

from django.db.models import Exists, OuterRef, Sum

from pcndev.funding.allocation import PCNInput, PracticeInput
from pcndev.orgs.models import PCN, ClinicalDirector, ListSize, Place, Practice, PracticeMembership, System


class ScopeError(ValueError):
    pass


def resolve_scope(scope: str) -> tuple[str, str, object]:
    """`national`, a system ODS code or a place code → (level, code, node)."""
    if scope == "national":
        return "national", "", None
    system = System.objects.filter(code=scope).first()
    if system:
        return "system", system.code, system
    place = Place.objects.filter(code=scope).first()
    if place:
        return "place", place.code, place
    raise ScopeError(f"Unknown scope {scope!r}: use 'national', a system ODS code or a place code")


def pcns_in(level: str, node):
    qs = PCN.objects.select_related("place__system")
    if level == "system":
        return qs.filter(place__system=node)
    if level == "place":
        return qs.filter(place=node)
    return qs


def build_inputs(level: str, node, as_of: datetime.date) -> tuple[list[PCNInput], dict]:
    """Engine inputs for every PCN in scope, and the practices in scope that have no PCN."""
    if not ListSize.objects.filter(as_of=as_of).exists():
        raise ScopeError(
            f"No list sizes are held for {as_of.isoformat()}; import them first or choose another date"
        )
    pcns = list(pcns_in(level, node))
    sizes = dict(
        ListSize.objects.filter(
            as_of=as_of,
            practice__memberships__valid_to__isnull=True,
            practice__memberships__pcn__in=pcns,
        )
        .values("practice__memberships__pcn_id")
        .annotate(total=Sum("patients"))
        .values_list("practice__memberships__pcn_id", "total")
    )
    roles = defaultdict(int)
    for pcn_id, share in ClinicalDirector.objects.filter(pcn__in=pcns).values_list("pcn_id", "share_percent"):
        roles[pcn_id] += share
    inputs = [
        PCNInput(
            code=p.code,
            name=p.name,
            place_code=p.place.code,
            place_name=p.place.name,
            system_code=p.place.system.code,
            system_name=p.place.system.name,
            list_size=sizes.get(p.id, 0),
            cd_roles=roles.get(p.id) or 100,
        )
        for p in pcns
    ]
    return inputs, _unallocated(level, node, as_of)


def _unallocated(level: str, node, as_of) -> dict:
    current = PracticeMembership.objects.filter(practice=OuterRef("pk"), valid_to__isnull=True)
    loose = Practice.objects.filter(~Exists(current))
    if level == "system":
        loose = loose.filter(home_place__system=node)
    elif level == "place":
        loose = loose.filter(home_place=node)
    patients = ListSize.objects.filter(as_of=as_of, practice__in=loose).aggregate(n=Sum("patients"))["n"] or 0
    return {"practices": loose.count(), "patients": patients}


def practice_inputs(pcn: PCN, as_of: datetime.date):
    """The PCN's current practices with their list sizes on `as_of` (0 when no figure), for information shares."""
    members = (
        PracticeMembership.objects.current()
        .filter(pcn=pcn)
        .select_related("practice")
        .order_by("practice__code")
    )
    sizes = dict(
        ListSize.objects.filter(as_of=as_of, practice__in=[m.practice_id for m in members]).values_list(
            "practice_id", "patients"
        )
    )
    return [PracticeInput(m.practice.code, m.practice.name, sizes.get(m.practice_id, 0)) for m in members]
