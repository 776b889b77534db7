"""pcndev.exports: the XLSX writer keeps every value and type, formats money as pounds, and refuses a ragged row."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from pcndev.exports import POUNDS_FORMAT, Column, csv_bytes, xlsx_bytes

COLUMNS = [Column("PCN"), Column("Practices"), Column("Cost", money=True), Column("Due"), Column("Note")]
ROWS = [
    ["Kingston North", 7, 143_120_00, datetime.date(2020, 3, 31), "Agreed at the PCCC"],
    ["Chalkhill & Co <PCN>", 0, None, None, ""],
    ["Negative", -1, -250, None, "=SUM(A1:A2)"],
]


def _sheet(rows=ROWS):
    return load_workbook(io.BytesIO(xlsx_bytes("Allocations by PCN, 2019/20 and more", COLUMNS, rows))).active


def test_values_types_and_money_survive_the_round_trip():
    sheet = _sheet()
    assert sheet.title == "Allocations by PCN, 2019-20 and"  # no "/" in a sheet's name, 31 characters
    assert [c.value for c in sheet[1]] == [c.title for c in COLUMNS]
    assert all(c.font.bold for c in sheet[1])
    first, second, third = (
        list(sheet.iter_rows(min_row=n, max_row=n, values_only=True))[0] for n in (2, 3, 4)
    )
    assert first[:3] == ("Kingston North", 7, 143120) and isinstance(first[1], int)
    assert first[3].date() == datetime.date(2020, 3, 31) and first[4] == "Agreed at the PCCC"
    assert second == ("Chalkhill & Co <PCN>", 0, None, None, None)
    assert third[1] == -1 and Decimal(str(third[2])) == Decimal("-2.5")
    assert sheet.cell(row=2, column=3).number_format == POUNDS_FORMAT
    assert sheet.cell(row=4, column=3).number_format == POUNDS_FORMAT
    assert sheet.cell(row=2, column=2).number_format == "General"
    assert sheet.cell(row=4, column=5).value == "=SUM(A1:A2)"  # a note stays text the PCN typed


def test_a_row_with_too_few_or_too_many_values_is_refused():
    for ragged in (ROWS[0][:-1], [*ROWS[0], "extra"]):
        with pytest.raises(ValueError, match="values for 5 columns"):
            xlsx_bytes("Sheet", COLUMNS, [ragged])
    with pytest.raises(ValueError):
        csv_bytes(COLUMNS, [ROWS[0][:-1]])


def test_a_table_without_money_is_written_as_it_is():
    columns = [Column("Code"), Column("Name")]
    book = load_workbook(io.BytesIO(xlsx_bytes("Codes", columns, [("U1", "One"), ("U2", "Two")])))
    assert list(book.active.iter_rows(values_only=True)) == [("Code", "Name"), ("U1", "One"), ("U2", "Two")]
