"""Reading and checking NHS Digital's "Patients Registered at a GP Practice" CSV files (no database).

Columns are found by header name, so either header vintage works:

* CCG/STP era: ``CCG_CODE, CCG_NAME, ONS_CCG_CODE, STP_CODE, STP_NAME, ONS_STP_CODE``;
* sub-ICB/ICB era: ``SUB_ICB_LOCATION_CODE, SUB_ICB_LOCATION_NAME, ONS_SUB_ICB_LOCATION_CODE, ICB_CODE…``.

Every problem is collected as a `FileError` (file name, row as counted in the file with the header as row 1,
column, message) so that one run reports them all.
"""

import csv
import datetime
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

CCG_ERA, ICB_ERA = "ccg", "icb"

# Our name for a value -> the column holding it, per era. Optional columns may be absent.
MAPPING_COMMON = {
    "date": "EXTRACT_DATE",
    "code": "PRACTICE_CODE",
    "name": "PRACTICE_NAME",
    "pcn_code": "PCN_CODE",
    "pcn_name": "PCN_NAME",
    "region_code": "COMM_REGION_CODE",
    "region_name": "COMM_REGION_NAME",
}
MAPPING_ERA = {
    CCG_ERA: {
        "place_code": "CCG_CODE",
        "place_name": "CCG_NAME",
        "system_code": "STP_CODE",
        "system_name": "STP_NAME",
    },
    ICB_ERA: {
        "place_code": "SUB_ICB_LOCATION_CODE",
        "place_name": "SUB_ICB_LOCATION_NAME",
        "system_code": "ICB_CODE",
        "system_name": "ICB_NAME",
    },
}
MAPPING_OPTIONAL = {
    CCG_ERA: {"postcode": "PRACTICE_POSTCODE", "place_ons": "ONS_CCG_CODE", "system_ons": "ONS_STP_CODE"},
    ICB_ERA: {
        "postcode": "PRACTICE_POSTCODE",
        "place_ons": "ONS_SUB_ICB_LOCATION_CODE",
        "system_ons": "ONS_ICB_CODE",
    },
}
REGION_ONS = "ONS_COMM_REGION_CODE"
MAX_LENGTH = {
    "code": 12,
    "pcn_code": 12,
    "place_code": 20,
    "system_code": 12,
    "region_code": 12,
    "postcode": 10,
}
ONS_LENGTH = 12
NAME_LENGTH = 200

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


@dataclass(slots=True)
class MappingRow:
    row: int
    code: str
    name: str
    postcode: str | None
    pcn_code: str
    pcn_name: str
    place_code: str
    place_name: str
    place_ons: str | None
    system_code: str
    system_name: str
    system_ons: str | None
    region_code: str
    region_name: str
    region_ons: str | None


@dataclass
class MappingFile:
    name: str
    sha256: str
    era: str = CCG_ERA
    extract_date: datetime.date | None = None
    rows: list[MappingRow] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # our name -> column, for messages


@dataclass
class ListSizeFile:
    name: str
    sha256: str
    extract_date: datetime.date | None = None
    sizes: dict[str, int] = field(default_factory=dict)  # practice code -> patients, in file order


def parse_date(text: str) -> datetime.date | None:
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


def _load(path: Path, errors: list[FileError]) -> tuple[str, str, list[list[str]]] | None:
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
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not any(any(cell.strip() for cell in rec) for rec in records[1:]):
        errors.append(FileError(name, None, None, "file has a header row but no data rows"))
        return None
    return sha, records


def _header(records: list[list[str]]) -> dict[str, int]:
    return {cell.strip().lstrip("\ufeff").strip().upper(): i for i, cell in enumerate(records[0])}


def _missing(name: str, header: dict[str, int], columns, errors: list[FileError]) -> bool:
    absent = [c for c in columns if c not in header]
    for column in absent:
        errors.append(FileError(name, 1, column, "required column is missing"))
    return bool(absent)


def _data_rows(name: str, records: list[list[str]], errors: list[FileError]):
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


def _extract_date(name, number, column, raw, state: dict, errors) -> None:
    """Check one row's extract date; state keeps the first good date and its row."""
    cache = state.setdefault("cache", {})
    if raw not in cache:
        cache[raw] = parse_date(raw)
    day = cache[raw]
    if day is None:
        errors.append(FileError(name, number, column, f'"{raw.strip()}" is not a date ({DATE_HINT})'))
    elif "date" not in state:
        state["date"], state["row"] = day, number
    elif day != state["date"]:
        errors.append(
            FileError(
                name,
                number,
                column,
                f"extract date {day.isoformat()} differs from {state['date'].isoformat()} on row {state['row']}",
            )
        )


