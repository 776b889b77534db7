"""Recording audit events. Services call `record` (or `record_many`) inside their own transaction."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from pcndev.audit.models import AuditEvent


@dataclass(frozen=True)
class Change:
    action: str
    obj: Any  # a model instance, or a `Target`
    before: dict | None = None
    after: dict | None = None
    note: str = ""


@dataclass(frozen=True)
class Target:
    """What an event is about when that is not one model instance, e.g. every practice one import created.

    object_id must not look like a primary key of object_type (say ``import-run:12``), so that looking up one
    row's events by (object_type, object_id) never finds it.
    """

    object_type: str
    object_id: str
    object_repr: str


def _target(obj) -> tuple[str, str, str]:
    if isinstance(obj, Target):
        return obj.object_type, obj.object_id, obj.object_repr[:300]
    return obj._meta.label_lower, str(obj.pk), str(obj)[:300]


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": "system"}
    return {"actor": actor, "actor_label": actor.get_username()}


def _event(actor_fields: dict, change: Change) -> AuditEvent:
    object_type, object_id, object_repr = _target(change.obj)
    return AuditEvent(
        **actor_fields,
        action=change.action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=change.before,
        after=change.after,
        note=change.note,
    )


def record(actor, action: str, obj, before: dict | None = None, after: dict | None = None, note: str = ""):
    return _event(_actor_fields(actor), Change(action, obj, before, after, note)).save() or None


_COLUMNS = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "note",
)


def record_many(actor, changes: Iterable[Change]) -> int:
    """Append many events with one INSERT … executemany (allocation runs write one per ledger entry).

    JSON and the timestamp go through the fields' own preparation, so rows match what the ORM writes.
    """
    changes = list(changes)
    if not changes:
        return 0
    conn = connections[DEFAULT_DB_ALIAS]
    meta = AuditEvent._meta
    at = meta.get_field("at").get_db_prep_save(timezone.now(), conn)
    prep_json = meta.get_field("before").get_db_prep_save
    fields = _actor_fields(actor)
    actor_id = fields["actor"].pk if fields["actor"] is not None else None
    label = fields["actor_label"]
    rows = [
        (
            at,
            actor_id,
            label,
            c.action,
            *_target(c.obj),
            None if c.before is None else prep_json(c.before, conn),
            None if c.after is None else prep_json(c.after, conn),
            c.note,
        )
        for c in changes
    ]
    qn = conn.ops.quote_name
    columns = ", ".join(qn(meta.get_field(name).column) for name in _COLUMNS)
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
    with conn.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def snapshot(obj, fields: Iterable[str]) -> dict:
    """A JSON-safe picture of the named fields, for before/after."""
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if hasattr(value, "pk"):
            value = value.pk
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[name] = value
    return out
