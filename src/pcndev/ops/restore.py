"""Restore a backup: checked before anything is touched, loaded in one transaction, verified before it commits.

Before: the file must be a backup this version reads, the database must be migrated to the backup's migrations
(a database with no tables at all is migrated first) with the same tables and columns, and it must hold no data
unless `force` (content types and permissions, which `migrate` fills, do not count).

Inside one transaction: the tables' triggers are suspended (`pcndev.ops.triggers`), every backed-up table, the
sessions and any database cache are cleared, the tables are loaded in dependency order (COPY on PostgreSQL,
batched INSERTs on SQLite), the deferred foreign keys are checked, the triggers are put back, the id sequences
are reset (PostgreSQL), and every table's count and checksum is compared with the manifest. Any failure rolls
the whole restore back and leaves the database as it was (a database that had no tables stays migrated).
"""

import json
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections, transaction

from pcndev.ops.archive import Backup, BackupError, TableEntry, open_backup
from pcndev.ops.backup import check_supported
from pcndev.ops.checksums import differences, table_checksums
from pcndev.ops.progress import Progress
from pcndev.ops.rows import row_decoder, table_writer
from pcndev.ops.schema import applied_schema, code_schema, has_no_tables, schema_differences
from pcndev.ops.tables import FILLED_BY_MIGRATE, TableSpec, backup_tables, cleared_on_restore
from pcndev.ops.triggers import triggers_suspended

BATCH = 1000


@dataclass(frozen=True)
class RestoreSummary:
    tables: int
    rows: int
    migrated: bool


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _more(items: list[str]) -> str:
    return f"{items[0]}" + (f", and {len(items) - 1} more" if len(items) > 1 else "")


def _ensure_schema(backup: Backup, connection, using: str) -> bool:
    """Migrate a database that has no tables at all; then require the backup's migrations. True if migrated."""
    migrated = False
    if has_no_tables(connection):
        mismatch = schema_differences(backup.schema, code_schema(connection), names=("backup", "code"))
        if mismatch:
            raise BackupError(
                f"the backup was made with other migrations than this code has ({_more(mismatch)}); "
                "restore it with the pcndev version that made it"
            )
        call_command("migrate", database=using, interactive=False, verbosity=0)
        migrated = True
    mismatch = schema_differences(backup.schema, applied_schema(connection))
    if mismatch:
        raise BackupError(
            f"the database is not migrated to the backup's migrations ({_more(mismatch)}); nothing was changed"
        )
    return migrated


def _pairs(backup: Backup) -> list[tuple[TableEntry, TableSpec]]:
    specs = {s.table: s for s in backup_tables()}
    names = [t.name for t in backup.tables]
    missing, unknown = sorted(specs.keys() - set(names)), sorted(set(names) - specs.keys())
    if missing or unknown:
        what = f"no data for {_more(missing)}" if missing else f"unknown tables ({_more(unknown)})"
        raise BackupError(f"the backup does not match this database's tables: it has {what}")
    for entry in backup.tables:
        if entry.columns != specs[entry.name].columns:
            raise BackupError(f"the backup's table {entry.name} has other columns than the database's")
    return [(entry, specs[entry.name]) for entry in backup.tables]


def _refuse_if_not_empty(pairs, using: str) -> None:
    occupied = [
        spec.table
        for _, spec in pairs
        if spec.table not in FILLED_BY_MIGRATE and spec.model._base_manager.using(using).exists()
    ]
    if occupied:
        raise BackupError(
            f"the database is not empty ({len(occupied)} tables have rows: {_more(occupied)}); "
            "nothing was changed (use --force to replace all its data with the backup's)"
        )


def _load_table(backup: Backup, entry: TableEntry, spec: TableSpec, using: str, progress: Progress) -> None:
    decode = row_decoder(spec, using)
    batch: list[list] = []
    progress.table_started(entry.name)
    try:
        with table_writer(spec, using) as write:
            for number, line in enumerate(backup.lines(entry), start=1):
                try:
                    batch.append(decode(json.loads(line)))
                except (ValueError, TypeError, ValidationError) as exc:
                    why = "; ".join(exc.messages) if isinstance(exc, ValidationError) else _first_line(exc)
                    raise BackupError(
                        f"{backup.path}: row {number} of {entry.name} cannot be read ({why})"
                    ) from None
                if len(batch) >= BATCH:
                    write(batch)
                    progress.rows(len(batch))
                    batch.clear()
            write(batch)
            progress.rows(len(batch))
    except DatabaseError as exc:
        raise BackupError(f"the database refused a row of {entry.name} ({_first_line(exc)})") from None
    progress.table_done(entry.name, entry.rows)


def _load(backup: Backup, pairs, using: str, progress: Progress) -> None:
    connection = connections[using]
    tables = [spec.table for _, spec in pairs]
    present = set(connection.introspection.table_names())
    cleared = tables + sorted(t for t in cleared_on_restore() if t in present)
    with triggers_suspended(connection, cleared):
        reset = connection.vendor == "sqlite"  # PostgreSQL's sequences are set from the loaded rows below
        with connection.cursor() as cursor:
            for sql in connection.ops.sql_flush(no_style(), cleared, reset_sequences=reset):
                cursor.execute(sql)
        progress.phase(f"Restoring {backup.path.name}", sum(e.rows for e, _ in pairs))
        for entry, spec in pairs:
            _load_table(backup, entry, spec, using, progress)
        # Check the deferred foreign keys now: PostgreSQL cannot re-enable a trigger with checks pending.
        try:
            connection.check_constraints()
        except IntegrityError as exc:
            raise BackupError(f"the backup's rows break a constraint ({_first_line(exc)})") from None
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [spec.model for _, spec in pairs]):
            cursor.execute(sql)
    progress.phase("Verifying checksums", sum(e.rows for e, _ in pairs))
    actual = table_checksums(using, [spec for _, spec in pairs], progress=lambda _table, n: progress.rows(n))
    problems = differences(backup.checksums, actual)
    if problems:
        raise BackupError(f"the restored data does not match the backup's checksums ({_more(problems)})")


def restore_backup(
    path, *, using: str = DEFAULT_DB_ALIAS, force: bool = False, progress: Progress | None = None
) -> RestoreSummary:
    connection = connections[using]
    check_supported(connection)
    progress = progress or Progress(lambda _: None, 0)
    with open_backup(path) as backup:
        migrated = _ensure_schema(backup, connection, using)
        pairs = _pairs(backup)
        if not force:
            _refuse_if_not_empty(pairs, using)
        try:
            with progress, transaction.atomic(using=using):
                _load(backup, pairs, using, progress)
        except (BackupError, DatabaseError) as exc:
            message = str(exc) if isinstance(exc, BackupError) else f"the restore failed ({_first_line(exc)})"
            if migrated:
                message += "; the database, which had no tables, was migrated but holds no data"
            else:
                message += "; nothing was changed"
            raise BackupError(message) from None
    ContentType.objects.clear_cache()  # the ids may have changed under the cache
    return RestoreSummary(len(pairs), sum(e.rows for e, _ in pairs), migrated)
