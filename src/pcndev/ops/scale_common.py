"""Shared machinery for `pcndev scale-data`: fast multi-row inserts with ids chosen up front, and progress.

`Bulk` writes rows straight into a model's table (COPY on PostgreSQL, executemany on SQLite), bypassing the
ORM, whose per-object work dominated at national scale. Ids are reserved from the table's current maximum, so
parents and children can be written in any order within the transaction; `finish` moves the PostgreSQL id
sequences past them (SQLite's AUTOINCREMENT follows by itself). Columns a caller does not name get the model
field's default, ``now`` for auto_now / auto_now_add fields, or NULL. Dates, datetimes, decimals and JSON go
through each field's own preparation, so the rows read back exactly as if the ORM had written them.

Callers must not mix ORM inserts into a table with reserved ids before `finish` (or `sync`) has run for it.
"""

import datetime
import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Max

CHUNK = 5000
_PREPARED = (models.DateField, models.DecimalField, models.JSONField)  # DateTimeField is a DateField


class Bulk:
    def __init__(self, now: datetime.datetime, using: str = DEFAULT_DB_ALIAS, reporter=None):
        self.connection = connections[using]
        self.using = using
        self.now = now
        self.reporter = reporter or Reporter()
        self.rows: Counter[str] = Counter()
        self._next: dict[type, int] = {}
        self._touched: set[type] = set()

    def ids(self, model, n: int) -> range:
        """Reserve n consecutive primary keys for rows of `model` this run will insert."""
        if model not in self._next:
            top = model._base_manager.using(self.using).aggregate(m=Max("pk"))["m"] or 0
            self._next[model] = top + 1
        start = self._next[model]
        self._next[model] += n
        return range(start, start + n)

    def insert(self, model, fields: Sequence[str], rows: Iterable[Sequence], at=None, db_ids=False) -> int:
        """Insert rows of values for `fields` (attnames, e.g. "plan_id"); every other column gets its default.

        The ids must be among the fields (reserved with `ids`) unless db_ids: then the database numbers
        the rows.
        """
        opts = model._meta
        named = [opts.get_field(name) for name in fields]
        rest = [f for f in opts.concrete_fields if f not in named and not getattr(f, "generated", False)]
        if opts.pk in rest:
            if not db_ids:
                raise ValueError(f"{opts.label}: give the ids (reserve them with Bulk.ids)")
            rest.remove(opts.pk)
        constants = [self._prep(f, self._default(f, at or self.now)) for f in rest]
        preps = [(i, self._fast_prep(f)) for i, f in enumerate(named) if isinstance(f, _PREPARED)]
        columns = [f.column for f in named] + [f.column for f in rest]
        total = 0
        with self._writer(opts.db_table, columns) as write:
            for chunk in _chunks(rows, CHUNK):
                out = []
                for row in chunk:
                    row = list(row)
                    for i, prep in preps:
                        if row[i] is not None:
                            row[i] = prep(row[i])
                    out.append(row + constants)
                write(out)
                total += len(out)
                if self.reporter is not None:
                    self.reporter.advance(len(out))
        self.rows[opts.label] += total
        self._touched.add(model)
        return total

    def _default(self, field, at):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return at
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        if isinstance(field, models.CharField | models.TextField) and field.blank:
            return ""
        raise ValueError(f"{field.model._meta.label}.{field.name} has no default: name it")

    def _fast_prep(self, field):
        """The field's own preparation, or a quicker one giving the same stored value for the common types:
        PostgreSQL's COPY takes dates, aware datetimes and JSON text as they are; SQLite stores ISO text,
        datetimes as naive UTC (as Django's adapt_datetimefield_value) and JSON as json.dumps (as JSONField
        without an encoder)."""
        connection = self.connection
        sqlite = connection.vendor == "sqlite"
        if isinstance(field, models.JSONField) and field.encoder is None:
            return json.dumps
        if isinstance(field, models.DateTimeField) and connection.vendor in ("sqlite", "postgresql"):
            utc = datetime.UTC

            def prep(value):
                if value.tzinfo is None:
                    return field.get_db_prep_save(value, connection)  # Django's warning about naive values
                return str(value.astimezone(utc).replace(tzinfo=None)) if sqlite else value

            return prep
        if type(field) is models.DateField and connection.vendor in ("sqlite", "postgresql"):
            return datetime.date.isoformat if sqlite else (lambda value: value)
        return lambda value: field.get_db_prep_save(value, connection)

    def _prep(self, field, value):
        return None if value is None else field.get_db_prep_save(value, self.connection)

    @contextmanager
    def _writer(self, table: str, columns: list[str]):
        qn = self.connection.ops.quote_name
        names = ", ".join(qn(c) for c in columns)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with (
                    self.connection.wrap_database_errors,
                    cursor.cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy,
                ):
                    yield lambda rows: [copy.write_row(r) for r in rows]
            else:
                marks = ", ".join(["%s"] * len(columns))
                yield lambda rows: cursor.executemany(
                    f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})", rows
                )

    def sync(self) -> None:
        """Move PostgreSQL's id sequences past the reserved ids, so ORM inserts can follow."""
        touched = sorted(self._touched | set(self._next), key=lambda m: m._meta.db_table)
        if self.connection.vendor == "postgresql" and touched:
            with self.connection.cursor() as cursor:
                for sql in self.connection.ops.sequence_reset_sql(no_style(), touched):
                    cursor.execute(sql)
        # ORM inserts may have moved the maximum since: read it again next time
        self._next.clear()

    finish = sync


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


class Reporter:
    """Plain progress: a line per finished stage (for logs, tests and --json); timings kept for the summary."""

    def __init__(self, write=None):
        self._write = write or (lambda _line: None)
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, title: str, total: int | None = None):
        started = time.perf_counter()
        self.begin(title, total)
        yield self
        elapsed = time.perf_counter() - started
        self.timings[title] = round(elapsed, 2)
        self.end(title, elapsed)

    def begin(self, title: str, total: int | None) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def total(self, n: int) -> None:
        """Set (or change) the number of rows the current stage expects."""

    def end(self, title: str, elapsed: float) -> None:
        self._write(f"{title}: {elapsed:.1f} s")


class RichReporter(Reporter):
    """A rich progress bar per stage, with the rows written and the time taken."""

    def __init__(self, console):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        super().__init__()
        self._bar = Progress(
            TextColumn("{task.description:<44}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self._task = None

    def __enter__(self):
        self._bar.start()
        return self

    def __exit__(self, *exc):
        self._bar.stop()
        return False

    def begin(self, title: str, total: int | None) -> None:
        self._task = self._bar.add_task(title, total=total)

    def advance(self, n: int) -> None:
        if self._task is not None:
            self._bar.advance(self._task, n)

    def total(self, n: int) -> None:
        if self._task is not None:
            self._bar.update(self._task, total=n)

    def end(self, title: str, elapsed: float) -> None:
        task = self._bar.tasks[-1]
        self._bar.update(self._task, total=task.completed or 1, completed=task.completed or 1)
        self._task = None
