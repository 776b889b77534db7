"""Suspend the database's own triggers while a restore reloads tables, then put them back exactly.

The audit trail is append-only in the database itself (`audit/migrations/0002_append_only_triggers.py`):
triggers refuse UPDATE (and on PostgreSQL DELETE) of audit events. A restore replaces whole tables, and a trigger
that changed or refused rows as they are loaded would make the copy differ from the backup, so every user
trigger on the restored tables is suspended inside the restore's transaction:

- SQLite has no way to disable a trigger: it is dropped and recreated from the exact SQL the database stored for
  it (sqlite_master), which is the SQL its migration ran, so nothing is duplicated here.
- PostgreSQL disables and re-enables it (ALTER TABLE ... DISABLE/ENABLE TRIGGER), keeping its definition and
  its mode (a trigger that was already disabled stays disabled).

DDL is transactional on both, so when the restore fails and rolls back the triggers are back as they were.
"""

from contextlib import contextmanager
from dataclasses import dataclass

_PG_ENABLE = {"O": "ENABLE TRIGGER", "A": "ENABLE ALWAYS TRIGGER", "R": "ENABLE REPLICA TRIGGER"}


@dataclass(frozen=True)
class Trigger:
    table: str
    name: str
    definition: str
    state: str = ""  # PostgreSQL's tgenabled: O (on), A (always), R (replica), D (disabled)


def user_triggers(connection, tables) -> list[Trigger]:
    """The triggers on the given tables, excluding PostgreSQL's internal ones (foreign keys)."""
    tables = set(tables)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            )
            found = [Trigger(table, name, sql) for table, name, sql in cursor.fetchall()]
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND pg_table_is_visible(c.oid) ORDER BY 1, 2"
            )
            found = [Trigger(*row) for row in cursor.fetchall()]
        else:
            raise NotImplementedError(connection.vendor)
    return [t for t in found if t.table in tables]


def _suspend(connection, triggers: list[Trigger]) -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for t in triggers:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER {qn(t.name)}")
            elif t.state != "D":
                cursor.execute(f"ALTER TABLE {qn(t.table)} DISABLE TRIGGER {qn(t.name)}")


def _reinstate(connection, triggers: list[Trigger]) -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for t in triggers:
            if connection.vendor == "sqlite":
                cursor.execute(t.definition)
            elif t.state != "D":
                cursor.execute(f"ALTER TABLE {qn(t.table)} {_PG_ENABLE[t.state]} {qn(t.name)}")


@contextmanager
def triggers_suspended(connection, tables):
    """Must run inside the transaction that changes the tables (it checks it is not in autocommit)."""
    if not connection.in_atomic_block:
        raise RuntimeError("triggers can only be suspended inside a transaction")
    before = user_triggers(connection, tables)
    _suspend(connection, before)
    yield before
    # Not in a `finally`: after an error the transaction is rolled back, and the rollback brings them back.
    _reinstate(connection, before)
    after = user_triggers(connection, tables)
    if after != before:
        raise RuntimeError(f"the triggers were not put back as they were: {before} != {after}")
