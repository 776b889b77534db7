"""The ledger API: the history page's filters and refusals, releases to the payee and reversals."""

import json

import pytest

from pcndev.accounts.models import Role
from pcndev.funding.models import LedgerEntry
from pcndev.orgs.models import PayeeOrganisation
from tests.builders import build_tree, make_user
from tests.funding.builders import fund_history, make_programme


def _url(programme):
    return f"/api/v1/programmes/{programme.pk}/ledger"


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def world(db):
    tree = build_tree(regions=1, systems=2, places=2, pcns=2, practices=1, unallocated=0)
    programme = make_programme()
    fund_history(tree, programme)
    return tree, programme


@pytest.fixture
def admin(client):
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))


def test_the_list_takes_the_same_filters_as_the_page(client, world, admin):
    tree, programme = world
    url = _url(programme)
    assert len(client.get(url).json()) == 28
    place = tree.places[0]
    own = {p.code for p in tree.pcns if p.place_id == place.id}
    assert {e["pcn"] for e in client.get(url, {"place": place.code}).json()} == own
    assert {e["pcn"] for e in client.get(url, {"scope": f"place:{place.code}"}).json()} == own
    system = tree.systems[0]
    in_system = {p.code for p in tree.pcns if p.place.system_id == system.id}
    assert {e["pcn"] for e in client.get(url, {"system": system.code}).json()} == in_system
    releases = client.get(url, {"pcn": tree.pcns[0].code, "kind": "release"}).json()
    assert [(e["kind"], e["amount_pence"], e["reference"]) for e in releases] == [
        ("release", 20_000, f"MOU-{tree.pcns[0].code}")
    ]
    assert len(client.get(url, {"fund": "local"}).json()) == 4
    december = client.get(url, {"date_from": "2019-12-01", "date_to": "2019-12-31"}).json()
    assert {e["kind"] for e in december} == {"commitment"} and len(december) == 8
    page = client.get(url, {"offset": 26, "limit": 5}).json()
    assert [e["kind"] for e in page] == ["allocation", "allocation"]


@pytest.mark.parametrize(
    ("params", "reasons"),
    [
        ({"date_from": "2020-02-30"}, ["From date must be a real date, like 2020-01-15"]),
        (
            {"date_from": "2020-02-01", "date_to": "2020-01-01"},
            ["To date must be the same as or after the from date"],
        ),
        ({"kind": "gift"}, ["Choose a kind of entry from the list"]),
        ({"fund": "lottery"}, ["Choose national development money or local top-ups"]),
        ({"pcn": "NOPE"}, ["Choose a system, place or PCN you can see from the list"]),
    ],
)
def test_bad_filters_are_refused_with_reasons(client, world, admin, params, reasons):
    _, programme = world
    response = client.get(_url(programme), params)
    assert response.status_code == 422
    assert response.json() == {"detail": "Check the filters", "reasons": reasons}


def test_only_one_organisation_filter_at_a_time(client, world, admin):
    tree, programme = world
    response = client.get(_url(programme), {"pcn": tree.pcns[0].code, "place": tree.places[0].code})
    assert response.status_code == 422
    assert response.json()["detail"] == "Give only one of scope, pcn, place or system"


def test_a_place_lead_cannot_filter_to_another_place(client, world):
    tree, programme = world
    client.force_login(make_user("lead@test.example", Role.PLACE_LEAD, tree.places[0]))
    assert client.get(_url(programme), {"place": tree.places[1].code}).status_code == 422
    assert {e["pcn"] for e in client.get(_url(programme)).json()} == {p.code for p in tree.pcns[:2]}


def test_releases_go_to_the_payee_and_reversals_take_the_whole_amount(client, world, admin):
    tree, programme = world
    pcn = tree.pcns[0]
    pcn.payee = PayeeOrganisation.objects.create(name="Riverside GP Federation")
    pcn.save()
    url = _url(programme)
    body = {"pcn": pcn.code, "kind": "release", "amount_pence": 5_000, "reference": "MOU-2"}
    made = _post(client, url, {**body, "entry_date": "2020-02-01"})
    assert made.status_code == 201 and made.json()["payee"] == "Riverside GP Federation"
    future = _post(client, url, {**body, "entry_date": "2999-01-01"})
    assert future.status_code == 409 and future.json()["reasons"] == ["The date cannot be in the future"]
    entry_id = made.json()["id"]
    partial = _post(
        client, url, {"pcn": pcn.code, "kind": "reversal", "reverses": entry_id, "amount_pence": 1}
    )
    assert partial.status_code == 409
    assert partial.json()["reasons"] == ["A reversal must be for the whole amount of the entry it reverses"]
    no_reason = _post(client, url, {"pcn": pcn.code, "kind": "reversal", "reverses": entry_id})
    assert no_reason.status_code == 409 and no_reason.json()["reasons"] == [
        "Say why this entry is being reversed"
    ]
    reversed_ = _post(
        client, url, {"pcn": pcn.code, "kind": "reversal", "reverses": entry_id, "note": "Wrong"}
    )
    assert reversed_.status_code == 201
    assert (reversed_.json()["reverses"], reversed_.json()["amount_pence"]) == (entry_id, 5_000)
    other = LedgerEntry.objects.filter(pcn=tree.pcns[1]).first()
    assert _post(client, url, {"pcn": pcn.code, "kind": "reversal", "reverses": other.pk}).status_code == 404
    allocation = LedgerEntry.objects.get(pcn=pcn, kind="allocation")
    refused = _post(
        client, url, {"pcn": pcn.code, "kind": "reversal", "reverses": allocation.pk, "note": "x"}
    )
    assert refused.status_code == 409 and refused.json()["reasons"] == [
        "Allocations are corrected by saving a new allocation run, not by reversing an entry"
    ]
    assert _post(client, url, {"pcn": pcn.code, "kind": "reversal"}).status_code == 422
    assert _post(client, url, {"pcn": pcn.code, "kind": "spend"}).status_code == 422
