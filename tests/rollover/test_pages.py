"""Year rollover pages: the dry run (scoped, with the reason when the button is unavailable), the form's bad input
in the NHS error summary, CSRF, starting 2020/21 once, and the API's same rules."""

import html
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.funding.models import CarryForward, LedgerEntry, Programme
from pcndev.plans.models import Initiative, PlanVersion, SupportPlan
from tests.builders import AS_OF, make_user
from tests.maturity.builders import make_round
from tests.rollover.builders import year_end


@pytest.fixture
def year(db):
    return year_end()


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _form(**kw) -> dict:
    return {
        "name": "PCN development support 2020/21",
        "national_total": "43,700,000",
        "list_size_date": AS_OF.isoformat(),
        "open_rounds": "1",
    } | kw


def test_the_dry_run_shows_what_will_be_carried_and_the_form(client, year):
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    response = client.get(reverse("delivery:rollover", args=[year.programme.pk]))
    assert response.status_code == 200
    page = _text(response)
    assert "<h1>Start 2020/21</h1>" in page
    for expected in (
        "6 in 3 PCN(s)",
        "£5,000.00",  # remaining budget
        "£3,600.00",  # money carried
        "Initiative A",
        "In progress",
        "Never reviewed",
        "Paused",
        "(existing funds)",
        "£2,000.00",
        'value="PCN development support 2020/21"',
        'value="43,700,000.00"',
        "csrfmiddlewaretoken",
    ):
        assert expected in page, expected
    assert "Initiative B" not in page and "Initiative F" not in page and "Initiative G" not in page
    assert reverse("plans:version", args=[year.versions[0].pk]) in page
    assert not Programme.objects.filter(financial_year=2020).exists()  # a dry run writes nothing


def test_other_roles_see_their_own_pcns_and_why_they_cannot_start_it(client, year):
    make_round("Place 0 September 2019", place=year.tree.places[0], programme=year.programme)
    make_round("Place 1 September 2019", place=year.tree.places[1], programme=year.programme)
    lead = make_user("place@test.example", Role.PLACE_LEAD, year.tree.places[1])
    client.force_login(lead)
    page = _text(client.get(reverse("delivery:rollover", args=[year.programme.pk])))
    assert "Place 1 September 2020" in page and "Place 0 September 2020" not in page
    assert "You cannot start 2020/21: Only a national administrator can start 2020/21." in page
    assert "Initiative I" in page and "Initiative A" not in page and 'name="national_total"' not in page
    refused = client.post(reverse("delivery:rollover", args=[year.programme.pk]), _form())
    assert refused.status_code == 403 and "Only a national administrator can start 2020/21." in _text(refused)
    assert not Programme.objects.filter(financial_year=2020).exists()


@pytest.mark.parametrize(
    ("total", "message"),
    [
        ("0", "Enter a national total of more than £0, like 43,700,000"),
        ("-5", "'-5' must be £0 or more"),
        ("lots", "'lots' is not an amount in pounds"),
        ("", "Enter the national total in pounds, like 43,700,000"),
    ],
)
def test_bad_input_is_shown_in_the_error_summary_and_nothing_is_written(client, year, total, message):
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    entries = LedgerEntry.objects.count()
    response = client.post(
        reverse("delivery:rollover", args=[year.programme.pk]),
        _form(national_total=total, name="", list_size_date="2001-01-01"),
    )
    assert response.status_code == 400
    page = _text(response)
    assert "There is a problem" in page and message in page and 'href="#national_total"' in page
    assert "Enter a name for the new programme" in page
    assert "Choose a date for which list sizes are held" in page
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: Start 2020/21" in page
    assert (
        LedgerEntry.objects.count() == entries and not Programme.objects.filter(financial_year=2020).exists()
    )


def test_starting_it_needs_the_csrf_token(year):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    response = client.post(reverse("delivery:rollover", args=[year.programme.pk]), _form())
    assert response.status_code == 403 and not Programme.objects.filter(financial_year=2020).exists()


