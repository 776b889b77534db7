"""The programme-wide ledger history: the entries a user may see, narrowed by filters.

Every query here starts from `visible(user, PCN)`, so a filter can only narrow what the user's roles reach.
The number of queries does not depend on the number of entries or PCNs.
"""

import datetime
from dataclasses import dataclass

from pcndev.accounts.scope import visible
from pcndev.funding.ledger import GROUP_PATH
from pcndev.funding.models import LedgerEntry, Programme
from pcndev.orgs.models import PCN, Place, System

LEVELS = {"system": System, "place": Place, "pcn": PCN}
LEVEL_LABELS = {"system": "System", "place": "Place", "pcn": "PCN"}
UNKNOWN_SCOPE = "Choose a system, place or PCN you can see from the list"


@dataclass(frozen=True)
class LedgerFilter:
    level: str | None = None  # system, place or pcn; None for everything the user can see
    node_id: int | None = None
    kind: str | None = None
    fund: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def scope_choices(user) -> list[tuple[str, str]]:
    """(value, label) for every system, place and PCN the user can see: three queries, whatever the size."""
    choices = []
    for level, model in LEVELS.items():
        for code, name in visible(user, model).order_by("name").values_list("code", "name"):
            choices.append((f"{level}:{code}", f"{LEVEL_LABELS[level]}: {name} ({code})"))
    return choices


def resolve_scope(user, value: str) -> tuple[str, int]:
    """'pcn:U12345' → ('pcn', id) if the user can see it; ValueError (with no hint it exists) otherwise."""
    level, _, code = value.partition(":")
    model = LEVELS.get(level)
    node_id = visible(user, model).filter(code=code).values_list("id", flat=True).first() if model else None
    if node_id is None:
        raise ValueError(UNKNOWN_SCOPE)
    return level, node_id


def entries_for(programme: Programme, user, f: LedgerFilter = LedgerFilter()):
    """The entries of PCNs in the user's subtree that match the filter, newest first."""
    entries = LedgerEntry.objects.filter(programme=programme, pcn__in=visible(user, PCN))
    if f.level:
        entries = entries.filter(**{GROUP_PATH[f.level]: f.node_id})
    if f.kind:
        entries = entries.filter(kind=f.kind)
    if f.fund:
        entries = entries.filter(fund=f.fund)
    if f.date_from:
        entries = entries.filter(entry_date__gte=f.date_from)
    if f.date_to:
        entries = entries.filter(entry_date__lte=f.date_to)
    return entries.select_related("pcn", "reverses", "created_by").order_by("-entry_date", "-id")


def describe(entry: LedgerEntry) -> str:
    """'Release to payee', or 'Reversal of commitment' for a reversal."""
    label = entry.get_kind_display()
    if entry.reverses_id is not None:
        label += f" of {entry.reverses.get_kind_display().lower()}"
    return label
