"""Each role sees only its scope, on the pages and in the API (generated over every role at every level): a
dashboard inside the role's subtree opens, any other is a 404; users land on their own node's dashboard; CDs and
practice members get their PCN's pages; anonymous users are sent to sign in."""

import pytest
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.accounts.roles import grant_role
from tests.accounts.test_access_matrix import ROLE_CASES, _holder
from tests.builders import build_tree, make_user
from tests.dashboards.builders import last_year
from tests.delivery.builders import plan_at, with_cds
from tests.funding.builders import make_programme

DASHBOARD_LEVELS = ("region", "system", "place")


@pytest.fixture
def matrix(db):
    tree = build_tree(regions=2, systems=1, places=2, pcns=2, practices=1, unallocated=1)
    with_cds(tree.pcns)
    programme = make_programme(year=last_year())
    for pcn in tree.pcns:
        plan_at(programme, pcn, "agreed")
    return tree, programme


def _nodes(tree):
    return [("national", None)] + [
        (level, node) for level in DASHBOARD_LEVELS for node in getattr(tree, f"{level}s")
    ]


def _page(programme, level, node) -> str:
    if level == "national":
        return reverse("dashboards:national", args=[programme.pk])
    return reverse("dashboards:node", args=[programme.pk, level, node.code])


def _api(programme, level, node) -> str:
    tail = "national" if level == "national" else f"{level}/{node.code}"
    return f"/api/v1/dashboards/{programme.pk}/{tail}"


def _opens(tree, role_level, role_node, level, node) -> bool:
    """A dashboard opens when the role is held at (or above) its node, at place level or higher."""
    if role_level is None:
        return True
    if role_level not in DASHBOARD_LEVELS or level == "national":
        return False
    return (role_level, role_node.code) in tree.lineage[(level, node.code)]


def _pcns_named(html: str, programme, tree) -> set[str]:
    return {p.code for p in tree.pcns if f"/journey/{p.code}/" in html}


@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_every_dashboard_page_and_endpoint_respects_the_subtree(client, matrix, role, role_level):
    tree, programme = matrix
    user, role_node = _holder(tree, role, role_level)
    client.force_login(user)
    opened = 0
    for level, node in _nodes(tree):
        allowed = _opens(tree, role_level, role_node, level, node)
        for url in (_page(programme, level, node), _api(programme, level, node)):
            status = client.get(url).status_code
            assert status == (200 if allowed else 404), f"{role}@{role_level} GET {url}: {status}"
        if allowed and level == "place":
            html = client.get(_page(programme, level, node)).content.decode()
            assert _pcns_named(html, programme, tree) == {p.code for p in tree.pcns if p.place_id == node.pk}
            api = client.get(_api(programme, level, node)).json()
            assert {c["code"] for c in api["children"]} == {
                p.code for p in tree.pcns if p.place_id == node.pk
            }
        opened += allowed
    assert opened == sum(_opens(tree, role_level, role_node, level, node) for level, node in _nodes(tree)), (
        "the matrix checks every node"
    )


@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_users_land_on_the_dashboard_for_their_highest_scope(client, matrix, role, role_level):
    tree, programme = matrix
    user, role_node = _holder(tree, role, role_level)
    client.force_login(user)
    response = client.get(reverse("dashboards:index"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "dashboards:programme", args=[programme.pk]
    )
    response = client.get(response["Location"])
    home = client.get(f"/api/v1/dashboards/{programme.pk}").json()
    if role_level is None:
        assert response["Location"] == _page(programme, "national", None)
    elif role_level in DASHBOARD_LEVELS:
        assert response["Location"] == _page(programme, role_level, role_node)
        assert [(h["level"], h["code"], h["url"]) for h in home] == [
            (role_level, role_node.code, response["Location"])
        ]
    else:  # a CD, a practice member, or a viewer placed at a PCN or practice: their PCN's pages
        assert response.status_code == 200 and home == []
        html = response.content.decode()
        assert "Your PCN's pages" in html
        if role in (Role.PCN_CD, Role.VIEWER) and role_level == "pcn":
            assert _pcns_named(html, programme, tree) == {role_node.code}


def test_a_place_lead_does_not_see_another_place_or_their_system(client, matrix):
    tree, programme = matrix
    user = make_user("lead@test.example", Role.PLACE_LEAD, tree.places[0])
    client.force_login(user)
    assert client.get(_page(programme, "place", tree.places[0])).status_code == 200
    for level, node in (("place", tree.places[1]), ("system", tree.systems[0]), ("region", tree.regions[0])):
        assert client.get(_page(programme, level, node)).status_code == 404
        assert client.get(_page(programme, level, node) + "?table=breakdown&format=csv").status_code == 404
        assert client.get(_api(programme, level, node)).status_code == 404


def test_a_lead_with_several_nodes_chooses_between_them(client, matrix):
    tree, programme = matrix
    user = make_user("two@test.example", Role.PLACE_LEAD, tree.places[0])
    grant_role(user, Role.SYSTEM_LEAD, tree.systems[1])
    client.force_login(user)
    response = client.get(reverse("dashboards:programme", args=[programme.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "Choose a dashboard" in html
    assert (
        _page(programme, "system", tree.systems[1]) in html
        and _page(programme, "place", tree.places[0]) in html
    )
    assert [h["level"] for h in client.get(f"/api/v1/dashboards/{programme.pk}").json()] == [
        "system",
        "place",
    ]


def test_anonymous_users_are_sent_to_sign_in_and_the_api_refuses_them(client, matrix):
    tree, programme = matrix
    for url in (
        reverse("dashboards:index"),
        reverse("dashboards:programme", args=[programme.pk]),
        _page(programme, "national", None),
        _page(programme, "place", tree.places[0]),
        _page(programme, "place", tree.places[0]) + "?table=money&format=xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url
    assert client.get(_api(programme, "national", None)).status_code == 401
    assert client.get(f"/api/v1/dashboards/{programme.pk}").status_code == 401


def test_without_a_programme_the_dashboard_says_so(client, db):
    client.force_login(make_user("n@test.example", Role.NATIONAL_ADMIN))
    response = client.get(reverse("dashboards:index"))
    assert (
        response.status_code == 200 and "There is no development programme yet" in response.content.decode()
    )
