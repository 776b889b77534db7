"""Per-table row counts and checksums: the same data gives the same figures on SQLite and PostgreSQL.

A table's checksum is the sha256 of its canonical lines (`pcndev.ops.rows`) in primary key order, which are
exactly the bytes a backup stores for it, so a backup's manifest and a live database can be compared.
"""

import hashlib
from collections.abc import Callable, Iterable

from django.db import DEFAULT_DB_ALIAS, transaction

from pcndev.ops.rows import iter_lines
from pcndev.ops.tables import TableSpec, backup_tables

Checksums = dict[str, tuple[int, str]]


def table_checksums(
    using: str = DEFAULT_DB_ALIAS,
    specs: Iterable[TableSpec] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> Checksums:
    """{table: (row count, sha256 hex)} for every backed-up table (or the given ones), read in one snapshot."""
    out: Checksums = {}
    with transaction.atomic(using=using):
        for spec in backup_tables() if specs is None else specs:
            digest, count = hashlib.sha256(), 0
            for line in iter_lines(spec, using):
                digest.update(line)
                count += 1
            out[spec.table] = (count, digest.hexdigest())
            if progress:
                progress(spec.table, count)
    return out


def differences(expected: Checksums, actual: Checksums) -> list[str]:
    """One description per table whose count or checksum differs (or that only one side has)."""
    problems = []
    for table in sorted(expected.keys() | actual.keys()):
        want, got = expected.get(table), actual.get(table)
        if want == got:
            continue
        if want is None or got is None:
            problems.append(f"{table} is {'missing' if got is None else 'not in the backup'}")
        elif want[0] != got[0]:
            problems.append(f"{table} has {got[0]} rows, not {want[0]}")
        else:
            problems.append(f"{table} has different data")
    return problems
