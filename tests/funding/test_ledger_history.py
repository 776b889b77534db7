"""The programme-wide ledger: filters, scoping, bad filter values, pagination, downloads and query counts."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from pcndev.accounts.models import Role
from pcndev.funding import ledger_views
from tests.builders import build_tree, make_user
from tests.funding.builders import fund_history, make_programme


@pytest.fixture
def world(db):
    tree = build_tree(regions=1, systems=2, places=2, pcns=2, practices=1, unallocated=0)
    programme = make_programme()
    fund_history(tree, programme)
    return tree, programme


def _url(programme):
    return reverse("funding:ledger", args=[programme.pk])


def _csv(client, programme, **params):
    response = client.get(_url(programme), {**params, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv"), (
        response.status_code
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _admin(client):
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))


def test_the_programme_page_links_to_the_ledger(client, world):
    _, programme = world
    _admin(client)
    page = client.get(reverse("funding:programme", args=[programme.pk])).content.decode()
    assert f'href="{_url(programme)}">Ledger history</a>' in page


def test_filters_narrow_by_organisation_kind_fund_and_dates(client, world):
    tree, programme = world
    _admin(client)
    assert len(_csv(client, programme)) == 28
    system, place, pcn = tree.systems[1], tree.places[0], tree.pcns[3]
    by_system = _csv(client, programme, scope=f"system:{system.code}")
    assert {r["ODS code"] for r in by_system} == {p.code for p in tree.pcns if p.place.system_id == system.id}
    by_place = _csv(client, programme, scope=f"place:{place.code}")
    assert {r["ODS code"] for r in by_place} == {p.code for p in tree.pcns if p.place_id == place.id}
    assert {r["ODS code"] for r in _csv(client, programme, scope=f"pcn:{pcn.code}")} == {pcn.code}
    releases = _csv(client, programme, kind="release")
    assert len(releases) == 8 and {r["Entry"] for r in releases} == {"Release to payee"}
    local = _csv(client, programme, fund="local")
    assert len(local) == 4 and {r["Fund"] for r in local} == {"Local top-up"}
    december = {"date_from[day]": "1", "date_from[month]": "12", "date_from[year]": "2019"}
    december |= {"date_to[day]": "31", "date_to[month]": "12", "date_to[year]": "2019"}
    assert {r["Entry"] for r in _csv(client, programme, **december)} == {"Commitment"}
    one_day = {"date_from[day]": "15", "date_from[month]": "1", "date_from[year]": "2020"}
    one_day |= {"date_to[day]": "15", "date_to[month]": "1", "date_to[year]": "2020"}
    combined = _csv(client, programme, scope=f"place:{place.code}", kind="release", **one_day)
    assert [(r["ODS code"], r["Amount"], r["Reference"]) for r in combined] == [
        (p.code, "200.00", f"MOU-{p.code}") for p in sorted(tree.pcns[:2], key=lambda p: -p.id)
    ]


def test_the_page_shows_the_filtered_entries_and_keeps_the_filters_in_the_form(client, world):
    tree, programme = world
    _admin(client)
    pcn = tree.pcns[0]
    response = client.get(_url(programme), {"scope": f"pcn:{pcn.code}", "kind": "release"})
    page = response.content.decode()
    assert response.status_code == 200
    table = page.split("Ledger entries 1 to 1 of 1", 1)[1]
    assert f">{pcn.name}</a>" in table and "£200.00" in table and f"MOU-{pcn.code}" in table
    assert f'<option value="pcn:{pcn.code}" selected>' in page
    assert '<option value="release" selected>' in page
    assert f"?scope=pcn%3A{pcn.code}&amp;kind=release&amp;format=csv" in page
    empty = client.get(_url(programme), {"kind": "spend"}).content.decode()
    assert "No entries match these filters." in empty


def test_a_place_lead_sees_only_their_places_entries(client, world):
    tree, programme = world
    place, other = tree.places[0], tree.places[1]
    client.force_login(make_user("lead@test.example", Role.PLACE_LEAD, place))
    own = {p.code for p in tree.pcns if p.place_id == place.id}
    assert {r["ODS code"] for r in _csv(client, programme)} == own
    page = client.get(_url(programme)).content.decode()
    assert all(p.name not in page for p in tree.pcns if p.place_id != place.id)
    assert f"place:{other.code}" not in page and f"system:{place.system.code}" not in page
    refused = client.get(_url(programme), {"scope": f"place:{other.code}"})
    assert refused.status_code == 400
    assert "Choose a system, place or PCN you can see from the list" in refused.content.decode()


def test_a_clinical_director_sees_only_their_pcns_entries(client, world):
    tree, programme = world
    pcn = tree.pcns[0]
    client.force_login(make_user("cd@test.example", Role.PCN_CD, pcn))
    rows = _csv(client, programme)
    assert {r["ODS code"] for r in rows} == {pcn.code} and len(rows) == 4
    page = client.get(_url(programme)).content.decode()
    assert f'value="pcn:{pcn.code}"' in page and f'value="pcn:{tree.pcns[1].code}"' not in page
    hidden = client.get(_url(programme), {"scope": f"pcn:{tree.pcns[1].code}"})
    assert hidden.status_code == 400


def test_a_user_whose_roles_cover_no_pcn_is_told_why(client, world):
    tree, programme = world
    client.force_login(make_user("member@test.example", Role.PRACTICE_MEMBER, tree.practices[0]))
    response = client.get(_url(programme))
    assert response.status_code == 403
    assert "The ledger lists PCNs&#39; money, and your roles do not cover a PCN." in response.content.decode()


def _date(name, day, month, year):
    return {f"{name}[day]": day, f"{name}[month]": month, f"{name}[year]": year}


@pytest.mark.parametrize(
    ("params", "message", "anchor"),
    [
        (
            _date("date_from", "31", "2", "2020"),
            "From date must be a real date, like 15 1 2020",
            "#date_from-day",
        ),
        (_date("date_to", "1", "13", "2020"), "To date must be a real date, like 15 1 2020", "#date_to-day"),
        (_date("date_from", "1", "", ""), "From date must include a month and a year", "#date_from-day"),
        (_date("date_to", "x", "1", "2020"), "To date must be a real date, like 15 1 2020", "#date_to-day"),
        (
            _date("date_from", "2", "1", "2020") | _date("date_to", "1", "1", "2020"),
            "To date must be the same as or after the from date",
            "#date_to-day",
        ),
        ({"kind": "gift"}, "Choose a kind of entry from the list", "#kind"),
        ({"fund": "lottery"}, "Choose national development money or local top-ups", "#fund"),
        ({"scope": "pcn:NOPE"}, "Choose a system, place or PCN you can see from the list", "#scope"),
        ({"scope": "practice:X"}, "Choose a system, place or PCN you can see from the list", "#scope"),
    ],
)
def test_bad_filters_get_an_error_summary_not_a_crash(client, world, params, message, anchor):
    _, programme = world
    _admin(client)
    response = client.get(_url(programme), params)
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert re.search(rf'<a href="{anchor}">\s*{re.escape(message)}\s*</a>', page), "not in the summary"
    assert page.count(message) == 2  # in the summary and at the field
    assert "<title>Error: Ledger" in page and "Ledger entries" not in page
    download = client.get(_url(programme), {**params, "format": "csv"})
    assert download.status_code == 400 and download["Content-Type"].startswith("text/html")


def test_pages_of_entries_keep_the_filters(client, world, monkeypatch):
    _, programme = world
    monkeypatch.setattr(ledger_views, "PAGE_SIZE", 10)
    _admin(client)
    first = client.get(_url(programme)).content.decode()
    assert "Ledger entries 1 to 10 of 28" in first and 'aria-label="Pagination"' in first
    assert '<a href="?page=2" class="nhsuk-pagination__next" rel="next">' in first
    assert re.search(r'href="\?page=1" aria-label="Page 1" aria-current="page"', first)
    second = client.get(_url(programme), {"fund": "national", "page": "2"}).content.decode()
    assert "Ledger entries 11 to 20 of 24" in second
    assert '<a href="?fund=national&amp;page=1" class="nhsuk-pagination__previous" rel="prev">' in second
    assert '<a href="?fund=national&amp;page=3" class="nhsuk-pagination__next" rel="next">' in second
    assert "Ledger entries 21 to 28 of 28" in client.get(_url(programme), {"page": "99"}).content.decode()
    assert "Ledger entries 1 to 10 of 28" in client.get(_url(programme), {"page": "x"}).content.decode()
    assert len(_csv(client, programme, page="2")) == 28  # a download holds every page
    one_page = client.get(_url(programme), {"kind": "commitment"}).content.decode()
    assert "Ledger entries 1 to 8 of 8" in one_page and "nhsuk-pagination" not in one_page


def test_the_download_holds_every_column_in_pounds(client, world):
    tree, programme = world
    _admin(client)
    pcn = tree.pcns[0]
    rows = _csv(client, programme, scope=f"pcn:{pcn.code}")
    assert list(rows[0]) == [
        "Entry ID",
        "Date",
        "PCN",
        "ODS code",
        "Entry",
        "Fund",
        "Amount",
        "Reverses entry",
        "Reference",
        "Payee",
        "Note",
        "Recorded by",
    ]
    assert [(r["Date"], r["Entry"], r["Fund"], r["Amount"]) for r in rows] == [
        ("2020-01-15", "Release to payee", "National development money", "200.00"),
        ("2019-12-01", "Commitment", "National development money", "500.00"),
        ("2019-09-01", "Top-up", "Local top-up", "50.00"),
        ("2019-06-01", "Allocation", "National development money", "1000.00"),
    ]
    assert {r["PCN"] for r in rows} == {pcn.name} and {r["Recorded by"] for r in rows} == {"system"}
    response = client.get(_url(programme), {"scope": f"pcn:{pcn.code}", "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="2019-ledger.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][6] == "Amount" and [v[6] for v in values[1:]] == [200, 500, 50, 1000]
    assert sheet.cell(row=2, column=7).number_format == '"£"#,##0.00;-"£"#,##0.00'


def test_the_programme_list_downloads(client, world):
    _, programme = world
    make_programme(total_pence=4_370_000_000, year=2020)
    _admin(client)
    page = client.get(reverse("funding:programmes")).content.decode()
    assert '<a href="?format=csv">CSV</a>' in page
    response = client.get(reverse("funding:programmes"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        [
            "Programme",
            "Year",
            "National total",
            "List sizes used",
            "CD development share (%)",
            "CD split",
            "Allocation basis",
        ],
        [
            "PCN development support",
            "2020/21",
            "43700000.00",
            "2021-01-01",
            "10.00",
            "Equally per PCN",
            "list-size",
        ],
        [
            "PCN development support",
            "2019/20",
            "43500000.00",
            "2021-01-01",
            "10.00",
            "Equally per PCN",
            "list-size",
        ],
    ]
    book = client.get(reverse("funding:programmes"), {"format": "xlsx"})
    values = list(load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True))
    assert [v[2] for v in values[1:]] == [43_700_000, 43_500_000]


@pytest.mark.django_db
def test_ledger_queries_do_not_grow_with_entries_or_pcns(client):
    def counts(tree, programme, user):
        client.force_login(user)
        pcn, place = tree.pcns[0], tree.places[0]
        filters = {"scope": f"place:{place.code}", "kind": "release"} | _date("date_from", "1", "1", "2020")
        urls = [
            (_url(programme), {}),
            (_url(programme), filters),
            (_url(programme), {"page": "2"}),
            (_url(programme), {"format": "csv"}),
            (_url(programme), {**filters, "format": "xlsx"}),
            (reverse("funding:pcn", args=[programme.pk, pcn.code]), {}),
            (f"/api/v1/programmes/{programme.pk}/ledger", {}),
            (f"/api/v1/programmes/{programme.pk}/ledger", {"place": place.code, "date_from": "2020-01-01"}),
        ]
        out = []
        for url, params in urls:
            with CaptureQueriesContext(connection) as q:
                assert client.get(url, params).status_code == 200, (url, params)
            out.append(len(q))
        return out

    small = build_tree(regions=1, systems=1, places=1, pcns=5, practices=1, prefix="A")
    p1 = make_programme(name="Small")
    fund_history(small, p1)
    large = build_tree(regions=2, systems=5, places=5, pcns=20, practices=1, prefix="B")
    p2 = make_programme(name="Large")
    fund_history(large, p2)
    assert len(large.pcns) == 1000
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    assert counts(small, p1, admin) == counts(large, p2, admin)
    small_lead = make_user("a@test.example", Role.PLACE_LEAD, small.places[0])
    large_lead = make_user("b@test.example", Role.PLACE_LEAD, large.places[0])
    assert counts(small, p1, small_lead) == counts(large, p2, large_lead)


def test_long_runs_of_pages_are_shortened_with_ellipses():
    from django.core.paginator import Paginator
    from django.http import QueryDict

    page = Paginator(range(200), 10).get_page(10)
    links = ledger_views.page_links(page, QueryDict("kind=release"))
    shown = [i.get("number", "…") for i in links["items"]]
    assert shown == [1, "…", 9, 10, 11, "…", 20]
    assert (
        links["previous"]["href"] == "?kind=release&page=9"
        and links["next"]["href"] == "?kind=release&page=11"
    )
    assert "previous" not in ledger_views.page_links(Paginator(range(20), 10).get_page(1), QueryDict())
