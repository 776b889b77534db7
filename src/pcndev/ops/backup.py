"""Back up the whole database into one portable file (see `pcndev.ops.archive` for the format)."""

import datetime
import hashlib
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

from pcndev.ops.archive import FORMAT, VERSION, BackupError, BackupWriter, TableEntry
from pcndev.ops.progress import Progress
from pcndev.ops.rows import iter_lines
from pcndev.ops.schema import applied_schema, code_schema, schema_differences
from pcndev.ops.tables import backup_tables

SUPPORTED = ("sqlite", "postgresql")


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    tables: int
    rows: int
    size: int


def _pcndev_version() -> str:
    try:
        return version("pcndev")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
        return "unknown"


def check_supported(connection) -> None:
    if connection.vendor not in SUPPORTED:
        raise BackupError(f"backup and restore support SQLite and PostgreSQL, not {connection.vendor}")


def write_backup(
    path, *, using: str = DEFAULT_DB_ALIAS, overwrite: bool = False, progress: Progress | None = None
) -> BackupSummary:
    """Write every backed-up table, read in one consistent snapshot, with counts and checksums in the manifest."""
    path = Path(path)
    progress = progress or Progress(lambda _: None, 0)
    connection = connections[using]
    check_supported(connection)
    if path.exists() and not overwrite:
        raise BackupError(f"{path} already exists (use --force to overwrite it)")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory")
    schema = applied_schema(connection)
    pending = schema_differences(code_schema(connection), schema, names=("code", "database"))
    if pending:
        raise BackupError(
            f"the database is not migrated to this code ({pending[0]}); run `pcndev migrate` first"
        )
    specs = backup_tables()
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with (
                connection.cursor() as cursor
            ):  # one snapshot for every table; SQLite's write lock gives the same
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        counts = {s.table: s.model._base_manager.using(using).count() for s in specs}
        entries = []
        with progress, BackupWriter(path) as writer:
            progress.phase(f"Backing up to {path.name}", sum(counts.values()))
            for spec in specs:
                progress.table_started(spec.table)
                digest, count = hashlib.sha256(), 0
                with writer.member(spec.table) as out:
                    try:
                        for line in iter_lines(spec, using):
                            out.write(line)
                            digest.update(line)
                            count += 1
                            if count % 1000 == 0:
                                progress.rows(1000)
                    except DatabaseError as exc:
                        why = str(exc).strip().splitlines()[0]
                        raise BackupError(
                            f"{spec.table} cannot be read ({why}); is the database migrated?"
                        ) from None
                progress.rows(count % 1000)
                progress.table_done(spec.table, count)
                entries.append(TableEntry(spec.table, spec.label, spec.columns, count, digest.hexdigest()))
            writer.finish(
                {
                    "format": FORMAT,
                    "version": VERSION,
                    "created_at": timezone.now().astimezone(datetime.UTC).isoformat(),
                    "pcndev": _pcndev_version(),
                    "source": connection.vendor,
                    "schema": schema,
                    "tables": [e.as_json() for e in entries],
                }
            )
    return BackupSummary(path, len(entries), sum(e.rows for e in entries), path.stat().st_size)
