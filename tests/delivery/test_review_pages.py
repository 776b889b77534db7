"""Review pages and API: the form without JavaScript, every error in the summary with nothing lost, who sees what."""

import json

import pytest
from django.test import Client

from pcndev.accounts.models import Role
from pcndev.delivery.review_models import InitiativeUpdate, ProgressReview
from pcndev.funding.models import LedgerEntry
from pcndev.plans.models import PlanVersion
from tests.builders import make_user
from tests.delivery.review_builders import NOV, OCT, delivered_plan, record_review
from tests.plans.builders import funded_world

API = "/api/v1"


@pytest.fixture
def w(db):
    return funded_world()


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _url(w, due=OCT):
    return f"/delivery/programmes/{w.programme.pk}/reviews/{w.pcn.code}/{due.isoformat()}/"


def _form(version, lock=0, action="save", **over):
    post = {
        "lock_version": str(lock),
        "action": action,
        "meeting_date[day]": "20",
        "meeting_date[month]": "11",
        "meeting_date[year]": "2019",
        "attended": ["cd", "place"],
        "actions": "Meet again",
    }
    for i in version.initiatives.all():
        post |= {f"i-{i.pk}-status": "in_progress", f"i-{i.pk}-rag": "green", f"i-{i.pk}-spend": "1,000.00"}
        for m in i.measures.all():
            post |= {f"m-{m.pk}-actual": "3 sessions", f"m-{m.pk}-achieved": "partly"}
    post.update(over)
    return post


def test_the_reviews_page_lists_each_due_date_with_its_status(w):
    delivered_plan(w)
    page = _client(w.cd).get(f"/delivery/programmes/{w.programme.pk}/reviews/{w.pcn.code}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert (
        "31 October 2019" in text and "31 March 2020" in text and text.count("Overdue") == 6
    )  # released 15 Oct


def test_the_cd_records_and_submits_a_review_through_the_form(w):
    version = delivered_plan(w)
    c = _client(w.cd)
    assert "Submit the review" in c.get(_url(w)).content.decode()
    response = c.post(_url(w), _form(version, action="submit"))
    assert response.status_code == 302
    review = ProgressReview.objects.get(due=OCT)
    assert review.state == "submitted" and review.cd_attended and review.place_lead_attended
    assert InitiativeUpdate.objects.filter(review=review, spend_to_date_pence=1_000_00).count() == 2
    assert LedgerEntry.objects.filter(kind="spend").count() == 2
    assert review.updates.first().actuals.get().achieved == "partly"
    page = c.get(_url(w)).content.decode()
    assert "Submitted" in page and "Submit the review" not in page


def test_bad_input_is_listed_in_the_error_summary_and_kept(w):
    version = delivered_plan(w)
    first = version.initiatives.order_by("position").first()
    form = _form(
        version,
        action="submit",
        **{
            f"i-{first.pk}-spend": "lots",
            f"i-{first.pk}-rag": "amber",
            "meeting_date[day]": "31",
            "meeting_date[month]": "2",
        },
    )
    response = _client(w.cd).post(_url(w), form)
    text = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in text
    assert "Initiative 1: enter spend to date in pounds, like 1,250.00 (£0 or more)" in text
    assert "The meeting date must be a real date, like 27 11 2019" in text
    assert 'value="lots"' in text and "Meet again" in text
    assert not ProgressReview.objects.exists()


def test_a_failed_submission_keeps_the_draft_and_explains(w):
    version = delivered_plan(w)
    first = version.initiatives.order_by("position").first()
    response = _client(w.cd).post(_url(w), _form(version, action="submit", **{f"i-{first.pk}-rag": "red"}))
    assert response.status_code == 400
    assert "Initiative 1: say why it is red" in response.content.decode()
    assert ProgressReview.objects.get(due=OCT).state == "draft"


