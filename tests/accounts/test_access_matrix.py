"""The access matrix, generated: every role at every level × every org object × UI and API.

Inside the role's subtree → allowed (200); outside → 404 with no hint the object exists.
"""

import pytest
from django.urls import reverse

from pcndev.accounts.models import Role
from tests.builders import ROLE_NODE_LEVEL, build_tree, make_user

LEVELS = ("region", "system", "place", "pcn", "practice")
ROLE_CASES = [(role, level) for role, level in ROLE_NODE_LEVEL.items()] + [
    (Role.VIEWER, level) for level in LEVELS
]


def _nodes(tree):
    return {
        "region": tree.regions,
        "system": tree.systems,
        "place": tree.places,
        "pcn": tree.pcns,
        "practice": tree.practices + tree.unallocated,
    }


def _ui(level, code):
    return reverse(f"orgs:{level}", args=[code])


def _api(level, code):
    plural = {
        "region": "regions",
        "system": "systems",
        "place": "places",
        "pcn": "pcns",
        "practice": "practices",
    }
    return f"/api/v1/{plural[level]}/{code}"


@pytest.fixture
def matrix_tree(db):
    return build_tree(regions=2, systems=1, places=2, pcns=2, practices=1, unallocated=1)


def _holder(tree, role, level):
    node = None if level is None else _nodes(tree)[level][0]
    user = make_user(f"{role}-{level}@test.example", role, node)
    return user, node


def _expected(tree, level, obj, role_level, node) -> bool:
    return role_level is None or (role_level, node.code) in tree.lineage[(level, obj.code)]


@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_every_org_page_and_endpoint_respects_the_subtree(client, matrix_tree, role, role_level):
    user, node = _holder(matrix_tree, role, role_level)
    client.force_login(user)
    checked = {True: 0, False: 0}
    for level, objects in _nodes(matrix_tree).items():
        for obj in objects:
            allowed = _expected(matrix_tree, level, obj, role_level, node)
            for url in (_ui(level, obj.code), _api(level, obj.code)):
                status = client.get(url).status_code
                assert status == (200 if allowed else 404), f"{role}@{role_level} GET {url}: {status}"
            checked[allowed] += 1
    assert checked[True] >= 1
    if role_level is not None:
        assert checked[False] >= 1, "the matrix must include objects outside the subtree"


@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_api_lists_and_search_show_exactly_the_subtree(client, matrix_tree, role, role_level):
    user, node = _holder(matrix_tree, role, role_level)
    client.force_login(user)
    for level, objects in _nodes(matrix_tree).items():
        want = {o.code for o in objects if _expected(matrix_tree, level, o, role_level, node)}
        body = client.get(_api(level, "").rstrip("/") + "?limit=1000").json()
        items = body["items"] if isinstance(body, dict) else body
        assert {item["code"] for item in items} == want, f"{role}@{role_level} list {level}"
    # Every tree name contains "Region", so a search for it lists all visible organisations.
    page = client.get(reverse("search"), {"q": "Region"}).content.decode()
    for level, objects in _nodes(matrix_tree).items():
        for obj in objects:
            shown = f">{obj.name}</a>" in page
            assert shown == _expected(matrix_tree, level, obj, role_level, node), f"search {obj.code}"


@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_place_editor_is_for_system_region_and_national_leads(client, matrix_tree, role, role_level):
    user, node = _holder(matrix_tree, role, role_level)
    client.force_login(user)
    definers = {Role.NATIONAL_ADMIN, Role.REGION_LEAD, Role.SYSTEM_LEAD}
    for system in matrix_tree.systems:
        visible = _expected(matrix_tree, "system", system, role_level, node)
        may_define = visible and role in definers
        response = client.get(reverse("orgs:place-new", args=[system.code]))
        assert response.status_code == (200 if may_define else 403 if visible else 404)
        if visible and not may_define:
            assert "Only a system lead for" in response.content.decode()


def test_anonymous_users_are_sent_to_sign_in_and_refused_by_the_api(client, tree):
    response = client.get(_ui("pcn", tree.pcns[0].code))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert client.get(_api("pcn", tree.pcns[0].code)).status_code == 401