def test_starting_2020_21_once(client, year):
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    url = reverse("delivery:rollover", args=[year.programme.pk])
    response = client.post(url, _form(open_rounds=""))
    new = Programme.objects.get(financial_year=2020)
    assert response.status_code == 302 and response.url == reverse("funding:programme", args=[new.pk])
    assert new.national_total_pence == 4_370_000_000 and new.rolled_over_from == year.programme
    assert CarryForward.objects.count() == 3
    page = _text(client.get(url))
    assert "You cannot start 2020/21: " in page and "has already been rolled over into" in page
    again = client.post(url, _form(name="Another"))
    assert again.status_code == 403 and "a programme rolls over once" in _text(again)
    assert Programme.objects.filter(financial_year=2020).count() == 1


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_api_previews_refuses_with_reasons_and_starts_it_once(client, year):
    url = f"/api/v1/programmes/{year.programme.pk}/rollover"
    client.force_login(make_user("cd@test.example", Role.PCN_CD, year.tree.pcns[0]))
    dry = client.get(url).json()
    assert dry["start"] == {"allowed": False, "reason": "Only a national administrator can start 2020/21."}
    assert [p["pcn"] for p in dry["pcns"]] == [year.tree.pcns[0].code]
    assert {i["title"]: i["carried_pence"] for i in dry["pcns"][0]["initiatives"]} == {
        "Initiative A": 200_000,
        "Initiative C": 100_000,
        "Initiative D": 40_000,
        "Initiative E": 0,
    }
    body = {"name": "PCN development support 2020/21", "national_total_pence": 4_370_000_000}
    refused = _post(client, url, body)
    assert (
        refused.status_code == 403
        and refused.json()["detail"] == "Only a national administrator can start 2020/21."
    )

    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    dry = client.get(url).json()
    assert dry["start"]["allowed"] and dry["default_national_total_pence"] == 4_370_000_000
    assert (dry["initiatives"], dry["remaining_pence"], dry["carried_pence"]) == (6, 500_000, 360_000)
    assert dry["default_name"] == "PCN development support 2020/21" and dry["list_size_dates"] == [
        AS_OF.isoformat()
    ]
    bad = _post(client, url, {"name": "", "national_total_pence": -1})
    assert bad.status_code == 422
    assert bad.json()["fields"] == {
        "name": "Enter a name for the new programme",
        "national_total": "Enter a national total of more than £0, like 43,700,000",
    }
    created = _post(client, url, body)
    assert created.status_code == 201
    out = created.json()
    assert out["year_label"] == "2020/21" and out["rolled_over_from"] == year.programme.pk
    assert {c["pcn"]: c["carried_pence"] for c in out["carried"]} == {
        year.tree.pcns[0].code: 340_000,
        year.tree.pcns[1].code: 20_000,
        year.tree.pcns[2].code: 0,
    }
    again = _post(client, url, body)
    assert again.status_code == 403 and "has already been rolled over" in again.json()["detail"]
    assert client.get("/api/v1/programmes/999999/rollover").status_code == 404


def test_the_dry_run_reads_a_fixed_number_of_queries(client, year):
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    urls = (
        reverse("delivery:rollover", args=[year.programme.pk]),
        f"/api/v1/programmes/{year.programme.pk}/rollover",
    )

    def counts():
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx))
        return out

    before = counts()
    plan = SupportPlan.objects.create(programme=year.programme, pcn=year.tree.pcns[3])
    version = PlanVersion.objects.create(plan=plan, number=1, state="in_delivery")
    Initiative.objects.bulk_create(
        Initiative(version=v, title=f"More {n}", cost_pence=5_000)
        for v in (version, year.versions[0])
        for n in range(5)
    )
    assert counts() == before
    assert "More 4" in client.get(urls[0]).content.decode()
