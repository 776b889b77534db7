"""The difference between a revised plan version and the version it revises, pure (no Django).

Initiatives are matched by lineage (a copy's `previous` is its original): an initiative is added, removed,
changed (with each changed field's before and after) or unchanged.
"""

from dataclasses import dataclass, field

LABELS = {
    "title": "Title",
    "description": "Description",
    "support_required": "Support required",
    "cost_pence": "Cost",
    "funding_source": "Funding source",
    "provider_type": "Provider",
    "domain": "Support domain",
    "area": "Maturity area",
    "start_month": "Start",
    "end_month": "End",
    "measures": "Output measures",
}


@dataclass(frozen=True)
class Snapshot:
    id: int
    previous_id: int | None
    values: dict  # field -> display value (measures as a tuple of strings)


@dataclass
class Change:
    kind: str  # added / removed / changed / unchanged
    title: str
    fields: list[tuple[str, object, object]] = field(default_factory=list)  # (label, before, after)
    cost_before: int = 0
    cost_after: int = 0


def diff(old: list[Snapshot], new: list[Snapshot]) -> list[Change]:
    by_id = {s.id: s for s in old}
    matched = set()
    out = []
    for s in new:
        before = by_id.get(s.previous_id)
        if before is None:
            out.append(Change("added", s.values["title"], cost_after=s.values["cost_pence"]))
            continue
        matched.add(before.id)
        fields = [
            (LABELS[k], before.values.get(k), v)
            for k, v in s.values.items()
            if k in LABELS and before.values.get(k) != v
        ]
        out.append(
            Change(
                "changed" if fields else "unchanged",
                s.values["title"],
                fields,
                before.values["cost_pence"],
                s.values["cost_pence"],
            )
        )
    out += [
        Change("removed", s.values["title"], cost_before=s.values["cost_pence"])
        for s in old
        if s.id not in matched
    ]
    return out


def total_change(changes: list[Change]) -> int:
    return sum(c.cost_after - c.cost_before for c in changes)
