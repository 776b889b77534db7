"""Invalid NHS files: every problem is reported with file, row and column, and the database is untouched."""

import io

import pytest
from django.core.management import CommandError, call_command

from pcndev.audit.models import AuditEvent
from pcndev.orgs.importers import ImportErrors, import_nhs_files
from pcndev.orgs.models import PCN, ImportRun, ListSize, Place, Practice, PracticeMembership, Region, System
from tests.orgs.nhs_samples import (
    LIST_NAME,
    MAPPING_NAME,
    SAMPLE,
    csv_text,
    list_table,
    mapping_table,
    moved,
    write,
    write_pair,
)

pytestmark = pytest.mark.django_db
MAP, LIST = MAPPING_NAME, LIST_NAME


def db_state() -> dict:
    """Every row of every table the importer writes."""
    tables = (Region, System, Place, PCN, Practice, PracticeMembership, ListSize, AuditEvent, ImportRun)
    return {m.__name__: list(m.objects.order_by("pk").values_list()) for m in tables}


@pytest.fixture
def imported(tmp_path):
    """A register already holding the sample, and the state to compare with."""
    import_nhs_files(*write_pair(tmp_path / "good"))
    (tmp_path / "bad").mkdir()
    return db_state()


def failing(tmp_path, mapping=None, lists=None) -> tuple[list[str], str]:
    """Run the command with the given tables/texts (default: the good sample); return stderr lines, message."""
    directory = tmp_path / "bad"
    directory.mkdir(exist_ok=True)
    mapping_path = write(directory / MAP, mapping if mapping is not None else mapping_table())
    lists_path = write(directory / LIST, lists if lists is not None else list_table(), line_ending="\r\n")
    err, out = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_nhs",
            "--mapping",
            str(mapping_path),
            "--list-sizes",
            str(lists_path),
            stdout=out,
            stderr=err,
        )
    assert out.getvalue() == ""
    return err.getvalue().splitlines(), str(caught.value)


def drop_column(table, name):
    i = table[0].index(name)
    return [row[:i] + row[i + 1 :] for row in table]


def set_value(table, row_number, column, value):
    table[row_number - 1][table[0].index(column)] = value
    return table


def test_missing_column(tmp_path, imported):
    lines, message = failing(tmp_path, mapping=drop_column(mapping_table(), "PCN_NAME"))
    assert lines == [f"{MAP}, row 1, column PCN_NAME: required column is missing"]
    assert message == "1 problem found; nothing was imported"
    assert db_state() == imported


def test_neither_ccg_nor_sub_icb_columns(tmp_path, imported):
    lines, _ = failing(tmp_path, mapping=drop_column(mapping_table(), "CCG_CODE"))
    assert lines == [
        f"{MAP}, row 1, column CCG_CODE: required column is missing (or SUB_ICB_LOCATION_CODE in newer files)"
    ]
    assert db_state() == imported


def test_duplicate_practice_code(tmp_path, imported):
    table = mapping_table()
    table.append(list(table[1]))  # H84001 again, as row 12
    lines, _ = failing(tmp_path, mapping=table)
    assert lines == [f"{MAP}, row 12, column PRACTICE_CODE: practice H84001 is repeated (first on row 2)"]
    assert db_state() == imported


def test_non_numeric_count(tmp_path, imported):
    # list rows: 2 H84001 (ALL), 3 H84001 (MALE, ignored), 4 H84002
    lines, _ = failing(tmp_path, lists=set_value(list_table(), 4, "NUMBER_OF_PATIENTS", "8,000"))
    assert lines == [f'{LIST}, row 4, column NUMBER_OF_PATIENTS: "8,000" is not a whole number']
    assert db_state() == imported


def test_negative_count(tmp_path, imported):
    lines, _ = failing(tmp_path, lists=set_value(list_table(), 5, "NUMBER_OF_PATIENTS", "-12"))
    assert lines == [
        f"{LIST}, row 5, column NUMBER_OF_PATIENTS: -12 is negative; expected 0 or more patients"
    ]
    assert db_state() == imported


def test_truncated_row(tmp_path, imported):
    table = mapping_table()
    table[-1] = table[-1][:5]  # the download stopped inside the last row
    lines, _ = failing(tmp_path, mapping=table)
    assert lines == [
        f"{MAP}, row 11, column PCN_CODE: row is truncated: it has 5 fields but the header has 16"
    ]
    assert db_state() == imported


