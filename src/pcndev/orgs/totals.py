"""Registered-patient totals per org node, in a fixed number of grouped queries whatever the tree's size.

A practice counts under its current PCN; a practice with no PCN counts under its home place, shown as
"not in a PCN". So a place's total is its PCNs' totals plus its unallocated practices, and every level
above reconciles with the sum of its children.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Sum

from pcndev.orgs.models import PCN, ListSize, Practice, PracticeMembership

# How each level is reached from a PCN and from a place.
PCN_PATH = {
    "region": "place__system__region_id",
    "system": "place__system_id",
    "place": "place_id",
    "pcn": "id",
}
PLACE_PATH = {"region": "system__region_id", "system": "system_id", "place": "id"}


@dataclass
class Totals:
    pcns: int = 0
    practices: int = 0
    patients: int = 0
    practices_without_list_size: int = 0
    unallocated_practices: int = 0
    unallocated_patients: int = 0

    @property
    def all_practices(self) -> int:
        return self.practices + self.unallocated_practices

    @property
    def all_patients(self) -> int:
        return self.patients + self.unallocated_patients


def latest_list_date() -> datetime.date | None:
    return ListSize.objects.aggregate(d=Max("as_of"))["d"]


def _current_membership():
    return PracticeMembership.objects.filter(practice=OuterRef("practice_id"), valid_to__isnull=True)


def totals_by(level: str, ids, as_of: datetime.date | None) -> dict[int, Totals]:
    """Totals for each node id at `level` (region/system/place/pcn)."""
    ids = list(ids)
    out: dict[int, Totals] = defaultdict(Totals)
    if not ids:
        return out
    pcn_key = PCN_PATH[level]
    via_pcn = "pcn__" + pcn_key if level != "pcn" else "pcn_id"
    if level != "pcn":
        for row in PCN.objects.filter(**{f"{pcn_key}__in": ids}).values(pcn_key).annotate(n=Count("id")):
            out[row[pcn_key]].pcns = row["n"]
    members = PracticeMembership.objects.filter(valid_to__isnull=True, **{f"{via_pcn}__in": ids})
    for row in members.values(via_pcn).annotate(n=Count("id")):
        out[row[via_pcn]].practices = row["n"]
    if as_of:
        sizes = ListSize.objects.filter(
            as_of=as_of,
            practice__memberships__valid_to__isnull=True,
            **{f"practice__memberships__{via_pcn}__in": ids},
        )
        key = f"practice__memberships__{via_pcn}"
        for row in sizes.values(key).annotate(total=Sum("patients"), n=Count("id")):
            totals = out[row[key]]
            totals.patients = row["total"]
            totals.practices_without_list_size = totals.practices - row["n"]
    if level != "pcn":
        place_key = "home_place__" + PLACE_PATH[level]
        has_pcn = Exists(PracticeMembership.objects.filter(practice=OuterRef("pk"), valid_to__isnull=True))
        loose = Practice.objects.filter(~has_pcn, **{f"{place_key}__in": ids})
        for row in loose.values(place_key).annotate(n=Count("id")):
            out[row[place_key]].unallocated_practices = row["n"]
        if as_of:
            loose_sizes = ListSize.objects.filter(
                ~Exists(_current_membership()), as_of=as_of, **{f"practice__{place_key}__in": ids}
            )
            key = f"practice__{place_key}"
            for row in loose_sizes.values(key).annotate(total=Sum("patients")):
                out[row[key]].unallocated_patients = row["total"]
    return out


def sum_totals(parts) -> Totals:
    total = Totals()
    for part in parts:
        total.pcns += part.pcns
        total.practices += part.practices
        total.patients += part.patients
        total.practices_without_list_size += part.practices_without_list_size
        total.unallocated_practices += part.unallocated_practices
        total.unallocated_patients += part.unallocated_patients
    return total


def practice_list_sizes(practice_ids, as_of: datetime.date | None) -> dict[int, int]:
    if not as_of:
        return {}
    rows = ListSize.objects.filter(as_of=as_of, practice_id__in=list(practice_ids)).values_list(
        "practice_id", "patients"
    )
    return dict(rows)
