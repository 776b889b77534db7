"""Allocating and topping up from the UI: preview, save, refusals with reasons, validation messages."""

import pytest
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.funding.ledger import balances_by, post
from pcndev.funding.models import AllocationRun, LedgerEntry
from tests.builders import build_tree, make_user
from tests.funding.builders import make_programme


@pytest.fixture
def world(db):
    tree = build_tree(regions=1, systems=2, places=2, pcns=2, practices=1, unallocated=0)
    return tree, make_programme()


def test_a_system_lead_previews_then_saves_an_allocation(client, world):
    tree, programme = world
    system = tree.systems[0]
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, system))
    url = reverse("funding:allocate", args=[programme.pk])
    form = {"scope": system.code, "total": "1,134,000", "basis": "list-size"}
    page = client.post(url, form).content.decode()
    assert "Preview: £1,134,000.00 by list-size" in page and "Save this allocation" in page
    assert not AllocationRun.objects.exists()
    response = client.post(url, {**form, "save": "1"})
    run = AllocationRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "funding:run", args=[programme.pk, run.pk]
    )
    assert balances_by(programme, "system", [system.id])[system.id].allocated == 113_400_000


def test_scopes_offered_are_only_those_the_user_manages(client, world):
    tree, programme = world
    own, other = tree.systems
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, own))
    url = reverse("funding:allocate", args=[programme.pk])
    page = client.get(url).content.decode()
    assert (
        f'value="{own.code}"' in page
        and f'value="{other.code}"' not in page
        and 'value="national"' not in page
    )
    response = client.post(url, {"scope": other.code, "total": "100", "basis": "equal", "save": "1"})
    assert response.status_code == 400 and "Choose a system or place you manage" in response.content.decode()
    client.force_login(make_user("cd@test.example", Role.PCN_CD, tree.pcns[0]))
    refused = client.get(url)
    assert (
        refused.status_code == 403
        and "Only a place, system, region or national lead can allocate money." in refused.content.decode()
    )


def test_an_allocation_that_would_unfund_commitments_is_refused_with_the_reason(client, world):
    tree, programme = world
    system = tree.systems[0]
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, system))
    url = reverse("funding:allocate", args=[programme.pk])
    client.post(url, {"scope": system.code, "total": "1000", "basis": "equal", "save": "1"})
    pcn = next(p for p in tree.pcns if p.place.system_id == system.id)
    post(programme, pcn, "commitment", 25_000)
    response = client.post(url, {"scope": system.code, "total": "1", "basis": "equal", "save": "1"})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page and "already committed" in page
    assert AllocationRun.objects.count() == 1


def test_a_place_lead_adds_a_top_up_from_the_ui(client, world):
    tree, programme = world
    place = tree.places[0]
    client.force_login(make_user("lead@test.example", Role.PLACE_LEAD, place))
    url = reverse("funding:top-up", args=[programme.pk, "place", place.code])
    bad = client.post(url, {"amount": "0", "source": "", "spread": "list-size"})
    page = bad.content.decode()
    assert (
        bad.status_code == 400
        and "Enter an amount of more than £0.00" in page
        and "Say where the money comes from" in page
    )
    ok = client.post(url, {"amount": "20,000", "source": "CCG budget", "spread": "equal"})
    assert ok.status_code == 302 and ok["Location"] == reverse(
        "funding:place", args=[programme.pk, place.code]
    )
    assert sorted(LedgerEntry.objects.filter(kind="top_up").values_list("amount_pence", flat=True)) == [
        1_000_000,
        1_000_000,
    ]
    other = tree.places[-1]
    assert client.get(reverse("funding:top-up", args=[programme.pk, "place", other.code])).status_code == 404
    client.force_login(make_user("viewer@test.example", Role.VIEWER, place))
    assert client.get(url).status_code == 403
