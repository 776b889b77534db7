"""The funding API: each role may do what its subtree allows, refusals carry reasons, nothing leaks."""

import json

import pytest

from pcndev.accounts.models import Role
from pcndev.funding.models import AllocationRun, LedgerEntry
from pcndev.orgs.models import PayeeOrganisation
from tests.builders import AS_OF, build_tree, make_user
from tests.funding.builders import make_programme


@pytest.fixture
def world(db):
    tree = build_tree(regions=1, systems=2, places=2, pcns=2, practices=1, unallocated=0)
    return tree, make_programme()


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_only_a_national_admin_creates_programmes(client, world):
    tree, _ = world
    body = {
        "name": "Development 2020",
        "financial_year": 2020,
        "national_total_pence": 4_370_000_000,
        "list_size_date": AS_OF.isoformat(),
    }
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, tree.systems[0]))
    response = _post(client, "/api/v1/programmes", body)
    assert (
        response.status_code == 403
        and response.json()["detail"] == "Only a national administrator can set up a programme."
    )
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    created = _post(client, "/api/v1/programmes", body)
    assert created.status_code == 201 and len(created.json()["priorities"]) == 10
    again = _post(client, "/api/v1/programmes", body)
    assert again.status_code == 422 and "already a programme" in again.json()["detail"]


def test_a_system_lead_previews_and_saves_their_systems_allocation_only(client, world):
    tree, programme = world
    own, other = tree.systems
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, own))
    url = f"/api/v1/programmes/{programme.pk}/runs"
    preview = _post(client, url, {"total_pence": 100_000, "scope": own.code})
    assert preview.status_code == 200 and not AllocationRun.objects.exists()
    assert sum(r["total_pence"] for r in preview.json()["rows"] if r["level"] == "pcn") == 100_000
    saved = _post(client, url, {"total_pence": 100_000, "scope": own.code, "save": True})
    assert saved.status_code == 201 and saved.json()["version"] == 1
    refused = _post(client, url, {"total_pence": 100_000, "scope": other.code, "save": True})
    assert refused.status_code == 404 and other.name not in refused.content.decode()  # no hint it exists
    bad = _post(client, url, {"total_pence": -1, "scope": own.code})
    assert bad.status_code == 422 and bad.json()["detail"] == "The total must not be negative"


def test_run_lines_and_balances_are_scoped(client, world):
    tree, programme = world
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    run = _post(
        client,
        f"/api/v1/programmes/{programme.pk}/runs",
        {"total_pence": 1_000_000, "scope": "national", "save": True},
    ).json()
    pcn = tree.pcns[0]
    client.force_login(make_user("cd@test.example", Role.PCN_CD, pcn))
    lines = client.get(f"/api/v1/runs/{run['id']}").json()["rows"]
    assert [(r["level"], r["code"]) for r in lines] == [("pcn", pcn.code)]
    balances = client.get(f"/api/v1/programmes/{programme.pk}/balances?level=pcn").json()
    assert [b["code"] for b in balances] == [pcn.code] and balances[0]["allocated"] == lines[0]["total_pence"]
    assert client.get(f"/api/v1/programmes/{programme.pk}/balances?level=system").json() == []
    ledger = client.get(f"/api/v1/programmes/{programme.pk}/ledger").json()
    assert {e["pcn"] for e in ledger} == {pcn.code}


def test_ledger_posts_are_checked_and_explained(client, world):
    tree, programme = world
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    _post(
        client,
        f"/api/v1/programmes/{programme.pk}/runs",
        {"total_pence": 1_000_000, "scope": "national", "save": True},
    )
    pcn, other = tree.pcns[0], tree.pcns[-1]
    url = f"/api/v1/programmes/{programme.pk}/ledger"
    client.force_login(make_user("lead@test.example", Role.PLACE_LEAD, pcn.place))
    ok = _post(
        client, url, {"pcn": pcn.code, "kind": "commitment", "amount_pence": 1_000, "reference": "PCCC 12"}
    )
    assert ok.status_code == 201 and ok.json()["reference"] == "PCCC 12"
    unnamed = _post(client, url, {"pcn": pcn.code, "kind": "release", "amount_pence": 500})
    assert unnamed.status_code == 409 and unnamed.json()["reasons"] == [
        f"Name a payee for {pcn.name} before releasing money to it",
        "Enter the MOU reference for this release, like MOU-RBD-2019-001",
    ]
    pcn.payee = PayeeOrganisation.objects.create(name="Riverside GP Federation")
    pcn.save()
    release = {"pcn": pcn.code, "kind": "release", "reference": "MOU-1"}
    too_much = _post(client, url, {**release, "amount_pence": 1_001})
    assert too_much.status_code == 409
    assert too_much.json()["reasons"] == [
        f"{pcn.name}: Cannot release £10.01: only £10.00 of committed money has not been released yet"
    ]
    assert _post(client, url, {"pcn": other.code, "kind": "commitment", "amount_pence": 1}).status_code == 404
    assert _post(client, url, {"pcn": pcn.code, "kind": "allocation", "amount_pence": 1}).status_code == 422
    client.force_login(make_user("cd@test.example", Role.PCN_CD, pcn))
    denied = _post(client, url, {"pcn": pcn.code, "kind": "commitment", "amount_pence": 1})
    assert denied.status_code == 403 and "can change its money" in denied.json()["detail"]
    assert LedgerEntry.objects.filter(kind="commitment").count() == 1


def test_place_leads_add_top_ups_to_their_place(client, world):
    tree, programme = world
    place = tree.places[0]
    client.force_login(make_user("lead@test.example", Role.PLACE_LEAD, place))
    url = f"/api/v1/programmes/{programme.pk}/top-ups"
    made = _post(
        client, url, {"level": "place", "code": place.code, "amount_pence": 5_000, "source": "CCG budget"}
    )
    assert made.status_code == 201 and made.json()["entries"] == 2
    other = tree.places[-1]
    assert (
        _post(
            client, url, {"level": "place", "code": other.code, "amount_pence": 5_000, "source": "x"}
        ).status_code
        == 404
    )
    bad = _post(client, url, {"level": "place", "code": place.code, "amount_pence": 0, "source": "x"})
    assert bad.status_code == 422 and "more than £0.00" in bad.json()["detail"]
