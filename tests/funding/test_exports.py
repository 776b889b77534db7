"""Every funding table downloads as CSV and XLSX with the same figures as the page."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pcndev.accounts.models import Role
from pcndev.funding.ledger import post_many
from tests.builders import build_tree, make_user
from tests.funding.builders import make_programme


@pytest.fixture
def world(client, db):
    tree = build_tree(regions=1, systems=1, places=2, pcns=2, practices=1, unallocated=0)
    programme = make_programme()
    post_many(
        programme,
        [dict(pcn=p, kind="allocation", amount_pence=12_345 * (i + 1)) for i, p in enumerate(tree.pcns)],
    )
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    return tree, programme


def _csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_balance_tables_export_to_csv_with_a_total_row(client, world):
    tree, programme = world
    for url in (
        reverse("funding:programme", args=[programme.pk]),
        reverse("funding:system", args=[programme.pk, tree.systems[0].code]),
        reverse("funding:place", args=[programme.pk, tree.places[0].code]),
    ):
        rows = _csv(client.get(url, {"format": "csv"}))
        assert rows[0][:3] == ["Organisation", "ODS code", "Allocated"]
        body, total = rows[1:-1], rows[-1]
        assert total[0] == "Total"
        assert sum(Decimal(r[2]) for r in body) == Decimal(total[2]) > 0


def test_xlsx_holds_pounds_as_numbers_formatted_as_money(client, world):
    tree, programme = world
    response = client.get(
        reverse("funding:place", args=[programme.pk, tree.places[0].code]), {"format": "xlsx"}
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][2] == "Allocated"
    assert [v[2] for v in values[1:]] == [123.45, 246.9, 370.35]
    assert sheet.cell(row=2, column=3).number_format == '"£"#,##0.00;-"£"#,##0.00'


def test_ledger_export_follows_the_filter_and_the_scope(client, world):
    tree, programme = world
    pcn = tree.pcns[0]
    rows = _csv(
        client.get(
            reverse("funding:pcn", args=[programme.pk, pcn.code]), {"format": "csv", "kind": "allocation"}
        )
    )
    assert rows[0] == ["Date", "Entry", "Fund", "Amount", "Reference", "Note"]
    assert [r[1:4] for r in rows[1:]] == [["Allocation", "National development money", "123.45"]]
    client.force_login(make_user("cd@test.example", Role.PCN_CD, tree.pcns[1]))
    assert (
        client.get(reverse("funding:pcn", args=[programme.pk, pcn.code]), {"format": "csv"}).status_code
        == 404
    )


def test_run_and_scenario_tables_export_with_the_pages_figures(client, world):
    from pcndev.funding.allocating import preview, save_run
    from tests.builders import AS_OF

    tree, programme = world
    system = tree.systems[0]
    run = save_run(programme, preview(100_000, system.code, "list-size", AS_OF))
    rows = _csv(client.get(reverse("funding:run", args=[programme.pk, run.pk]), {"format": "csv"}))
    assert rows[0] == ["PCN", "ODS code", "Registered patients", "Development", "CD development", "Total"]
    assert sum(Decimal(r[5]) for r in rows[1:]) == Decimal("1000.00") and len(rows) == 5
    book = client.get(
        reverse("funding:compare", args=[programme.pk]),
        {"scope": system.code, "total": "1000", "format": "xlsx"},
    )
    sheet = load_workbook(io.BytesIO(book.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][3] == "By list size" and sum(v[3] for v in values[1:]) == pytest.approx(1000)
    assert sum(v[4] for v in values[1:]) == pytest.approx(1000)  # equal shares also add up to the total
