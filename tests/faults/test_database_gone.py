"""The database goes away during a request: the user gets the error page (503, the same words as the page for
any server error), never a traceback; the API answers JSON; and nothing the request had written is kept.

With DEBUG off, as in production (`pcndev serve` refuses DEBUG). Django's test client would re-raise the
exception; these clients let the handlers answer, as a real server does.
"""

import pytest
from django.conf import settings
from django.test import Client

from pcndev.accounts.models import ApiToken, Role
from pcndev.funding.models import Programme
from pcndev.funding.programmes import create_programme
from pcndev.ops.checksums import differences, table_checksums
from tests.builders import AS_OF, make_user
from tests.faults.dbfaults import InterfaceError, OperationalError, audit_writes, database_down

PAGE_TEXT = b"Sorry, there is a problem with the service"
PAGES = ["/", "/funding/", "/plans/", "/self-assessment/", "/organisations/"]
PROGRAMME_FORM = {
    "name": "PCN development support 2030/31",
    "financial_year": "2030",
    "national_total": "43,500,000",
    "list_size_date[day]": "1",
    "list_size_date[month]": "1",
    "list_size_date[year]": "2021",
    "cd_share": "10",
    "cd_split": "per-pcn",
    "basis": "list-size",
}
PROGRAMME_API = {
    "name": "PCN development support 2030/31",
    "financial_year": 2030,
    "national_total_pence": 43_500_000_00,
    "list_size_date": "2021-01-01",
}


@pytest.fixture
def admin(tree):
    return make_user("admin@test.example", Role.NATIONAL_ADMIN)


def _browser(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _api(user) -> Client:
    return Client(
        raise_request_exception=False, HTTP_AUTHORIZATION="Bearer " + ApiToken.objects.issue(user)[1]
    )


def _is_the_error_page(response, status=503):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert PAGE_TEXT in response.content
    assert b"Traceback" not in response.content and b"OperationalError" not in response.content


def test_debug_is_off():
    assert settings.DEBUG is False


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
@pytest.mark.parametrize("url", PAGES)
def test_pages_with_the_database_down_show_the_error_page(admin, monkeypatch, url, error):
    browser = _browser(admin)
    with database_down(monkeypatch, error):
        response = browser.get(url)
    _is_the_error_page(response)


@pytest.mark.parametrize("url", ["/api/v1/me", "/api/v1/programmes", "/api/v1/pcns"])
def test_the_api_with_the_database_down_answers_json(admin, monkeypatch, url):
    api = _api(admin)
    with database_down(monkeypatch):
        response = api.get(url)
    assert response.status_code == 503 and response["Content-Type"].startswith("application/json")
    assert "unavailable" in response.json()["detail"]


def test_a_bug_is_a_500_page_and_json_not_a_traceback(admin, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    create_programme("Programme", 2019, 1_000_00, AS_OF)
    monkeypatch.setattr("pcndev.funding.views.render", broken)
    monkeypatch.setattr("pcndev.api.funding._programme_out", broken)
    _is_the_error_page(_browser(admin).get("/funding/"), status=500)
    response = _api(admin).get("/api/v1/programmes")
    assert response.status_code == 500 and response.json() == {
        "detail": "Sorry, there is a problem with the service. Nothing you sent has been saved."
    }


def test_the_database_going_away_mid_save_on_a_page_writes_nothing(admin, monkeypatch):
    browser = _browser(admin)
    before = table_checksums()
    with audit_writes(monkeypatch, fail_at=1) as writes:
        response = browser.post("/funding/new/", PROGRAMME_FORM)
    assert writes.count == 1, "the programme is audited after it and its priorities are written"
    _is_the_error_page(response)
    assert differences(before, table_checksums()) == []
    assert browser.post("/funding/new/", PROGRAMME_FORM).status_code == 302  # and it works again after
    assert Programme.objects.filter(financial_year=2030).count() == 1


def test_the_database_going_away_mid_save_through_the_api_writes_nothing(admin, monkeypatch):
    api = _api(admin)
    before = table_checksums()
    with audit_writes(monkeypatch, fail_at=1, error=InterfaceError):
        response = api.post("/api/v1/programmes", PROGRAMME_API, content_type="application/json")
    assert response.status_code == 503 and "unavailable" in response.json()["detail"]
    # the token's last use is written when it is checked, before the request's own work
    assert [d for d in differences(before, table_checksums()) if not d.startswith("accounts_apitoken ")] == []
