"""Reading and checking NHS Digital's "Patients Registered at a GP Practice" CSV files (no database).

Columns are found by header name, so either header vintage works:

* CCG/STP era: ``CCG_CODE, CCG_NAME, ONS_CCG_CODE, STP_CODE, STP_NAME, ONS_STP_CODE``;
* sub-ICB/ICB era: ``SUB_ICB_LOCATION_CODE, SUB_ICB_LOCATION_NAME, ONS_SUB_ICB_LOCATION_CODE, ICB_CODE…``.

Every problem is collected as a `FileError` (file name, row as counted in the file with the header as row 1,
column, message) so that one run reports them all.
"""

import datetime
from dataclasses import dataclass, field
from operator import gt, itemgetter
from pathlib import Path
from typing import NamedTuple

from pcndev.orgs.importers.csv_rows import (
    DateCheck,
    FileError,
    data_rows,
    header_index,
    load,
    missing_columns,
    parse_date,
)

__all__ = ["FileError", "ListSizeFile", "MappingFile", "parse_date", "read_list_sizes", "read_mapping"]

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


class MappingRow(NamedTuple):  # a tuple: ~6,500 of these per national file, built in C by _make
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


def read_mapping(path: Path, errors: list[FileError]) -> MappingFile | None:
    name = path.name
    loaded = load(path, errors)
    if loaded is None:
        return None
    sha, records = loaded
    header = header_index(records)
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
    if missing_columns(name, header, required.values(), errors):
        return None
    optional = {**MAPPING_OPTIONAL[era], "region_ons": REGION_ONS}
    result = MappingFile(name, sha, era, columns={**required, **optional})
    columns = {**required, **optional}
    keys = list(MappingRow._fields[1:])
    absent_at = [n for n, key in enumerate(keys) if columns[key] not in header]  # these become None
    width = len(records[0])
    values_of = itemgetter(*[header.get(columns[key], width) for key in keys])  # absent: an added ""
    required_of = itemgetter(*[n for n, key in enumerate(keys) if key in required])
    limits = [MAX_LENGTH.get(k, ONS_LENGTH if k.endswith("_ons") else NAME_LENGTH) for k in keys]
    i_date = header["EXTRACT_DATE"]
    check_date = DateCheck(name, errors)
    seen: dict[str, int] = {}
    make, rows = MappingRow._make, result.rows
    for number, rec in data_rows(name, records, errors):
        check_date(number, rec[i_date])
        if absent_at:
            rec.append("")
        values = list(map(str.strip, values_of(rec)))
        if not all(required_of(values)) or any(map(gt, map(len, values), limits)):
            for key, value, limit in zip(keys, values, limits, strict=True):
                if key in required and not value:
                    errors.append(FileError(name, number, columns[key], "is empty"))
                elif len(value) > limit:
                    errors.append(FileError(name, number, columns[key], f"is longer than {limit} characters"))
        code = values[0]
        if code in seen:
            message = f"practice {code} is repeated (first on row {seen[code]})"
            errors.append(FileError(name, number, "PRACTICE_CODE", message))
            continue
        seen[code] = number
        for n in absent_at:
            values[n] = None
        values.insert(0, number)
        rows.append(make(values))
    result.extract_date = check_date.date
    return result


def read_list_sizes(path: Path, errors: list[FileError], need_date: bool = True) -> ListSizeFile | None:
    """Registered patients per practice: rows with SEX=ALL and AGE=ALL where those columns exist."""
    name = path.name
    loaded = load(path, errors)
    if loaded is None:
        return None
    sha, records = loaded
    header = header_index(records)
    code_column = "CODE" if "CODE" in header or "PRACTICE_CODE" not in header else "PRACTICE_CODE"
    required = [code_column, "NUMBER_OF_PATIENTS"] + (["EXTRACT_DATE"] if need_date else [])
    if missing_columns(name, header, required, errors):
        return None
    result = ListSizeFile(name, sha)
    i_code, i_count = header[code_column], header["NUMBER_OF_PATIENTS"]
    i_date = header["EXTRACT_DATE"] if need_date else None
    i_sex, i_age = header.get("SEX"), header.get("AGE")
    check_date = DateCheck(name, errors)
    seen: dict[str, int] = {}
    sizes = result.sizes
    for number, rec in data_rows(name, records, errors):
        if (i_sex is not None and rec[i_sex].strip().upper() != "ALL") or (
            i_age is not None and rec[i_age].strip().upper() != "ALL"
        ):
            continue
        if i_date is not None:
            check_date(number, rec[i_date])
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
    result.extract_date = check_date.date
    return result
