"""Reading NHS Digital files without the database: header vintages, dates, row filters."""

import datetime

import pytest

from pcndev.orgs.importers.nhs_files import parse_date, read_list_sizes, read_mapping
from tests.orgs.nhs_samples import LIST_NAME, MAPPING_NAME, csv_text, list_table, mapping_table, write


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01JAN2021", datetime.date(2021, 1, 1)),
        ("01Jan2022", datetime.date(2022, 1, 1)),
        ("2026-04-01", datetime.date(2026, 4, 1)),
        ("01-Apr-26", datetime.date(2026, 4, 1)),
        (" 1-apr-2026 ", datetime.date(2026, 4, 1)),
        ("01/04/2026", datetime.date(2026, 4, 1)),
        ("31JUN2022", None),
        ("2026-13-01", None),
        ("01Foo2022", None),
        ("April 2026", None),
        ("", None),
    ],
)
def test_extract_date_formats(text, expected):
    assert parse_date(text) == expected


def test_headers_are_found_by_name_with_bom_spaces_and_any_order(tmp_path):
    table = mapping_table()
    order = list(reversed(range(len(table[0]))))
    shuffled = [[row[i] for i in order] for row in table]
    shuffled[0] = [f" {name.lower()} " for name in shuffled[0]]
    path = write(tmp_path / MAPPING_NAME, "\ufeff" + csv_text(shuffled))
    errors = []
    mapping = read_mapping(path, errors)
    assert errors == []
    assert mapping.era == "ccg" and mapping.extract_date == datetime.date(2022, 1, 1)
    first = mapping.rows[0]
    assert (
        first.row,
        first.code,
        first.pcn_code,
        first.place_code,
        first.system_code,
        first.region_code,
    ) == (
        2,
        "H84001",
        "U00001",
        "08J",
        "QWE",
        "Y56",
    )
    assert (first.postcode, first.place_ons, first.system_ons, first.region_ons) == (
        "KT2 6HJ",
        "E38000090",
        "E54000031",
        "E40000003",
    )


def test_sub_icb_vintage_and_optional_columns(tmp_path):
    table = mapping_table(era="icb", extract_date="2026-04-01")
    drop = {table[0].index(c) for c in ("PUBLICATION", "PRACTICE_POSTCODE", "ONS_ICB_CODE")}
    table = [[v for i, v in enumerate(row) if i not in drop] for row in table]
    errors = []
    mapping = read_mapping(write(tmp_path / MAPPING_NAME, table), errors)
    assert errors == []
    assert mapping.era == "icb" and mapping.extract_date == datetime.date(2026, 4, 1)
    row = mapping.rows[-1]
    assert (row.code, row.place_name, row.system_name) == (
        "Y02157",
        "NHS North East and North Cumbria ICB - 16C",
        "NHS North East and North Cumbria ICB",
    )
    assert row.postcode is None and row.system_ons is None and row.place_ons == "E38000247"


def test_list_sizes_use_only_all_persons_rows(tmp_path):
    errors = []
    lists = read_list_sizes(write(tmp_path / LIST_NAME, list_table(), line_ending="\r\n"), errors)
    assert errors == []
    assert lists.extract_date == datetime.date(2021, 1, 1)
    assert lists.sizes["H84001"] == 10_000  # the MALE row saying "oops" is ignored
    assert len(lists.sizes) == 11 and sum(lists.sizes.values()) == 81_304


def test_list_file_without_sex_and_age_columns(tmp_path):
    table = [["EXTRACT_DATE", "PRACTICE_CODE", "NUMBER_OF_PATIENTS"], ["01-Apr-26", "H84001", "7"]]
    errors = []
    lists = read_list_sizes(write(tmp_path / LIST_NAME, table), errors)
    assert errors == [] and lists.sizes == {"H84001": 7}
    assert lists.extract_date == datetime.date(2026, 4, 1)


def test_list_date_column_is_not_needed_with_as_of(tmp_path):
    table = [["CODE", "NUMBER_OF_PATIENTS"], ["H84001", "7"]]
    errors = []
    assert read_list_sizes(write(tmp_path / LIST_NAME, table), errors, need_date=False).sizes == {"H84001": 7}
    assert errors == []
    read_list_sizes(write(tmp_path / LIST_NAME, table), errors)
    assert [str(e) for e in errors] == [
        f"{LIST_NAME}, row 1, column EXTRACT_DATE: required column is missing"
    ]


def test_blank_lines_are_skipped_and_quoted_commas_kept(tmp_path):
    text = csv_text(mapping_table()) + "\n\n"
    errors = []
    mapping = read_mapping(write(tmp_path / MAPPING_NAME, text), errors)
    assert errors == [] and len(mapping.rows) == 10
    assert mapping.rows[5].pcn_name == "BROMLEY, CENTRAL PCN"
    assert mapping.rows[5].name == "FIELDS, NURSERY AND PARK"
