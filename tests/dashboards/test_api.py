"""The dashboard endpoints return the page's figures (the same build), described in the OpenAPI schema."""

import datetime

import pytest
from django.utils import timezone

from pcndev.accounts.models import Role
from pcndev.api.dashboards import figures_out
from pcndev.dashboards.nodes import Node
from pcndev.dashboards.service import build
from tests.builders import make_user


def _cases(w):
    return [
        ("national", Node("national")),
        ("region", Node("region", w.tree.regions[0])),
        ("system", Node("system", w.tree.systems[1])),
        ("place", Node("place", w.tree.places[0])),
    ]


@pytest.mark.parametrize("level", ["national", "region", "system", "place"])
def test_the_api_returns_the_dashboards_figures(client, world, db, level):
    w, admin = world
    node = dict(_cases(w))[level]
    client.force_login(admin)
    tail = "national" if level == "national" else f"{level}/{node.code}"
    body = client.get(f"/api/v1/dashboards/{w.programme.pk}/{tail}").json()
    d = build(admin, w.programme, node, timezone.localdate())
    assert body["figures"] == figures_out(d.total)
    assert [(c["code"], c["figures"]) for c in body["children"]] == [
        (c.code, figures_out(t)) for c, t in d.children
    ]
    assert [(a["pcn"], a["key"], a["href"]) for a in body["overdue"]] == [
        (a.pcn.code, a.key, a.href) for a in d.overdue
    ]
    assert body["maturity"]["compared"] == d.maturity.compared
    assert [a["change"] for a in body["maturity"]["areas"]] == [a.change for a in d.maturity.areas]
    assert (body["level"], body["code"], body["child_level"]) == (level, node.code, node.child_level)
    money = body["figures"]["money"]
    assert money["underspend"] == money["funds"] - money["spent"]
    assert money["released_unspent"] == money["released"] - money["spent"]


def test_overdue_items_are_worked_out_for_the_day_asked(client, world, db):
    w, admin = world
    client.force_login(admin)
    url = f"/api/v1/dashboards/{w.programme.pk}/national"
    before = client.get(url, {"on": datetime.date(w.programme.financial_year, 4, 1).isoformat()}).json()
    assert before["overdue"] == [] and before["figures"]["overdue"] == 0
    assert client.get(url).json()["figures"]["overdue"] > 0


def test_a_place_lead_gets_their_awaiting_actions_in_the_api(client, world, db):
    w, _ = world
    version = next(v for v in w.versions.values() if v.state == "submitted")
    place = version.plan.pcn.place
    client.force_login(make_user("lead@test.example", Role.PLACE_LEAD, place))
    body = client.get(f"/api/v1/dashboards/{w.programme.pk}/place/{place.code}").json()
    assert ("plan:agree", version.plan.pcn.code) in {(a["key"], a["pcn"]) for a in body["awaiting"]}
    assert client.get(f"/api/v1/dashboards/{w.programme.pk}/national").status_code == 404


def test_bad_levels_and_programmes_are_404(client, world, db):
    w, admin = world
    client.force_login(admin)
    assert client.get(f"/api/v1/dashboards/{w.programme.pk}/pcn/{w.tree.pcns[0].code}").status_code == 404
    assert client.get(f"/api/v1/dashboards/{w.programme.pk}/place/NOPE").status_code == 404
    assert client.get("/api/v1/dashboards/999999/national").status_code == 404
    assert client.get(f"/api/v1/dashboards/{w.programme.pk}/national", {"on": "soon"}).status_code == 422


def test_the_endpoints_and_their_schemas_are_in_the_openapi_document(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/dashboards/{pk}",
        "/api/v1/dashboards/{pk}/national",
        "/api/v1/dashboards/{pk}/{level}/{code}",
    ):
        assert "get" in paths[path], path
    schemas = spec["components"]["schemas"]
    assert {"DashboardOut", "FiguresOut", "MoneyOut", "ActionOut", "MaturityOut"} <= set(schemas)
    assert "underspend" in schemas["MoneyOut"]["properties"]
