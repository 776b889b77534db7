"""Page query counts do not grow with the data: the same at 10 PCNs and at 1,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pcndev.accounts.models import Role
from tests.builders import build_tree, make_user


def _pages(tree):
    region, system, place, pcn = tree.regions[0], tree.systems[0], tree.places[0], tree.pcns[0]
    return [
        reverse("orgs:index"),
        reverse("orgs:region", args=[region.code]),
        reverse("orgs:system", args=[system.code]),
        reverse("orgs:place-list", args=[system.code]),
        reverse("orgs:place", args=[place.code]),
        reverse("orgs:pcn", args=[pcn.code]),
        reverse("orgs:practice", args=[tree.practices[0].code]),
        reverse("search") + "?q=PCN",
        reverse("accounts:my-organisations"),
        "/api/v1/regions",
        "/api/v1/systems",
        "/api/v1/places",
        "/api/v1/pcns?limit=100",
        "/api/v1/practices?limit=100",
        f"/api/v1/pcns/{pcn.code}",
    ]


@pytest.mark.django_db
def test_org_pages_use_the_same_number_of_queries_at_10_and_1000_pcns(client):
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    client.force_login(admin)
    small = build_tree(regions=2, systems=1, places=1, pcns=5, practices=2, prefix="A")
    small_counts = [len(_run(client, url)) for url in _pages(small)]
    large = build_tree(regions=2, systems=5, places=5, pcns=20, practices=2, prefix="B")
    assert len(large.pcns) == 1000
    large_counts = [len(_run(client, url)) for url in _pages(large)]
    assert small_counts == large_counts, list(zip(_pages(large), small_counts, large_counts, strict=True))


def _run(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return queries.captured_queries
