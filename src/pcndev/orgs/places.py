"""Defining local places: grouping a system's PCNs, e.g. the boroughs inside a merged CCG.

One service for the UI form and `pcndev places define`: every problem is collected first, then all
changes are written in one transaction and audited.
"""

import re
from dataclasses import dataclass, field

from django.db import transaction

from pcndev.audit.services import Change, record_many, snapshot
from pcndev.orgs.models import PCN, Place, System

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


@dataclass
class PlaceSpec:
    code: str
    name: str
    pcn_codes: list[str] = field(default_factory=list)


class PlaceErrors(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class PlaceResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved_pcns: int = 0


def validate(system: System, specs: list[PlaceSpec]) -> list[str]:
    errors = []
    pcns = {p.code: p for p in PCN.objects.filter(place__system=system)}
    other_places = {
        p.code: p for p in Place.objects.exclude(system=system).filter(code__in=[s.code for s in specs])
    }
    imported = set(
        Place.objects.filter(system=system, code__in=[s.code for s in specs])
        .exclude(kind=Place.Kind.DEFINED)
        .values_list("code", flat=True)
    )
    claimed: dict[str, str] = {}
    seen_codes: set[str] = set()
    for n, spec in enumerate(specs, start=1):
        label = f"Place {n} ({spec.code or 'no code'})"
        if not CODE_PATTERN.match(spec.code or ""):
            errors.append(
                f"{label}: code must be 2–20 capital letters, digits or hyphens, like KINGSTON or SWL-KIN"
            )
        if spec.code in seen_codes:
            errors.append(f"{label}: code {spec.code} is used twice")
        seen_codes.add(spec.code)
        if spec.code in other_places:
            errors.append(
                f"{label}: code {spec.code} is already used by {other_places[spec.code]} in another system"
            )
        if spec.code in imported:
            errors.append(
                f"{label}: {spec.code} is a CCG / sub-ICB location from NHS data and cannot be redefined"
            )
        if not (spec.name or "").strip():
            errors.append(f"{label}: enter a name")
        elif len(spec.name) > 200:
            errors.append(f"{label}: name must be 200 characters or fewer")
        for code in spec.pcn_codes:
            if code not in pcns:
                errors.append(f"{label}: PCN {code} is not in {system}")
            elif code in claimed:
                errors.append(f"{label}: PCN {code} is already in place {claimed[code]}")
            else:
                claimed[code] = spec.code
    return errors


@transaction.atomic
def define_places(
    system: System, specs: list[PlaceSpec], user=None, release_others: bool = True
) -> PlaceResult:
    """Create or update each local place with exactly the PCNs listed.

    PCNs that a defined place no longer lists go back to their CCG / sub-ICB place.
    """
    errors = validate(system, specs)
    if errors:
        raise PlaceErrors(errors)
    result = PlaceResult()
    changes: list[Change] = []
    for spec in specs:
        place = Place.objects.select_for_update().filter(code=spec.code).first()
        if place is None:
            place = Place.objects.create(
                code=spec.code, name=spec.name.strip(), kind=Place.Kind.DEFINED, system=system
            )
            result.created.append(place.code)
            changes.append(
                Change("place.created", place, None, snapshot(place, ["code", "name", "kind", "system"]))
            )
        elif place.name != spec.name.strip():
            before = snapshot(place, ["name"])
            place.name = spec.name.strip()
            place.save(update_fields=["name"])
            result.updated.append(place.code)
            changes.append(Change("place.updated", place, before, snapshot(place, ["name"])))
        wanted = set(spec.pcn_codes)
        for pcn in PCN.objects.select_for_update().filter(place__system=system):
            if pcn.code in wanted and pcn.place_id != place.id:
                changes.append(_move(pcn, place, PCN.PlaceSource.MANUAL))
                result.moved_pcns += 1
            elif release_others and pcn.code not in wanted and pcn.place_id == place.id:
                changes.append(_move(pcn, pcn.imported_place or place, PCN.PlaceSource.IMPORTED))
                result.moved_pcns += 1
    record_many(user, changes)
    return result


def _move(pcn: PCN, place: Place, source: str) -> Change:
    before = snapshot(pcn, ["place", "place_source"])
    pcn.place = place
    pcn.place_source = source
    pcn.save(update_fields=["place", "place_source"])
    return Change("pcn.place_changed", pcn, before, snapshot(pcn, ["place", "place_source"]))


@transaction.atomic
def delete_place(place: Place, user=None) -> None:
    if not place.is_defined:
        raise PlaceErrors([f"{place} comes from NHS data and cannot be deleted"])
    if place.pcns.exists() or place.home_practices.exists():
        raise PlaceErrors([f"Move the PCNs out of {place} before deleting it"])
    record_many(user, [Change("place.deleted", place, snapshot(place, ["code", "name", "system"]), None)])
    place.delete()