def read_mapping(path: Path, errors: list[FileError]) -> MappingFile | None:
    name = path.name
    loaded = _load(path, errors)
    if loaded is None:
        return None
    sha, records = loaded
    header = _header(records)
    if "SUB_ICB_LOCATION_CODE" in header:
        era = ICB_ERA
    elif "CCG_CODE" in header:
        era = CCG_ERA
    else:
        errors.append(
            FileError(
                name, 1, "CCG_CODE", "required column is missing (or SUB_ICB_LOCATION_CODE in newer files)"
            )
        )
        return None
    required = {**MAPPING_COMMON, **MAPPING_ERA[era]}
    if _missing(name, header, required.values(), errors):
        return None
    optional = {**MAPPING_OPTIONAL[era], "region_ons": REGION_ONS}
    result = MappingFile(name, sha, era, columns={**required, **optional})
    columns = {**required, **optional}
    keys = [key for key in columns if key != "date"]  # "code" first
    index = [header.get(columns[key]) for key in keys]  # None: optional column absent
    limits = [MAX_LENGTH.get(k, ONS_LENGTH if k.endswith("_ons") else NAME_LENGTH) for k in keys]
    n_required = len(required) - 1
    i_date = header["EXTRACT_DATE"]
    seen: dict[str, int] = {}
    dates: dict = {}
    for number, rec in _data_rows(name, records, errors):
        _extract_date(name, number, "EXTRACT_DATE", rec[i_date], dates, errors)
        values = [rec[i].strip() if i is not None else None for i in index]
        if not all(values[:n_required]) or any(
            v is not None and len(v) > limit for v, limit in zip(values, limits, strict=True)
        ):
            for key, value, limit in zip(keys, values, limits, strict=True):
                if key in required and not value:
                    errors.append(FileError(name, number, columns[key], "is empty"))
                elif value is not None and len(value) > limit:
                    errors.append(FileError(name, number, columns[key], f"is longer than {limit} characters"))
        code = values[0]
        if code in seen:
            message = f"practice {code} is repeated (first on row {seen[code]})"
            errors.append(FileError(name, number, "PRACTICE_CODE", message))
            continue
        seen[code] = number
        result.rows.append(MappingRow(number, **dict(zip(keys, values, strict=True))))
    result.extract_date = dates.get("date")
    return result


def read_list_sizes(path: Path, errors: list[FileError], need_date: bool = True) -> ListSizeFile | None:
    """Registered patients per practice: rows with SEX=ALL and AGE=ALL where those columns exist."""
    name = path.name
    loaded = _load(path, errors)
    if loaded is None:
        return None
    sha, records = loaded
    header = _header(records)
    code_column = "CODE" if "CODE" in header or "PRACTICE_CODE" not in header else "PRACTICE_CODE"
    required = [code_column, "NUMBER_OF_PATIENTS"] + (["EXTRACT_DATE"] if need_date else [])
    if _missing(name, header, required, errors):
        return None
    result = ListSizeFile(name, sha)
    i_code, i_count = header[code_column], header["NUMBER_OF_PATIENTS"]
    i_date = header["EXTRACT_DATE"] if need_date else None
    i_sex, i_age = header.get("SEX"), header.get("AGE")
    seen: dict[str, int] = {}
    dates: dict = {}
    sizes = result.sizes
    for number, rec in _data_rows(name, records, errors):
        if (i_sex is not None and rec[i_sex].strip().upper() != "ALL") or (
            i_age is not None and rec[i_age].strip().upper() != "ALL"
        ):
            continue
        if i_date is not None:
            _extract_date(name, number, "EXTRACT_DATE", rec[i_date], dates, errors)
        code = rec[i_code].strip()
        raw = rec[i_count].strip()
        if not code:
            errors.append(FileError(name, number, code_column, "is empty"))
        elif code in seen:
            errors.append(
                FileError(
                    name, number, code_column, f"practice {code} is repeated (first on row {seen[code]})"
                )
            )
            continue
        seen[code] = number
        if raw.isdigit() and raw.isascii():
            sizes[code] = int(raw)
        elif raw[:1] == "-" and raw[1:].isdigit() and raw.isascii():
            errors.append(
                FileError(
                    name, number, "NUMBER_OF_PATIENTS", f"{raw} is negative; expected 0 or more patients"
                )
            )
        elif not raw:
            errors.append(FileError(name, number, "NUMBER_OF_PATIENTS", "is empty; expected a whole number"))
        else:
            errors.append(FileError(name, number, "NUMBER_OF_PATIENTS", f'"{raw}" is not a whole number'))
    if not seen and not errors:
        errors.append(FileError(name, None, None, "no rows with SEX=ALL and AGE=ALL"))
    result.extract_date = dates.get("date")
    return result
