"""The CD plan reviews API: a plan's review dates, one review read back as saved, the 409 for a stale save (naming
who and when, nothing lost), the same problems and permissions as the pages, and submitting."""

import datetime

import pytest
from django.utils import timezone

from pcndev.delivery.review_models import CDPlanReview
from pcndev.plans.cd_plans import agree_cd_plan
from tests.delivery.review_builders import MEETING, OCT, cd_plan_world
from tests.plans.api_helpers import API, NOT_FOUND, _as, _send


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return cd_plan_world()


def _url(plan, rest=""):
    return f"{API}/programmes/{plan.programme_id}/cd-plans/{plan.pk}/reviews{rest}"


def _body(lock_version, item, **changes):
    update = {"item_id": item.pk, "status": "in_progress", "rag": "green", "spend_to_date_pence": 500_00}
    body = {
        "lock_version": lock_version,
        "meeting_date": str(MEETING),
        "cd_attended": True,
        "place_lead_attended": True,
        "progress": "Two sessions",
        "updates": [update | changes.pop("update", {})],
    }
    return body | changes


def _agreed(w, plan):
    agree_cd_plan(plan, w.place_lead)
    plan.refresh_from_db()
    return plan


def test_the_review_dates_and_who_may_record_them(world):
    w, plan, item = world
    cd = _as(w.cd)
    listed = cd.get(_url(plan)).json()
    assert (listed["plan"], listed["status"], listed["can_record"]) == (plan.pk, "draft", False)
    assert listed["reason"] == "A CD development plan is reviewed once it is agreed."
    response = _send(cd, "put", _url(plan, f"/{OCT}"), _body(0, item))
    assert (response.status_code, response.json()["detail"]) == (403, listed["reason"])

    _agreed(w, plan)
    listed = cd.get(_url(plan)).json()
    assert listed["can_record"] and listed["reviews"][0] == {
        "due": str(OCT),
        "state": "not_started",
        "opened_revision": False,
    }
    assert all(r["state"] == "not_started" for r in listed["reviews"])

    viewer = _as(w.viewer)
    read = viewer.get(_url(plan, f"/{OCT}")).json()
    assert (read["can_record"], read["reason"]) == (
        False,
        "Only Dr A or the place lead can record this review.",
    )
    for method, rest in (("put", f"/{OCT}"), ("post", f"/{OCT}/submit")):
        response = _send(viewer, method, _url(plan, rest), _body(0, item))
        assert (response.status_code, response.json()["detail"]) == (403, read["reason"])
    other = _as(w.other_cd)  # a CD of another PCN: the plan is not there at all
    for method, rest in (("get", ""), ("get", f"/{OCT}"), ("put", f"/{OCT}"), ("post", f"/{OCT}/submit")):
        response = _send(other, method, _url(plan, rest), None if method == "get" else _body(0, item))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert cd.get(_url(plan, "/2019-10-30")).status_code == 404  # no review scheduled that day
    assert not CDPlanReview.objects.exists()


