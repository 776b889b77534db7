"""Reading a CSV file strictly, collecting every problem as a `FileError` instead of stopping at the first.

Rows are numbered as in the file, the header being row 1.
"""

import csv
import datetime
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
MONTHS = {m: n for n, m in enumerate(MONTH_NAMES, start=1)}
DATE_PATTERNS = [
    (re.compile(r"(\d{1,2})([A-Za-z]{3})(\d{4})"), "dmy"),  # 01JAN2021, 01Jan2022
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), "ymd"),  # 2026-04-01
    (re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})"), "dmy"),  # 01-Apr-26
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "dmy"),  # 01/04/2026
]
DATE_HINT = "expected a date like 01JAN2021, 2026-04-01 or 01-Apr-26"


@dataclass(frozen=True)
class FileError:
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


def parse_date(text: str) -> datetime.date | None:
    """NHS Digital's EXTRACT_DATE spellings: 01JAN2021, 01Jan2022, 2026-04-01, 01-Apr-26 (and 01/04/2026)."""
    text = text.strip()
    for pattern, order in DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if not match:
            continue
        a, b, c = match.groups()
        try:
            if order == "ymd":
                return datetime.date(int(a), int(b), int(c))
            month = MONTHS.get(b.upper()) if b.isalpha() else int(b)
            year = int(c) + 2000 if len(c) == 2 else int(c)
            return datetime.date(year, month, int(a)) if month else None
        except ValueError:
            return None
    return None


def load(path: Path, errors: list[FileError]) -> tuple[str, list[list[str]]] | None:
    """Decode strictly as UTF-8 (BOM allowed); return (sha256, header+rows) or None after an error."""
    name = path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        errors.append(FileError(name, None, None, f"file not found ({path})"))
        return None
    except OSError as exc:
        errors.append(FileError(name, None, None, f"cannot be read ({exc.strerror or exc})"))
        return None
    sha = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        errors.append(
            FileError(
                name,
                None,
                None,
                f"not UTF-8 text (byte 0x{bad:02X} at offset {exc.start}); save the file as CSV UTF-8",
            )
        )
        return None
    if not text.strip():
        errors.append(FileError(name, None, None, "file is empty; expected a header row and data rows"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as exc:
        errors.append(FileError(name, reader.line_num, None, f"is not valid CSV ({exc})"))
        return None
    if not any(any(cell.strip() for cell in rec) for rec in records[1:]):
        errors.append(FileError(name, None, None, "file has a header row but no data rows"))
        return None
    return sha, records


def header_index(records: list[list[str]]) -> dict[str, int]:
    """Column name -> position; names are trimmed (spaces, byte-order mark) and upper-cased."""
    return {cell.strip().lstrip("\ufeff").strip().upper(): i for i, cell in enumerate(records[0])}


def missing_columns(name: str, header: dict[str, int], columns, errors: list[FileError]) -> bool:
    absent = [c for c in columns if c not in header]
    for column in absent:
        errors.append(FileError(name, 1, column, "required column is missing"))
    return bool(absent)


def data_rows(name: str, records: list[list[str]], errors: list[FileError]):
    """(row number, fields) for each data row of the right width; blank lines are skipped."""
    width = len(records[0])
    columns = [c.strip().lstrip("\ufeff").strip().upper() for c in records[0]]
    for number, rec in enumerate(records[1:], start=2):
        if len(rec) == width:
            yield number, rec
        elif not rec or not any(cell.strip() for cell in rec):
            continue
        elif len(rec) < width:
            errors.append(
                FileError(
                    name,
                    number,
                    columns[len(rec)],
                    f"row is truncated: it has {len(rec)} fields but the header has {width}",
                )
            )
        else:
            errors.append(
                FileError(name, number, None, f"row has {len(rec)} fields but the header has {width}")
            )


class DateCheck:
    """Every row's extract date must parse, and agree with the first row's."""

    def __init__(self, name: str, errors: list[FileError]):
        self.name, self.errors = name, errors
        self.date: datetime.date | None = None
        self.row, self.text = 0, None

    def __call__(self, number: int, raw: str) -> None:
        if raw == self.text:
            return
        day = parse_date(raw)
        if day is None:
            message = f'"{raw.strip()}" is not a date ({DATE_HINT})'
            self.errors.append(FileError(self.name, number, "EXTRACT_DATE", message))
        elif self.date is None:
            self.date, self.row, self.text = day, number, raw
        elif day != self.date:
            message = f"extract date {day.isoformat()} differs from {self.date.isoformat()} on row {self.row}"
            self.errors.append(FileError(self.name, number, "EXTRACT_DATE", message))
