"""Which tables a backup holds, in what order, and with which columns.

Every concrete, managed model table in the app registry is included, auto-created many-to-many tables too,
Django's own (content types, permissions, groups, the admin log) and the axes log-in records. Content types
and permissions are included because other rows point at their ids; a restore replaces them.

Left out: sessions (log-ins are not data: a restore clears them, so everyone signs in again), database cache
tables (not models; a restore clears them too, so nothing cached from the old data survives) and
django_migrations (the schema, which a restore checks instead of loading).
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models

NOT_BACKED_UP = frozenset({"django_session"})
# Filled by `migrate` itself (post_migrate), so they do not make a database "non-empty".
FILLED_BY_MIGRATE = frozenset({"django_content_type", "auth_permission"})


@dataclass(frozen=True)
class TableSpec:
    model: type[models.Model]
    table: str
    fields: tuple[models.Field, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def columns(self) -> list[str]:
        return [f.column for f in self.fields]

    @property
    def attnames(self) -> list[str]:
        return [f.attname for f in self.fields]


def _spec(model) -> TableSpec:
    fields = tuple(f for f in model._meta.concrete_fields if not getattr(f, "generated", False))
    return TableSpec(model=model, table=model._meta.db_table, fields=fields)


def _dependency_order(specs: list[TableSpec]) -> list[TableSpec]:
    """Parents before children (foreign keys), otherwise registry order; cycles keep registry order.

    The order only matters for reading a backup: foreign keys are deferred to the end of the restore's
    transaction on both SQLite and PostgreSQL, so a cycle loads as well as a tree.
    """
    by_table = {s.table: s for s in specs}
    parents = {
        s.table: {
            f.related_model._meta.db_table for f in s.fields if f.is_relation and f.related_model is not None
        }
        & (by_table.keys() - {s.table})
        for s in specs
    }
    ordered: list[TableSpec] = []
    placed: set[str] = set()
    pending = [s.table for s in specs]
    while pending:
        ready = [t for t in pending if parents[t] <= placed] or pending[:1]
        for table in ready:
            ordered.append(by_table[table])
            placed.add(table)
        pending = [t for t in pending if t not in placed]
    return ordered


def backup_tables() -> list[TableSpec]:
    """The backed-up tables, in dependency order."""
    seen: dict[str, TableSpec] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in NOT_BACKED_UP:
            continue
        seen.setdefault(meta.db_table, _spec(model))
    return _dependency_order(list(seen.values()))


def data_tables(specs: list[TableSpec]) -> list[TableSpec]:
    """The tables whose rows make a database non-empty (everything `migrate` does not fill itself)."""
    return [s for s in specs if s.table not in FILLED_BY_MIGRATE]


def cleared_on_restore() -> set[str]:
    """Tables a restore empties without loading anything into them: sessions and database caches."""
    caches = {
        c["LOCATION"]
        for c in settings.CACHES.values()
        if c.get("BACKEND") == "django.core.cache.backends.db.DatabaseCache"
    }
    return set(NOT_BACKED_UP) | caches
