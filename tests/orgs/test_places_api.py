"""Defining local places through the API: the same service and rules as the place editor."""

import json

import pytest

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.orgs.models import Place
from tests.builders import build_tree, make_user

API = "/api/v1/systems"


@pytest.fixture
def tree(db):
    return build_tree(regions=2, systems=1, places=1, pcns=4, practices=1, unallocated=0)


def _put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def _codes(tree, system) -> list[str]:
    return [p.code for p in tree.pcns if p.place.system_id == system.id]


def test_a_system_lead_defines_renames_regroups_and_deletes_a_place(client, tree):
    system = tree.systems[0]
    codes = _codes(tree, system)
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, system))
    url = f"{API}/{system.code}/places/kingston"
    created = _put(client, url, {"name": "Kingston", "pcns": codes[:2]})
    assert created.status_code == 201
    assert created.json() == {
        "code": "KINGSTON",
        "name": "Kingston",
        "system": system.code,
        "kind": "defined",
        "pcns": sorted(codes[:2]),
    }
    assert AuditEvent.objects.filter(action="place.created", actor__email="lead@test.example").count() == 1
    changed = _put(
        client, f"{API}/{system.code}/places/KINGSTON", {"name": "Royal Kingston", "pcns": codes[1:3]}
    )
    assert changed.status_code == 200
    assert changed.json()["name"] == "Royal Kingston" and changed.json()["pcns"] == sorted(codes[1:3])
    assert client.get("/api/v1/places/KINGSTON").json()["pcns"] == 2

    not_empty = client.delete(f"{API}/{system.code}/places/KINGSTON")
    assert not_empty.status_code == 422 and "Move the PCNs out of" in not_empty.json()["detail"]
    _put(client, f"{API}/{system.code}/places/KINGSTON", {"name": "Royal Kingston", "pcns": []})
    deleted = client.delete(f"{API}/{system.code}/places/KINGSTON")
    assert deleted.status_code == 200 and deleted.json() == {"deleted": "KINGSTON", "system": system.code}
    assert not Place.objects.filter(code="KINGSTON").exists()
    assert AuditEvent.objects.filter(action="place.deleted").count() == 1


def test_every_problem_is_listed_and_nothing_changes(client, tree):
    system = tree.systems[0]
    codes = _codes(tree, system)
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, system))
    before = sorted(Place.objects.values_list("code", flat=True))
    other_system_pcn = next(p.code for p in tree.pcns if p.place.system_id != system.id)
    bad = _put(
        client, f"{API}/{system.code}/places/no%20spaces", {"name": " ", "pcns": [codes[0], other_system_pcn]}
    )
    assert bad.status_code == 422
    reasons = bad.json()["reasons"]
    assert any("code must be 2–20 capital letters" in r for r in reasons)
    assert "enter a name" in reasons and f"PCN {other_system_pcn} is not in {system}" in reasons
    imported = next(p for p in tree.places if p.system_id == system.id)  # a CCG from NHS data
    refused = _put(client, f"{API}/{system.code}/places/{imported.code}", {"name": "Mine", "pcns": []})
    assert refused.status_code == 422 and "cannot be redefined" in refused.json()["detail"]
    assert sorted(Place.objects.values_list("code", flat=True)) == before
    assert not AuditEvent.objects.filter(action__startswith="place.").exists()


def test_only_leads_over_the_system_may_define_places(client, tree):
    system, other = tree.systems[0], tree.systems[1]
    place = next(p for p in tree.places if p.system_id == system.id)
    client.force_login(make_user("place@test.example", Role.PLACE_LEAD, place))
    below = _put(client, f"{API}/{system.code}/places/KINGSTON", {"name": "Kingston", "pcns": []})
    assert below.status_code == 404  # the system is above a place lead's reach, as on the pages
    client.force_login(make_user("viewer@test.example", Role.VIEWER, system))
    refused = _put(client, f"{API}/{system.code}/places/KINGSTON", {"name": "Kingston", "pcns": []})
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Only a system lead for")
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, system))
    hidden = _put(client, f"{API}/{other.code}/places/KINGSTON", {"name": "Kingston", "pcns": []})
    assert hidden.status_code == 404 and hidden.json() == {"detail": "Not found"}
    assert not Place.objects.filter(code="KINGSTON").exists()
