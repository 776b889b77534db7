"""What the two NHS files say the organisation tree looks like (no database).

A PCN's place is the CCG / sub-ICB location holding most of its patients at the list-size date; ties go to
the place with most of its practices, then the lowest code. A practice missing from the list-size file counts
as 0 patients.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from pcndev.orgs.importers.nhs_files import CCG_ERA, ListSizeFile, MappingFile

UNALLOCATED = "U"


@dataclass(slots=True)
class OrgSpec:
    """A region, system or place: parent is the parent's code (none for regions)."""

    code: str
    name: str
    ons_code: str | None
    parent: str | None
    row: int


@dataclass(slots=True)
class PcnSpec:
    code: str
    name: str
    place: str = ""
    row: int = 0


class PracticeSpec(NamedTuple):
    code: str
    name: str
    postcode: str | None
    place: str
    pcn: str | None  # None: not in a PCN (code U)


@dataclass
class Snapshot:
    era: str
    mapping_date: datetime.date
    list_date: datetime.date
    regions: dict[str, OrgSpec] = field(default_factory=dict)
    systems: dict[str, OrgSpec] = field(default_factory=dict)
    places: dict[str, OrgSpec] = field(default_factory=dict)
    pcns: dict[str, PcnSpec] = field(default_factory=dict)
    practices: dict[str, PracticeSpec] = field(default_factory=dict)
    list_sizes: dict[str, int] = field(default_factory=dict)  # mapped practices only
    unmapped_practices: int = 0
    unmapped_patients: int = 0
    pcns_spanning_places: list[str] = field(default_factory=list)

    @property
    def place_kind(self) -> str:
        return "ccg" if self.era == CCG_ERA else "sub_icb"

    @property
    def system_kind(self) -> str:
        return "stp" if self.era == CCG_ERA else "icb"


def build_snapshot(mapping: MappingFile, lists: ListSizeFile, list_date: datetime.date) -> Snapshot:
    snap = Snapshot(mapping.era, mapping.extract_date, list_date)
    regions, systems, places, pcns, practices = (
        snap.regions,
        snap.systems,
        snap.places,
        snap.pcns,
        snap.practices,
    )
    sizes, list_sizes = lists.sizes, snap.list_sizes
    # pcn -> place -> [patients, practices]
    weight: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in mapping.rows:
        (row, code, name, postcode, pcn, pcn_name, place, place_name, place_ons) = r[:9]
        if r.region_code not in regions:
            regions[r.region_code] = OrgSpec(r.region_code, r.region_name, r.region_ons, None, row)
        if r.system_code not in systems:
            systems[r.system_code] = OrgSpec(r.system_code, r.system_name, r.system_ons, r.region_code, row)
        if place not in places:
            places[place] = OrgSpec(place, place_name, place_ons, r.system_code, row)
        patients = sizes.get(code)
        if patients is not None:
            list_sizes[code] = patients
        if pcn.upper() == UNALLOCATED:
            pcn = None
        else:
            if pcn not in pcns:
                pcns[pcn] = PcnSpec(pcn, pcn_name, row=row)
            w = weight[pcn][place]
            w[0] += patients or 0
            w[1] += 1
        practices[code] = PracticeSpec(code, name, postcode, place, pcn)
    for code, by_place in weight.items():
        pcns[code].place = min(by_place, key=lambda p: (-by_place[p][0], -by_place[p][1], p))
        if len(by_place) > 1:
            snap.pcns_spanning_places.append(code)
    snap.pcns_spanning_places.sort()
    unmapped = [n for code, n in sizes.items() if code not in practices]
    snap.unmapped_practices, snap.unmapped_patients = len(unmapped), sum(unmapped)
    return snap
