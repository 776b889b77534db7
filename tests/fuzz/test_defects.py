"""What the fuzzer found, pinned down: each was a 500 or a response that broke its schema."""

import json

import pytest

from pcndev.accounts.models import ApiToken, Role
from pcndev.api.inputs import MESSAGE as NUL_MESSAGE
from pcndev.funding.programmes import create_programme
from tests.builders import AS_OF, make_user

HUGE = 2**70


@pytest.fixture
def admin_client(client, tree):
    user = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer " + ApiToken.objects.issue(user)[1]
    return client


@pytest.mark.parametrize("url", ["/api/v1/pcns", "/api/v1/practices"])
@pytest.mark.parametrize("query", [{"limit": HUGE}, {"offset": HUGE}, {"limit": 0}, {"offset": -1}])
def test_paging_out_of_range_is_a_422_not_a_database_overflow(admin_client, url, query):
    response = admin_client.get(url, query)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] in query


def test_paging_in_range_still_pages(admin_client, tree):
    assert len(admin_client.get("/api/v1/practices", {"limit": 1000}).json()["items"]) == len(
        tree.practices + tree.unallocated
    )


def test_a_huge_ledger_offset_is_an_empty_page(admin_client):
    programme = create_programme("Programme", 2019, 1_000_00, AS_OF)
    response = admin_client.get(f"/api/v1/programmes/{programme.pk}/ledger", {"offset": HUGE})
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize(
    "method,url,payload,loc",
    [
        ("get", "/api/v1/practices", {"q": "3\x00"}, ["query", "q"]),
        ("get", "/api/v1/pcns/R0S0P0N0%00", None, ["path", "code"]),
        ("post", "/api/v1/programmes", {"name": "a\x00b"}, ["body", "name"]),
        ("post", "/api/v1/programmes", {"x": [{"y\x00": 1}]}, ["body", "x", 0, "y\x00"]),
    ],
)
def test_nul_characters_are_refused_with_where_they_were(admin_client, method, url, payload, loc):
    if method == "get":
        response = admin_client.get(url, payload)
    else:
        response = admin_client.post(url, payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {"detail": [{"type": "string_nul", "loc": loc, "msg": NUL_MESSAGE}]}


def test_a_body_that_is_not_json_is_a_400(admin_client):
    response = admin_client.post("/api/v1/programmes", b"\xf4\xac", content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]


def test_programme_priorities_and_top_ups_are_typed(admin_client, tree):
    programme = create_programme("Programme", 2019, 1_000_00, AS_OF)
    listed = admin_client.get(f"/api/v1/programmes/{programme.pk}").json()
    assert listed["priorities"] and set(listed["priorities"][0]) == {"kind", "code", "title"}
    made = admin_client.post(
        f"/api/v1/programmes/{programme.pk}/top-ups",
        {"level": "place", "code": tree.places[0].code, "amount_pence": 1_000_00, "source": "CCG reserves"},
        content_type="application/json",
    )
    assert made.status_code == 201 and set(made.json()) == {"id", "amount_pence", "entries"}


def test_the_review_of_a_plan_not_yet_released_reads_as_nothing_to_review(client, db):
    from tests.delivery.review_builders import OCT
    from tests.plans.builders import funded_world, ready_plan

    w = funded_world()
    ready_plan(w)
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer " + ApiToken.objects.issue(w.cd)[1]
    response = client.get(f"/api/v1/programmes/{w.programme.pk}/reviews/{w.pcn.code}/{OCT.isoformat()}")
    assert response.status_code == 200
    assert response.json()["version"] is None and response.json()["can_record"] is False


@pytest.mark.parametrize("change", [{"amount_pence": HUGE}, {"source": "x" * 10_000}])
def test_a_top_up_too_big_or_with_a_long_source_is_a_422(admin_client, tree, change):
    programme = create_programme("Programme", 2019, 1_000_00, AS_OF)
    body = {"level": "place", "code": tree.places[0].code, "amount_pence": 1_000_00, "source": "CCG"} | change
    response = admin_client.post(
        f"/api/v1/programmes/{programme.pk}/top-ups", body, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["detail"]


def test_a_template_whose_yaml_holds_an_impossible_date_is_a_400(admin_client):
    response = admin_client.post(
        "/api/v1/maturity/templates", {"yaml": "9999-99-99"}, content_type="application/json"
    )
    assert response.status_code == 400 and "cannot be read" in json.dumps(response.json())
