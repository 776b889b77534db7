"""Tables as CSV or XLSX downloads. Money columns hold pence and are written as pounds (£1,234.56 in Excel)."""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POUNDS_FORMAT = '"£"#,##0.00;-"£"#,##0.00'
SHEET_TITLE_NOT_ALLOWED = re.compile(r"[\\/*?:\[\]]")


@dataclass(frozen=True)
class Column:
    title: str
    money: bool = False


def _pounds(pence: int | None) -> Decimal | None:
    return None if pence is None else Decimal(pence) / 100


def csv_bytes(columns: Sequence[Column], rows: Sequence[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.title for c in columns])
    for row in rows:
        writer.writerow(
            [
                f"{_pounds(v):.2f}" if c.money and v is not None else v
                for c, v in zip(columns, row, strict=True)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read UTF-8


def xlsx_bytes(title: str, columns: Sequence[Column], rows: Sequence[Sequence]) -> bytes:
    width = len(columns)
    for row in rows:
        if len(row) != width:
            raise ValueError(f"a row has {len(row)} values for {width} columns")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE_NOT_ALLOWED.sub("-", title)[:31])  # Excel's limits
    header = []
    for c in columns:
        cell = WriteOnlyCell(sheet, value=c.title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    money = [i for i, c in enumerate(columns) if c.money]
    for row in rows:
        if money:  # only money needs a cell object (for its format): plain values are written faster
            row = list(row)
            for i in money:
                cell = WriteOnlyCell(sheet, value=_pounds(row[i]))
                cell.number_format = POUNDS_FORMAT
                row[i] = cell
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def download(
    fmt: str, filename: str, title: str, columns: Sequence[Column], rows: Sequence[Sequence]
) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(title, columns, rows), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(csv_bytes(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
