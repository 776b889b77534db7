"""Self-assessment page query counts do not grow with the data: the same at 10 PCNs and at 1,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pcndev.accounts.models import Role
from tests.builders import build_tree, make_user
from tests.maturity.builders import make_round, practice_response, submitted_assessment


def _people(tree, label: str):
    """A place lead for the tree's first place and a clinical director for its first PCN."""
    place, pcn = tree.places[0], tree.pcns[0]
    return {
        "place lead": make_user(f"place-{label}@test.example", Role.PLACE_LEAD, place),
        "cd": make_user(f"cd-{label}@test.example", Role.PCN_CD, pcn),
    }


def _rate(rnd, tree, people):
    """Every PCN submits its consensus; the first PCN's practices and its CD have rated it too."""
    assessments = [submitted_assessment(rnd, pcn) for pcn in tree.pcns]
    first = assessments[0]
    for practice, stages in zip(tree.practices[:2], [(0, 1), (2, 3)], strict=True):
        practice_response(first, practice, stages=stages, submitted=True)
    practice_response(first, None, stages=(1, 2), user=people["cd"])


def _pages(rnd, tree, admin, people):
    pcn = tree.pcns[0].code
    return [
        ("heatmap, national admin", admin, reverse("maturity:heatmap", args=[rnd.pk])),
        ("heatmap, place lead", people["place lead"], reverse("maturity:heatmap", args=[rnd.pk])),
        (
            "heatmap of one place, national admin",
            admin,
            reverse("maturity:heatmap", args=[rnd.pk]) + f"?place={tree.places[0].code}",
        ),
        ("round, national admin", admin, reverse("maturity:round", args=[rnd.pk])),
        ("round, cd", people["cd"], reverse("maturity:round", args=[rnd.pk])),
        ("pcn hub, cd", people["cd"], reverse("maturity:pcn", args=[rnd.pk, pcn])),
        ("pcn hub, national admin", admin, reverse("maturity:pcn", args=[rnd.pk, pcn])),
        ("consensus, cd", people["cd"], reverse("maturity:consensus", args=[rnd.pk, pcn])),
        ("results, cd", people["cd"], reverse("maturity:results", args=[rnd.pk, pcn])),
        ("results, place lead", people["place lead"], reverse("maturity:results", args=[rnd.pk, pcn])),
        ("export, cd", people["cd"], reverse("maturity:export", args=[rnd.pk])),
        ("export, national admin", admin, reverse("maturity:export", args=[rnd.pk])),
    ]


def _counts(client, pages) -> dict[str, int]:
    counts = {}
    for name, user, url in pages:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counts[name] = len(queries.captured_queries)
    return counts


@pytest.mark.django_db
def test_maturity_pages_use_the_same_number_of_queries_at_10_and_1000_pcns(client):
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    rnd = make_round()
    small = build_tree(regions=2, systems=1, places=1, pcns=5, practices=2, prefix="A")
    small_people = _people(small, "a")
    _rate(rnd, small, small_people)
    small_counts = _counts(client, _pages(rnd, small, admin, small_people))

    large = build_tree(regions=2, systems=5, places=5, pcns=20, practices=2, prefix="B")
    assert len(large.pcns) == 1000
    large_people = _people(large, "b")
    _rate(rnd, large, large_people)
    large_counts = _counts(client, _pages(rnd, large, admin, large_people))
    assert small_counts == large_counts, {
        name: (small_counts[name], large_counts[name])
        for name in small_counts
        if small_counts[name] != large_counts[name]
    }
