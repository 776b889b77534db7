"""The CD development plans API: the list, one director's plan and a place's collective plan, adding items with
the lock_version read (a stale one is a 409 naming who changed the plan, and nothing is lost), the same validation
and permissions as the pages, and agreeing."""

import pytest
from django.utils import timezone

from pcndev.orgs.models import ClinicalDirector
from pcndev.plans.cd_plans import add_item
from pcndev.plans.models import CDDevelopmentItem, CDDevelopmentPlan
from tests.plans.api_helpers import API, NOT_FOUND, _as, _problems, _send
from tests.plans.builders import funded_world


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w(db):
    w = funded_world()  # two PCNs, each with a £5,000 CD slice
    w.director = ClinicalDirector.objects.create(pcn=w.pcn, name="Dr A", share_percent=100, user=w.cd)
    return w


def _url(w, rest=""):
    return f"{API}/programmes/{w.programme.pk}/cd-plans/directors/{w.director.pk}{rest}"


def _place_url(w, rest=""):
    return f"{API}/programmes/{w.programme.pk}/cd-plans/places/{w.tree.places[0].code}{rest}"


def _item(lock_version, **changes):
    body = {"lock_version": lock_version, "kind": "coaching", "description": "Six coaching sessions"}
    return body | {"cost_pence": 2_000_00} | changes


def test_a_cd_adds_to_their_plan_and_reads_it_back(w):
    cd = _as(w.cd)
    read = cd.get(_url(w)).json()
    assert (read["id"], read["lock_version"], read["items"], read["status"]) == (None, 0, [], "draft")
    assert read["budget_pence"] == 5_000_00 and read["can_edit"] == {"allowed": True, "reason": ""}
    assert not CDDevelopmentPlan.objects.exists()  # reading never creates a plan

    response = _send(cd, "post", _url(w, "/items"), _item(0))
    assert response.status_code == 201
    saved = response.json()
    plan = CDDevelopmentPlan.objects.get()
    assert saved["id"] == plan.pk and saved["lock_version"] == 1 and saved["cost_pence"] == 2_000_00
    assert [(i["kind"], i["kind_label"], i["description"], i["cost_pence"]) for i in saved["items"]] == [
        ("coaching", "Coaching", "Six coaching sessions", 2_000_00)
    ]
    assert cd.get(_url(w)).json() == saved

    response = _send(cd, "post", _url(w, "/items"), _item(1, kind="backfill", description="Backfill"))
    assert response.status_code == 201 and response.json()["lock_version"] == 2
    assert [i["description"] for i in cd.get(_url(w)).json()["items"]] == [
        "Six coaching sessions",
        "Backfill",
    ]

    listed = cd.get(f"{API}/programmes/{w.programme.pk}/cd-plans").json()
    assert listed["directors"] == [
        {
            "director_id": w.director.pk,
            "director": "Dr A",
            "share_percent": 100,
            "pcn": w.pcn.code,
            "pcn_name": w.pcn.name,
            "plan": plan.pk,
            "status": "draft",
        }
    ]


def test_a_stale_save_is_refused_naming_who_and_when_and_nothing_is_lost(w):
    cd, lead = _as(w.cd), _as(w.place_lead)
    assert _send(cd, "post", _url(w, "/items"), _item(0)).status_code == 201
    # A second client still holding lock_version 0 (read before the first save):
    response = _send(cd, "post", _url(w, "/items"), _item(0, description="Leadership course"))
    plan = CDDevelopmentPlan.objects.get()
    when = timezone.localtime(plan.updated_at).strftime("%-d %B %Y at %H:%M")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"This CD development plan was changed by {w.cd} on {when}. Your changes have not been saved: "
        "check the plan and make them again."
    )
    assert list(plan.items.values_list("description", flat=True)) == ["Six coaching sessions"]

    # A change on the page (no lock_version sent) moves the lock on too, and agreeing names the place lead.
    add_item(plan, w.cd, "other", "Shadowing", 100_00)
    assert _send(cd, "post", _url(w, "/items"), _item(1)).status_code == 409
    assert _send(lead, "post", _url(w, "/agree"), {"lock_version": 2}).status_code == 200
    response = _send(cd, "post", _url(w, "/items"), _item(2))
    assert response.status_code == 403  # agreed: the plan cannot change, whatever the lock
    response = _send(lead, "post", _url(w, "/agree"), {"lock_version": 2})
    assert response.status_code == 403
    assert response.json()["detail"] == "This CD development plan is already agreed."
    assert CDDevelopmentItem.objects.count() == 2


