"""Rows as canonical JSON lines: the backup's data and what the table checksums are computed over.

A row is one JSON array of its column values, in the model's field order, written compactly (no spaces, keys of
JSON values sorted, UTF-8 unescaped) and ended by a newline. Values are normalised so the same data gives the
same line on SQLite and PostgreSQL:

- datetimes in UTC, ISO 8601 (``2019-09-01T08:30:00.123456+00:00``); dates and times ISO 8601
- decimals as strings at the field's decimal places, durations ISO 8601, UUIDs and IP addresses as text
- binary data base64, JSON values as JSON, NULL as null

Rows are read in primary key order (text keys by code point, so both databases agree), in chunks.
"""

import base64
import datetime
import decimal
import ipaddress
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connections, models
from django.db.models.functions import Collate
from django.utils.duration import duration_iso_string

from pcndev.ops.tables import TableSpec

CHUNK = 2000
_ADDRESSES = (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Interface, ipaddress.IPv6Interface)


def encode(field: models.Field, value):
    """One column value as a canonical JSON value."""
    if value is None or isinstance(value, bool | int | float | str | dict | list):
        return value
    if isinstance(value, datetime.datetime):
        return (value.astimezone(datetime.UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        places = getattr(field, "decimal_places", None)
        return str(value.quantize(decimal.Decimal(1).scaleb(-places)) if places is not None else value)
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, (uuid.UUID, *_ADDRESSES)):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot back up a {type(value).__name__} in {field.model._meta.db_table}.{field.column}")


def dump_line(values: list) -> bytes:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode() + b"\n"


def _order(spec: TableSpec, vendor: str) -> list:
    pk = spec.model._meta.pk
    target = getattr(pk, "target_field", pk)
    if vendor == "postgresql" and isinstance(target, models.CharField | models.TextField):
        return [Collate(pk.attname, "C")]  # code point order, as SQLite's BINARY collation
    return ["pk"]


def iter_lines(spec: TableSpec, using: str) -> Iterator[bytes]:
    """The table's canonical lines in primary key order, read in chunks (a server-side cursor on PostgreSQL)."""
    vendor = connections[using].vendor
    rows = (
        spec.model._base_manager.using(using)
        .order_by(*_order(spec, vendor))
        .values_list(*spec.attnames)
        .iterator(chunk_size=CHUNK)
    )
    fields = spec.fields
    for row in rows:
        yield dump_line([encode(f, v) for f, v in zip(fields, row, strict=True)])


def row_decoder(spec: TableSpec, using: str) -> Callable[[list], list]:
    """Turn one line's values back into database parameters, through each field's own parsing and adaptation."""
    connection = connections[using]
    steps = [(f.to_python, f.get_db_prep_save) for f in spec.fields]
    width = len(steps)

    def decode(values: list) -> list:
        if not isinstance(values, list) or len(values) != width:
            raise ValueError(
                f"a row has {len(values) if isinstance(values, list) else 'no'} values, not {width}"
            )
        return [
            None if v is None else prep(parse(v), connection)
            for (parse, prep), v in zip(steps, values, strict=True)
        ]

    return decode


@contextmanager
def table_writer(spec: TableSpec, using: str):
    """Yield write(rows) for decoded rows: COPY on PostgreSQL (several times faster), INSERTs on SQLite.

    On PostgreSQL the database may report a refused row when the COPY ends, as this context exits.
    """
    connection = connections[using]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in spec.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {qn(spec.table)} ({columns}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                yield lambda rows: [copy.write_row(row) for row in rows]
        else:
            sql = f"INSERT INTO {qn(spec.table)} ({columns}) VALUES ({', '.join(['%s'] * len(spec.columns))})"
            yield lambda rows: cursor.executemany(sql, rows)