def test_wrong_encoding(tmp_path, imported):
    table = mapping_table(moved(SAMPLE, "G84001", name="CAFÉ SURGERY"))
    data = csv_text(table).encode("cp1252")
    offset = data.index(b"\xc9")
    lines, _ = failing(tmp_path, mapping=data)
    assert lines == [f"{MAP}: not UTF-8 text (byte 0xC9 at offset {offset}); save the file as CSV UTF-8"]
    assert db_state() == imported


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "file is empty; expected a header row and data rows"),
        ("\r\n", "file is empty; expected a header row and data rows"),
        (csv_text(list_table()[:1], "\r\n"), "file has a header row but no data rows"),
    ],
)
def test_empty_file(tmp_path, imported, text, expected):
    lines, _ = failing(tmp_path, lists=text)
    assert lines == [f"{LIST}: {expected}"]
    assert db_state() == imported


def test_bad_extract_date(tmp_path, imported):
    table = set_value(mapping_table(), 4, "EXTRACT_DATE", "31JUN2022")
    set_value(table, 5, "EXTRACT_DATE", "01Feb2022")
    lines, _ = failing(tmp_path, mapping=table)
    assert lines == [
        f'{MAP}, row 4, column EXTRACT_DATE: "31JUN2022" is not a date '
        "(expected a date like 01JAN2021, 2026-04-01 or 01-Apr-26)",
        f"{MAP}, row 5, column EXTRACT_DATE: extract date 2022-02-01 differs from 2022-01-01 on row 2",
    ]
    assert db_state() == imported


def test_every_problem_in_both_files_is_reported(tmp_path, imported):
    mapping = mapping_table()
    mapping.append(list(mapping[3]))  # row 12 repeats H85001 (row 4)
    set_value(mapping, 7, "PRACTICE_NAME", "")
    set_value(mapping, 9, "PCN_CODE", "U123456789012")
    lists = set_value(list_table(), 6, "NUMBER_OF_PATIENTS", "many")
    set_value(lists, 7, "NUMBER_OF_PATIENTS", "-1")
    lines, message = failing(tmp_path, mapping=mapping, lists=lists)
    assert lines == [
        f"{MAP}, row 7, column PRACTICE_NAME: is empty",
        f"{MAP}, row 9, column PCN_CODE: is longer than 12 characters",
        f"{MAP}, row 12, column PRACTICE_CODE: practice H85001 is repeated (first on row 4)",
        f'{LIST}, row 6, column NUMBER_OF_PATIENTS: "many" is not a whole number',
        f"{LIST}, row 7, column NUMBER_OF_PATIENTS: -1 is negative; expected 0 or more patients",
    ]
    assert message == "5 problems found; nothing was imported"
    assert db_state() == imported


def test_missing_file(tmp_path, imported):
    with pytest.raises(ImportErrors) as caught:
        import_nhs_files(tmp_path / "nowhere.csv", tmp_path / "good" / LIST)
    assert [str(e) for e in caught.value.errors] == [
        f"nowhere.csv: file not found ({tmp_path / 'nowhere.csv'})"
    ]
    assert db_state() == imported


def test_older_mapping_cannot_undo_a_newer_move(tmp_path, imported):
    april = moved(SAMPLE, "H85001", pcn_code="U00002", pcn_name="SUTTON PCN")
    import_nhs_files(*write_pair(tmp_path / "apr", april, mapping_date="01Apr2022"))
    state = db_state()
    with pytest.raises(ImportErrors) as caught:
        import_nhs_files(*write_pair(tmp_path / "feb", mapping_date="01Feb2022"))
    assert [str(e) for e in caught.value.errors] == [
        f"{MAP}, row 4, column PCN_CODE: practice H85001 has been in PCN U00002 since 2022-04-01, after this "
        "file's extract date 2022-02-01; import files in date order"
    ]
    assert db_state() == state


def test_ccg_code_taken_by_a_local_place(tmp_path, imported):
    Place.objects.filter(code="07Q").update(kind=Place.Kind.DEFINED, name="Bromley borough")
    state = db_state()
    with pytest.raises(ImportErrors) as caught:
        import_nhs_files(*write_pair(tmp_path / "again"))
    assert [str(e) for e in caught.value.errors] == [
        f"{MAP}, row 7, column CCG_CODE: 07Q is already the code of the local place Bromley borough; "
        "rename that place first"
    ]
    assert db_state() == state