def test_problems_are_listed_as_the_page_lists_them_and_keep_nothing(w):
    cd = _as(w.cd)
    response = _send(cd, "post", _url(w, "/items"), _item(0, kind="holiday", description=" ", cost_pence=-1))
    assert response.status_code == 400
    assert response.json() == _problems(
        ("kind", "Select coaching, a leadership programme, backfill or other development"),
        ("description", "Describe the development"),
        ("cost", "The cost cannot be negative"),
    )
    assert not CDDevelopmentPlan.objects.exists()  # a refused first item leaves no empty plan behind

    response = _send(cd, "post", _url(w, "/items"), _item(0, cost_pence=5_000_01))
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {
            "field": "cost",
            "message": "This would take the plan to £5,000.01, over its £5,000.00 of CD development money",
        }
    ]
    response = _send(cd, "post", _url(w, "/items"), _item(0, description="x" * 301))
    assert response.json()["problems"] == [
        {"field": "description", "message": "Keep the description to 300 characters or fewer"}
    ]
    assert not CDDevelopmentPlan.objects.exists()
    assert _send(cd, "post", _url(w, "/items"), {"lock_version": 0}).status_code == 422  # not the schema


def test_only_the_director_changes_their_plan_and_others_pcns_are_not_found(w):
    viewer, lead, other = _as(w.viewer), _as(w.place_lead), _as(w.other_cd)
    read = viewer.get(_url(w)).json()
    assert read["can_edit"] == {"allowed": False, "reason": "Only Dr A can change this plan."}
    for client in (viewer, lead):
        response = _send(client, "post", _url(w, "/items"), _item(0))
        assert (response.status_code, response.json()["detail"]) == (403, "Only Dr A can change this plan.")
    response = _send(_as(w.cd), "post", _url(w, "/agree"), {"lock_version": 0})
    assert response.json()["detail"] == "Only the place lead can agree a CD development plan."
    for method, rest, body in (
        ("get", "", None),
        ("post", "/items", _item(0)),
        ("post", "/agree", {"lock_version": 0}),
    ):
        response = _send(other, method, _url(w, rest), body)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    missing = f"{API}/programmes/{w.programme.pk}/cd-plans/directors/999999"
    assert (
        _as(w.cd).get(missing).status_code,
        _as(w.cd).get(f"{API}/programmes/999999/cd-plans").status_code,
    ) == (
        404,
        404,
    )
    assert not CDDevelopmentPlan.objects.exists()
    listed = other.get(f"{API}/programmes/{w.programme.pk}/cd-plans").json()
    assert listed["directors"] == []  # Dr A leads a PCN the other CD cannot see


def test_the_place_lead_keeps_the_places_collective_plan(w):
    lead, cd, viewer = _as(w.place_lead), _as(w.cd), _as(w.viewer)
    place = w.tree.places[0]
    response = _send(lead, "post", _place_url(w, "/items"), _item(0, kind="leadership", cost_pence=8_000_00))
    assert response.status_code == 201
    body = response.json()
    assert (body["director_id"], body["place"], body["budget_pence"], body["lock_version"]) == (
        None,
        place.code,
        10_000_00,
        1,
    )
    assert viewer.get(_place_url(w)).json() == body | {
        "can_edit": {"allowed": False, "reason": f"Only the place lead for {place} can change this plan."},
        "can_agree": {"allowed": False, "reason": "Only the place lead can agree a CD development plan."},
    }
    response = _send(viewer, "post", _place_url(w, "/items"), _item(1))
    assert response.status_code == 403
    for method, rest in (("get", ""), ("post", "/items")):  # a place is beyond a PCN's clinical director
        assert (
            _send(cd, method, _place_url(w, rest), None if method == "get" else _item(1)).status_code == 404
        )
    # The director's own plan is held to what the collective plan leaves of the place's money.
    response = _send(cd, "post", _url(w, "/items"), _item(0, cost_pence=3_000_00))
    assert response.json()["problems"][0]["message"] == (
        f"This would take {place}'s CD development plans to £11,000.00, "
        "over the £10,000.00 of CD development money for its PCNs"
    )
    assert _send(lead, "post", _place_url(w, "/agree"), {"lock_version": 0}).status_code == 409
    agreed = _send(lead, "post", _place_url(w, "/agree"), {"lock_version": 1})
    assert (agreed.status_code, agreed.json()["status"], agreed.json()["lock_version"]) == (200, "agreed", 2)
    listed = viewer.get(f"{API}/programmes/{w.programme.pk}/cd-plans").json()
    assert listed["places"] == [
        {"place": place.code, "place_name": place.name, "plan": body["id"], "status": "agreed"}
    ]
    assert _as(w.other_cd).get(f"{API}/programmes/{w.programme.pk}/cd-plans/places/NOPE").status_code == 404
