"""The dashboard page: where to act comes first with links to the pages to act on; figures agree with the pages
they summarise; charts are labelled SVG beside their tables; every table downloads as CSV and XLSX with the page's
rows; bad addresses get a clear 400 or 404 page."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from pcndev.accounts.models import Role
from pcndev.dashboards import tables
from pcndev.dashboards.nodes import Node
from pcndev.dashboards.service import build
from pcndev.dashboards.views import SHOWN_ACTIONS
from pcndev.funding.models import Programme
from pcndev.plans.models import PlanVersion
from tests.builders import make_user


def _place_url(w, place) -> str:
    return reverse("dashboards:node", args=[w.programme.pk, "place", place.code])


@pytest.fixture
def lead(world, db):
    """The place lead of the place holding a plan submitted for agreement."""
    w, _ = world
    version = PlanVersion.objects.select_related("plan__pcn__place").get(
        plan__programme=w.programme, state="submitted", plan__pcn__place__in=w.tree.places[:4]
    )
    place = version.plan.pcn.place
    return w, place, version, make_user("lead@test.example", Role.PLACE_LEAD, place)


def test_where_to_act_comes_first_with_links_to_act(client, lead):
    w, place, version, user = lead
    client.force_login(user)
    html = client.get(_place_url(w, place)).content.decode()
    act, glance = html.index("Where you need to act"), html.index("At a glance")
    assert act < glance < html.index("Plans by state") < html.index("By PCN")
    waiting = html[html.index('id="awaiting"') : glance]
    assert reverse("plans:action", args=[version.pk, "agree"]) in waiting
    d = build(user, w.programme, Node("place", place), timezone.localdate())
    assert d.overdue and all(a.href in html for a in d.overdue[:SHOWN_ACTIONS])
    for a in d.overdue:
        if a.key == "plan_agreed":
            assert a.href in (
                reverse("plans:list", args=[w.programme.pk]),
                reverse("plans:version", args=[w.versions.get(a.pcn.pk, version).pk]),
            )
        elif a.key == "self_assessment":
            assert a.href == reverse("maturity:pcn", args=[w.reassessment.pk, a.pcn.code])
        elif a.key.startswith("review:"):
            assert a.href == reverse("delivery:review", args=[w.programme.pk, a.pcn.code, a.key[7:]])
        elif a.key == "funds_released" and w.versions[a.pcn.pk].state == "agreed":
            assert a.href == reverse("plans:committee", args=[w.programme.pk, place.code])
        assert client.get(a.href).status_code == 200, a


def test_nothing_to_do_is_said_plainly(client, world, db):
    w, _ = world
    viewer = make_user("viewer@test.example", Role.VIEWER, w.tree.places[0])
    client.force_login(viewer)
    Programme.objects.filter(pk=w.programme.pk).update(financial_year=timezone.localdate().year + 5)
    html = client.get(_place_url(w, w.tree.places[0])).content.decode()
    assert "Nothing is overdue for these PCNs and nothing is waiting for you." in html


def test_money_and_journey_agree_with_the_money_and_journey_pages(client, lead):
    w, place, _, user = lead
    client.force_login(user)
    api = client.get(f"/api/v1/dashboards/{w.programme.pk}/place/{place.code}").json()
    money_page = client.get(reverse("funding:place", args=[w.programme.pk, place.code])).content.decode()
    assert f'data-total-allocated="{api["figures"]["money"]["allocated"]}"' in money_page
    journey = client.get(f"/api/v1/programmes/{w.programme.pk}/journey").json()  # the place lead's own scope
    assert [c["count"] for c in api["figures"]["journey"]] == journey["counts"]
    overdue = client.get(f"/api/v1/programmes/{w.programme.pk}/overdue").json()
    assert api["figures"]["overdue"] == len(overdue) == len(api["overdue"])


def test_charts_are_labelled_images_beside_their_tables(client, world, db):
    w, admin = world
    client.force_login(admin)
    html = client.get(reverse("dashboards:national", args=[w.programme.pk])).content.decode()
    figures = re.findall(
        r'<figure class="app-chart" aria-describedby="table-(\w+)">\s*<svg role="img" aria-label="([^"]+)"',
        html,
    )
    assert {key for key, _ in figures} == {"plans", "money", "rag", "journey", "maturity"}
    for key, label in figures:
        assert f'id="table-{key}"' in html and label.startswith("Bar chart")
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("level", ["national", "place"])
def test_every_table_downloads_as_csv_and_xlsx_with_the_pages_rows(client, world, db, level):
    w, admin = world
    client.force_login(admin)
    node = Node("national") if level == "national" else Node("place", w.tree.places[0])
    url = (
        reverse("dashboards:national", args=[w.programme.pk])
        if level == "national"
        else _place_url(w, node.obj)
    )
    html = client.get(url).content.decode()
    every = tables.all_tables(build(admin, w.programme, node, timezone.localdate()))
    for key, table in every.items():
        assert f"?table={key}&amp;format=csv" in html or key == "maturity" and not table.rows
        expected = [[c.title for c in table.columns]] + [
            ["" if v is None else str(v) for v in row] for row in tables.export_rows(table)
        ]
        response = client.get(url, {"table": key, "format": "csv"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == len(expected) and rows[0] == expected[0], key
        money = [i for i, c in enumerate(table.columns) if c.money]
        for got, want in zip(rows[1:], expected[1:], strict=True):
            assert [g for i, g in enumerate(got) if i not in money] == [
                x for i, x in enumerate(want) if i not in money
            ]
        response = client.get(url, {"table": key, "format": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row == len(expected) and [c.value for c in sheet[1]] == expected[0], key


def test_a_money_column_downloads_in_pounds(client, world, db):
    w, admin = world
    client.force_login(admin)
    response = client.get(
        reverse("dashboards:national", args=[w.programme.pk]), {"table": "money", "format": "csv"}
    )
    rows = dict(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    d = build(admin, w.programme, Node("national"), timezone.localdate())
    assert rows["Spent"] == f"{d.total.money.spent / 100:.2f}"


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("index", {"programme": "abc"}, 400),
        ("index", {"level": "galaxy"}, 400),
        ("index", {"level": "place"}, 400),
        ("index", {"programme": "999999"}, 404),
        ("national", {"table": "nope", "format": "csv"}, 400),
        ("national", {"table": "money", "format": "pdf"}, 400),
        ("national", {"format": "csv"}, 400),
        ("missing-programme", {}, 404),
        ("pcn-level", {}, 404),
        ("unknown-place", {}, 404),
    ],
)
def test_bad_addresses_get_a_clear_error_page(client, world, db, path, query, status):
    w, admin = world
    client.force_login(admin)
    url = {
        "index": reverse("dashboards:index"),
        "national": reverse("dashboards:national", args=[w.programme.pk]),
        "missing-programme": reverse("dashboards:national", args=[999999]),
        "pcn-level": reverse("dashboards:node", args=[w.programme.pk, "pcn", w.tree.pcns[0].code]),
        "unknown-place": reverse("dashboards:node", args=[w.programme.pk, "place", "NOPE"]),
    }[path]
    response = client.get(url, query)
    assert response.status_code == status
    html = response.content.decode()
    if status == 400:
        assert "There is a problem" in html and "<title>Error:" in html
    else:
        assert "Page not found" in html


def test_the_index_picks_a_programme_and_a_node_from_the_query(client, world, db):
    w, admin = world
    client.force_login(admin)
    place = w.tree.places[2]
    response = client.get(
        reverse("dashboards:index"), {"programme": w.programme.pk, "level": "place", "code": place.code}
    )
    assert response["Location"] == _place_url(w, place)
    response = client.get(reverse("dashboards:index"), {"programme": w.programme.pk, "level": "national"})
    assert response["Location"] == reverse("dashboards:national", args=[w.programme.pk])


def test_other_programmes_are_offered_and_never_mixed_in(client, world, db):
    w, admin = world
    client.force_login(admin)
    other = Programme.objects.exclude(pk=w.programme.pk).get()
    html = client.get(reverse("dashboards:national", args=[w.programme.pk])).content.decode()
    assert reverse("dashboards:national", args=[other.pk]) in html
    figures = client.get(f"/api/v1/dashboards/{other.pk}/national").json()["figures"]
    assert figures["money"]["allocated"] == 123_456
    assert {c["key"]: c["count"] for c in figures["rag"]}["red"] == 1
    assert {c["key"]: c["count"] for c in figures["plans"]}["in_delivery"] == 1


def test_the_navigation_and_home_page_lead_to_the_dashboard(client, world, db):
    _, admin = world
    client.force_login(admin)
    html = client.get(reverse("home")).content.decode()
    assert html.count(f'href="{reverse("dashboards:index")}"') >= 2


def test_every_kind_of_overdue_item_links_to_a_page_that_opens(client, world, db):
    w, admin = world
    client.force_login(admin)
    d = build(admin, w.programme, Node("national"), timezone.localdate())
    first = {}
    for a in d.overdue:
        first.setdefault(a.key.split(":")[0], a)
    assert set(first) == {"self_assessment", "plan_agreed", "funds_released", "review"}
    for kind, a in first.items():
        assert client.get(a.href).status_code == 200, (kind, a.href)
