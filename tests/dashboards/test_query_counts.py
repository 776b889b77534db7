"""Dashboard pages, downloads and endpoints use the same number of queries at 10 PCNs and at 1,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pcndev.accounts.models import Role
from tests.builders import build_tree, make_user
from tests.dashboards.builders import last_year, round_for
from tests.dashboards.bulk import populate
from tests.funding.builders import make_programme


def _pages(programme, tree, people, admin):
    pk = programme.pk
    place, system, region = tree.places[0], tree.systems[0], tree.regions[0]
    node = lambda level, code: reverse("dashboards:node", args=[pk, level, code])  # noqa: E731
    return [
        ("national page", admin, reverse("dashboards:national", args=[pk])),
        ("national csv", admin, reverse("dashboards:national", args=[pk]) + "?table=breakdown&format=csv"),
        ("national xlsx", admin, reverse("dashboards:national", args=[pk]) + "?table=overdue&format=xlsx"),
        ("region page", people["region"], node("region", region.code)),
        ("system page", people["system"], node("system", system.code)),
        ("place page", people["place"], node("place", place.code)),
        ("place page, national admin", admin, node("place", place.code)),
        ("national api", admin, f"/api/v1/dashboards/{pk}/national"),
        ("place api", people["place"], f"/api/v1/dashboards/{pk}/place/{place.code}"),
    ]


def _counts(client, pages) -> dict[str, int]:
    counts = {}
    for name, user, url in pages:
        client.force_login(user)
        assert client.get(url).status_code == 200, (name, url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[name] = len(queries.captured_queries)
    return counts


def _people(tree, label):
    return {
        "region": make_user(f"region-{label}@test.example", Role.REGION_LEAD, tree.regions[0]),
        "system": make_user(f"system-{label}@test.example", Role.SYSTEM_LEAD, tree.systems[0]),
        "place": make_user(f"place-{label}@test.example", Role.PLACE_LEAD, tree.places[0]),
    }


@pytest.mark.django_db
def test_dashboards_use_the_same_number_of_queries_at_10_and_1000_pcns(client):
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    programme = make_programme(year=last_year())
    baseline = round_for(programme, "September baseline", 9)
    reassessment = round_for(programme, "March re-assessment", 3, baseline=baseline)

    small = build_tree(regions=2, systems=1, places=1, pcns=5, practices=1, prefix="A")
    populate(programme, small.pcns, baseline, reassessment)
    small_people = _people(small, "a")
    small_counts = _counts(client, _pages(programme, small, small_people, admin))

    large = build_tree(regions=2, systems=5, places=5, pcns=20, practices=1, prefix="B")
    assert len(large.pcns) == 1000
    populate(programme, large.pcns, baseline, reassessment)
    large_people = _people(large, "b")
    large_counts = _counts(client, _pages(programme, large, large_people, admin))
    assert small_counts == large_counts, {
        name: (small_counts[name], large_counts[name])
        for name in small_counts
        if small_counts[name] != large_counts[name]
    }
    assert max(small_counts.values()) <= 50, small_counts
