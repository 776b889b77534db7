"""Funding pages: totals reconcile at every level, scoping holds, queries do not grow with the data."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.funding.ledger import post_many
from tests.builders import build_tree, make_user
from tests.funding.builders import make_programme


def _fund(tree, programme):
    specs = [dict(pcn=p, kind="allocation", amount_pence=100_000 + i) for i, p in enumerate(tree.pcns)]
    specs += [dict(pcn=p, kind="top_up", amount_pence=5_000, fund="local") for p in tree.pcns[::2]]
    specs += [dict(pcn=p, kind="commitment", amount_pence=50_000) for p in tree.pcns[::3]]
    post_many(programme, specs)


def _ints(html, attr):
    return [int(v) for v in re.findall(rf'{attr}="(-?\d+)"', html)]


@pytest.mark.django_db
def test_allocated_money_reconciles_from_england_to_each_pcn(client):
    tree = build_tree(regions=2, systems=2, places=2, pcns=2, practices=1, unallocated=0)
    programme = make_programme()
    _fund(tree, programme)
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    home = client.get(reverse("funding:programme", args=[programme.pk])).content.decode()
    expected = sum(100_000 + i for i in range(len(tree.pcns)))
    assert sum(_ints(home, "data-allocated")) == _ints(home, "data-total-allocated")[0] == expected
    for system in tree.systems:
        page = client.get(reverse("funding:system", args=[programme.pk, system.code])).content.decode()
        system_total = _ints(page, "data-total-allocated")[0]
        assert sum(_ints(page, "data-allocated")) == system_total
        assert f'data-allocated="{system_total}"' in home
    for place in tree.places:
        page = client.get(reverse("funding:place", args=[programme.pk, place.code])).content.decode()
        assert sum(_ints(page, "data-allocated")) == _ints(page, "data-total-allocated")[0]


@pytest.mark.django_db
def test_a_clinical_director_sees_only_their_own_pcns_money(client):
    tree = build_tree(regions=1, systems=1, places=2, pcns=2, practices=1, unallocated=0)
    programme = make_programme()
    _fund(tree, programme)
    own, other = tree.pcns[0], tree.pcns[1]
    client.force_login(make_user("cd@test.example", Role.PCN_CD, own))
    page = client.get(reverse("funding:pcn", args=[programme.pk, own.code]))
    assert page.status_code == 200 and "£1,000.00" in page.content.decode()
    assert client.get(reverse("funding:pcn", args=[programme.pk, other.code])).status_code == 404
    assert client.get(reverse("funding:place", args=[programme.pk, own.place.code])).status_code == 404
    home = client.get(reverse("funding:programme", args=[programme.pk])).content.decode()
    assert _ints(home, "data-allocated") == [100_000]  # the CD's own PCN is the only row
    assert other.name not in home


@pytest.mark.django_db
def test_the_ledger_filter_shows_one_kind(client):
    tree = build_tree(regions=1, systems=1, places=1, pcns=1, practices=1, unallocated=0)
    programme = make_programme()
    _fund(tree, programme)
    pcn = tree.pcns[0]
    client.force_login(make_user("lead@test.example", Role.PLACE_LEAD, tree.places[0]))
    page = client.get(
        reverse("funding:pcn", args=[programme.pk, pcn.code]), {"kind": "top_up"}
    ).content.decode()
    body = page.split("Ledger entries", 1)[1]
    assert "Top-up" in body and "Commitment</td>" not in body and "Allocation</td>" not in body


@pytest.mark.django_db
def test_funding_pages_use_the_same_queries_at_10_and_1000_pcns(client):
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))

    def counts(tree, programme):
        urls = [
            reverse("funding:programmes"),
            reverse("funding:programme", args=[programme.pk]),
            reverse("funding:system", args=[programme.pk, tree.systems[0].code]),
            reverse("funding:place", args=[programme.pk, tree.places[0].code]),
            reverse("funding:pcn", args=[programme.pk, tree.pcns[0].code]),
        ]
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200
            out.append(len(q))
        return out

    small = build_tree(regions=2, systems=1, places=1, pcns=5, practices=1, prefix="A")
    p1 = make_programme(name="Small")
    _fund(small, p1)
    large = build_tree(regions=2, systems=5, places=5, pcns=20, practices=1, prefix="B")
    p2 = make_programme(name="Large")
    _fund(large, p2)
    assert counts(small, p1) == counts(large, p2)
