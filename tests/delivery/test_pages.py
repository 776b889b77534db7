"""Delivery pages: scope per role (generated over ROLE_CASES), constant query counts, the timetable form."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.delivery.models import PhaseOverride
from tests.accounts.test_access_matrix import ROLE_CASES, _holder
from tests.builders import build_tree, make_user
from tests.delivery.builders import assessment, plan_at, with_cds
from tests.funding.builders import make_programme
from tests.maturity.builders import make_round


def _last_year():
    today = timezone.localdate()
    return (today.year if today.month >= 4 else today.year - 1) - 1


@pytest.fixture
def matrix(db):
    tree = build_tree(regions=2, systems=1, places=2, pcns=2, practices=1, unallocated=1)
    return tree, make_programme(year=_last_year())


def _shown(html: str, programme, tree) -> set[str]:
    return {p.code for p in tree.pcns if reverse("delivery:pcn-journey", args=[programme.pk, p.code]) in html}


@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_journey_counts_and_overdue_show_only_the_roles_scope(client, matrix, role, role_level):
    tree, programme = matrix
    user, node = _holder(tree, role, role_level)
    client.force_login(user)
    expected = {
        p.code
        for p in tree.pcns
        if role_level is None or (role_level, node.code) in tree.lineage[("pcn", p.code)]
    }
    for name in ("delivery:journey", "delivery:overdue"):
        response = client.get(reverse(name, args=[programme.pk]))
        assert response.status_code == 200
        assert _shown(response.content.decode(), programme, tree) == expected, name
    for pcn in tree.pcns:
        status = client.get(reverse("delivery:pcn-journey", args=[programme.pk, pcn.code])).status_code
        assert status == (200 if pcn.code in expected else 404), pcn.code
    api = client.get(f"/api/v1/programmes/{programme.pk}/overdue").json()
    assert {row["pcn"] for row in api} == expected
    counts = client.get(f"/api/v1/programmes/{programme.pk}/journey").json()
    assert sum(counts["counts"]) == len(expected)


def _queries(client, url) -> int:
    client.get(url)  # the first visit creates the programme's phases
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def _pages(programme):
    return [
        reverse("delivery:journey", args=[programme.pk]),
        reverse("delivery:overdue", args=[programme.pk]),
        f"/api/v1/programmes/{programme.pk}/journey",
        f"/api/v1/programmes/{programme.pk}/overdue",
    ]


@pytest.mark.django_db
def test_journey_and_overdue_pages_use_the_same_queries_at_10_and_1000_pcns(client):
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    programme = make_programme(year=_last_year())
    rnd = make_round(programme=programme)

    def populate(tree):
        with_cds(tree.pcns)
        for pcn in tree.pcns[:3]:
            assessment(rnd, pcn)
            plan_at(programme, pcn, "agreed")

    small = build_tree(regions=2, systems=1, places=1, pcns=5, practices=1, prefix="A")
    populate(small)
    before = [_queries(client, url) for url in _pages(programme)]
    large = build_tree(regions=2, systems=5, places=5, pcns=20, practices=1, prefix="B")
    populate(large)
    after = [_queries(client, url) for url in _pages(programme)]
    assert before == after


@pytest.fixture
def place_lead(db):
    tree = build_tree(regions=1, systems=1, places=2, pcns=1, practices=1, unallocated=0)
    programme = make_programme(year=2019)
    return tree, programme, make_user("place@test.example", Role.PLACE_LEAD, tree.places[0])


def _dates(prefix, day):
    return {f"{prefix}[day]": day.day, f"{prefix}[month]": day.month, f"{prefix}[year]": day.year}


def test_a_place_lead_changes_their_dates_and_the_change_is_audited(client, place_lead):
    tree, programme, user = place_lead
    client.force_login(user)
    page = client.get(reverse("delivery:timetable", args=[programme.pk])).content.decode()
    url = reverse(
        "delivery:timetable-edit", args=[programme.pk, "place", tree.places[0].code, "plan_agreement"]
    )
    assert url in page
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {**_dates("starts_on", datetime.date(2019, 10, 7)), **_dates("ends_on", datetime.date(2019, 11, 30))},
    )
    assert response.status_code == 302
    override = PhaseOverride.objects.get()
    assert (override.place, override.ends_on) == (tree.places[0], datetime.date(2019, 11, 30))
    assert AuditEvent.objects.filter(action="timetable.override").count() == 1
    journey = client.get(f"/api/v1/programmes/{programme.pk}/timetable?place={tree.places[0].code}").json()
    assert {p["kind"]: p["ends_on"] for p in journey}["plan_agreement"] == "2019-11-30"


def test_the_timetable_form_lists_every_problem(client, place_lead):
    tree, programme, user = place_lead
    client.force_login(user)
    url = reverse(
        "delivery:timetable-edit", args=[programme.pk, "place", tree.places[0].code, "mobilisation"]
    )
    response = client.post(
        url, {**_dates("starts_on", datetime.date(2019, 10, 7)), "ends_on[day]": "31", "ends_on[month]": "2"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html and 'href="#ends_on-day"' in html
    response = client.post(
        url,
        {**_dates("starts_on", datetime.date(2019, 10, 7)), **_dates("ends_on", datetime.date(2019, 10, 1))},
    )
    assert "The end date must be the same as or after the start date" in response.content.decode()
    assert not PhaseOverride.objects.exists()


def test_a_lead_cannot_change_another_places_dates(client, place_lead):
    tree, programme, user = place_lead
    client.force_login(user)
    other = reverse(
        "delivery:timetable-edit", args=[programme.pk, "place", tree.places[1].code, "mobilisation"]
    )
    assert client.get(other).status_code == 404
    system = reverse(
        "delivery:timetable-edit", args=[programme.pk, "system", tree.systems[0].code, "mobilisation"]
    )
    assert client.get(system).status_code == 404
    api = client.put(
        f"/api/v1/programmes/{programme.pk}/timetable/system/{tree.systems[0].code}/mobilisation",
        {"starts_on": "2019-10-01", "ends_on": "2019-10-20"},
        content_type="application/json",
    )
    assert api.status_code == 404  # the system is outside a place lead's scope
    viewer = make_user("viewer@test.example", Role.VIEWER, tree.places[0])
    client.force_login(viewer)
    refused = client.put(
        f"/api/v1/programmes/{programme.pk}/timetable/place/{tree.places[0].code}/mobilisation",
        {"starts_on": "2019-10-01", "ends_on": "2019-10-20"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and "place lead" in refused.json()["detail"]
    client.force_login(user)
    ok = client.put(
        f"/api/v1/programmes/{programme.pk}/timetable/place/{tree.places[0].code}/mobilisation",
        {"starts_on": "2019-10-01", "ends_on": "2019-10-20"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and PhaseOverride.objects.get().ends_on == datetime.date(2019, 10, 20)


def test_the_pcn_journey_page_shows_the_six_steps(client, place_lead):
    tree, programme, user = place_lead
    client.force_login(user)
    response = client.get(reverse("delivery:pcn-journey", args=[programme.pk, tree.pcns[0].code]))
    html = response.content.decode()
    assert response.status_code == 200 and "nhsuk-task-list" in html and "Current step" in html
    assert client.get(reverse("delivery:index")).status_code == 200
    api = client.get(f"/api/v1/programmes/{programme.pk}/journey/{tree.pcns[0].code}").json()
    assert api["current_step"] == 1 and len(api["steps"]) == 6


def test_the_pcn_journey_page_links_the_version_it_follows(client, place_lead):
    """The version being delivered, not a later draft revision of it; no link when the PCN has no plan."""
    tree, programme, user = place_lead
    client.force_login(user)
    url = reverse("delivery:pcn-journey", args=[programme.pk, tree.pcns[0].code])
    assert "The support plan" not in client.get(url).content.decode()
    draft_revision = plan_at(programme, tree.pcns[0], "in_delivery", "draft")
    delivered = draft_revision.revises
    html = client.get(url).content.decode()
    assert reverse("plans:version", args=[delivered.pk]) in html and "(version 1, " in html
    assert reverse("plans:version", args=[draft_revision.pk]) not in html


def test_reading_the_timetable_writes_nothing_and_the_first_change_saves_its_phase(client, db):
    from pcndev.delivery.models import Phase

    tree = build_tree(regions=1, systems=1, places=1, pcns=1, practices=1, unallocated=0)
    programme = make_programme(year=_last_year())
    lead = make_user("place@test.example", Role.PLACE_LEAD, tree.places[0])
    client.force_login(lead)
    assert client.get(reverse("delivery:timetable", args=[programme.pk])).status_code == 200
    assert client.get(f"/api/v1/programmes/{programme.pk}/timetable").status_code == 200
    assert not Phase.objects.exists()
    y = _last_year()
    url = reverse(
        "delivery:timetable-edit", args=[programme.pk, "place", tree.places[0].code, "mobilisation"]
    )
    form = {"starts_on[day]": "8", "starts_on[month]": "10", "starts_on[year]": str(y)}
    form |= {"ends_on[day]": "31", "ends_on[month]": "10", "ends_on[year]": str(y)}
    assert client.post(url, form).status_code == 302
    assert list(Phase.objects.values_list("kind", flat=True)) == ["mobilisation"]
    assert PhaseOverride.objects.get().ends_on == datetime.date(y, 10, 31)
    assert "Enter the start date" in client.post(url, {}).content.decode()  # an empty form is validated