def test_submitting_with_additional_support_says_a_revision_is_open_and_links_it(w):
    version = delivered_plan(w)
    c = _client(w.cd)
    c.post(_url(w), _form(version, action="submit", additional_support="Population health analytics"))
    revision = PlanVersion.objects.get(plan=version.plan, number=2)
    page = c.get(_url(w)).content.decode()
    assert f"/plans/versions/{revision.pk}/" in page
    version_page = c.get(f"/plans/versions/{revision.pk}/").content.decode()
    assert "Changes from version 1" in version_page and "Population health analytics" in version_page


def test_people_outside_the_plan_cannot_record_and_see_why(w):
    delivered_plan(w)
    page = _client(w.viewer).get(_url(w))
    assert page.status_code == 200 and "Only a clinical director" in page.content.decode()
    assert _client(w.viewer).post(_url(w), {"lock_version": "0"}).status_code == 403
    assert _client(w.other_cd).get(_url(w)).status_code == 404  # another PCN's CD cannot see the PCN
    assert _client(w.cd).get(_url(w).replace("2019-10-31", "2019-10-30")).status_code == 404


def test_the_api_reads_saves_and_submits_with_the_same_rules(w):
    version = delivered_plan(w)
    record_review(w, version, OCT)
    c = _client(w.cd)
    url = f"{API}/programmes/{w.programme.pk}/reviews/{w.pcn.code}/{NOV.isoformat()}"
    got = c.get(url).json()
    assert (
        got["saved"] is False and got["can_record"] is True and got["updates"][0]["previous_rag"] == "green"
    )
    body = {
        "lock_version": 0,
        "meeting_date": "2019-11-25",
        "cd_attended": True,
        "updates": [
            {
                "initiative_id": u["initiative_id"],
                "status": "in_progress",
                "rag": "amber",
                "spend_to_date_pence": 50_000,
            }
            for u in got["updates"]
        ],
    }
    saved = c.put(url, json.dumps(body), content_type="application/json")
    assert saved.status_code == 200 and saved.json()["state"] == "draft"
    refused = c.post(
        f"{url}/submit",
        json.dumps({"lock_version": saved.json()["lock_version"]}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "Initiative 1: say why it is amber" in refused.json()["reasons"]
    stale = c.put(url, json.dumps(body), content_type="application/json")
    assert stale.status_code == 409
    listing = c.get(f"{API}/programmes/{w.programme.pk}/reviews/{w.pcn.code}").json()
    assert [r["state"] for r in listing[:2]] == ["submitted", "draft"]
    assert _client(w.viewer).put(url, json.dumps(body), content_type="application/json").status_code == 403
    assert _client(w.other_cd).get(url).status_code == 404


def test_only_a_national_administrator_changes_the_schedule(w, django_user_model):
    url = f"/delivery/programmes/{w.programme.pk}/reviews/schedule/"
    assert (
        _client(w.place_lead)
        .post(
            url,
            {
                "first_due[month]": "11",
                "first_due[year]": "2019",
                "last_due[month]": "3",
                "last_due[year]": "2020",
                "every_months": "2",
            },
        )
        .status_code
        == 403
    )
    superuser_without_the_role = django_user_model.objects.create_superuser("root@test.example", "x")
    refused = _client(superuser_without_the_role).get(url).content.decode()
    assert "Only a national administrator can change the review schedule." in refused
    assert "Save the schedule" not in refused
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    assert "Save the schedule" in _client(admin).get(url).content.decode()
    bad = _client(admin).post(
        url,
        {
            "first_due[month]": "13",
            "first_due[year]": "2019",
            "last_due[month]": "3",
            "last_due[year]": "2020",
            "every_months": "9",
        },
    )
    assert bad.status_code == 400 and "Enter a real month and year" in bad.content.decode()
    ok = _client(admin).post(
        url,
        {
            "first_due[month]": "11",
            "first_due[year]": "2019",
            "last_due[month]": "3",
            "last_due[year]": "2020",
            "every_months": "2",
        },
    )
    assert ok.status_code == 302
    api = _client(admin).get(f"{API}/programmes/{w.programme.pk}/reviews/schedule").json()
    assert api["due_dates"] == ["2019-11-30", "2020-01-31", "2020-03-31"]