def test_a_draft_reads_back_as_saved_and_a_stale_save_loses_nothing(world):
    w, plan, item = world
    _agreed(w, plan)
    cd, lead = _as(w.cd), _as(w.place_lead)
    read = cd.get(_url(plan, f"/{OCT}")).json()
    assert (read["saved"], read["lock_version"], read["state"], read["can_record"]) == (
        False,
        0,
        "draft",
        True,
    )
    assert read["updates"] == [
        {
            "item_id": item.pk,
            "description": "Six coaching sessions",
            "cost_pence": 2_000_00,
            "status": "not_started",
            "rag": "",
            "rag_reason": "",
            "spend_to_date_pence": 0,
            "evidence": "",
            "previous_rag": "",
            "previous_spend_pence": 0,
        }
    ]

    response = _send(cd, "put", _url(plan, f"/{OCT}"), _body(0, item))
    assert response.status_code == 200
    saved = response.json()
    assert (saved["saved"], saved["lock_version"], saved["progress"], saved["meeting_date"]) == (
        True,
        1,
        "Two sessions",
        str(MEETING),
    )
    assert saved["updates"][0] | {"spend_to_date_pence": 0} == read["updates"][0] | {
        "status": "in_progress",
        "rag": "green",
    }
    assert cd.get(_url(plan, f"/{OCT}")).json() == saved
    assert cd.get(_url(plan)).json()["reviews"][0]["state"] == "draft"

    # The place lead saves from the same read: refused, naming the CD and when they saved.
    response = _send(lead, "put", _url(plan, f"/{OCT}"), _body(0, item, progress="Overwritten"))
    review = CDPlanReview.objects.get()
    when = timezone.localtime(review.updated_at).strftime("%-d %B %Y at %H:%M")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"This review was changed by {w.cd} on {when}. Your changes have not been saved: "
        "check the review and make them again."
    )
    assert (review.progress, review.lock_version) == ("Two sessions", 1)
    assert _send(lead, "post", _url(plan, f"/{OCT}/submit"), {"lock_version": 0}).status_code == 409


def test_problems_are_listed_by_field(world):
    w, plan, item = world
    _agreed(w, plan)
    cd = _as(w.cd)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    body = _body(0, item, meeting_date=str(tomorrow), update={"status": "finished", "rag": "purple"})
    response = _send(cd, "put", _url(plan, f"/{OCT}"), body)
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"field": "meeting_date", "message": "The meeting date cannot be in the future"},
        {"field": f"c-{item.pk}-status", "message": "Six coaching sessions: select a status and RAG"},
    ]
    response = _send(cd, "put", _url(plan, f"/{OCT}"), _body(0, item, update={"item_id": 999999}))
    assert response.json()["problems"] == [
        {"field": "updates", "message": "An update names an item that is not in this plan"}
    ]
    assert not CDPlanReview.objects.exists()
    response = _send(cd, "post", _url(plan, f"/{OCT}/submit"), {"lock_version": 0})
    assert (response.status_code, response.json()["problems"]) == (
        400,
        [{"field": "due", "message": "Save the review before submitting it"}],
    )

    saved = _send(cd, "put", _url(plan, f"/{OCT}"), _body(0, item, update={"rag": "amber"})).json()
    response = _send(cd, "post", _url(plan, f"/{OCT}/submit"), {"lock_version": saved["lock_version"]})
    assert response.status_code == 400
    assert {"field": f"c-{item.pk}-reason", "message": "Six coaching sessions: say why it is amber"} in (
        response.json()["problems"]
    )
    assert CDPlanReview.objects.get().state == "draft"


def test_submitting_a_review_that_identifies_more_support_reopens_the_plan(world):
    w, plan, item = world
    _agreed(w, plan)
    lead = _as(w.place_lead)
    saved = _send(lead, "put", _url(plan, f"/{OCT}"), _body(0, item, additional_support="Mentoring")).json()
    response = _send(lead, "post", _url(plan, f"/{OCT}/submit"), {"lock_version": saved["lock_version"]})
    assert response.status_code == 200
    submitted = response.json()
    assert (submitted["state"], submitted["opened_revision"], submitted["can_record"]) == (
        "submitted",
        True,
        False,
    )
    plan.refresh_from_db()
    assert (plan.status, plan.revision) == ("draft", 2)
    assert _as(w.cd).get(_url(plan)).json()["reviews"][0] == {
        "due": str(OCT),
        "state": "submitted",
        "opened_revision": True,
    }
    response = _send(lead, "put", _url(plan, f"/{OCT}"), _body(submitted["lock_version"], item))
    assert response.status_code == 403  # the plan is a draft again: reviewed once it is agreed again
    _agreed(w, plan)
    response = _send(lead, "put", _url(plan, f"/{OCT}"), _body(submitted["lock_version"], item))
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "This review has been submitted, so it cannot change.",
    )
