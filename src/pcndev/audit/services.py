"""Recording audit events. Services call `record` (or `record_many`) inside their own transaction."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pcndev.audit.models import AuditEvent


@dataclass(frozen=True)
class Change:
    action: str
    obj: Any
    before: dict | None = None
    after: dict | None = None
    note: str = ""


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": "system"}
    return {"actor": actor, "actor_label": actor.get_username()}


def _event(actor_fields: dict, change: Change) -> AuditEvent:
    obj = change.obj
    return AuditEvent(
        **actor_fields,
        action=change.action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=change.before,
        after=change.after,
        note=change.note,
    )


def record(actor, action: str, obj, before: dict | None = None, after: dict | None = None, note: str = ""):
    return _event(_actor_fields(actor), Change(action, obj, before, after, note)).save() or None


def record_many(actor, changes: Iterable[Change], batch_size: int = 2000) -> int:
    fields = _actor_fields(actor)
    events = [_event(fields, change) for change in changes]
    AuditEvent.objects.bulk_create(events, batch_size=batch_size)
    return len(events)


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
