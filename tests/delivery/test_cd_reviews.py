"""CD development plan reviews: the same rules as plan reviews; additional support reopens the plan as a revision."""

import pytest
from django.test import Client

from pcndev.delivery.cd_reviewing import save_cd_review, submit_cd_review
from pcndev.delivery.review_models import CDPlanReview
from pcndev.plans.cd_plans import add_item, agree_cd_plan
from pcndev.plans.editing import NotAllowed, PlanProblems
from tests.delivery.review_builders import MEETING, NOV, OCT, cd_plan_world, update


@pytest.fixture
def world(db):
    return cd_plan_world()


MEETING_RECORD = {
    "meeting_date": MEETING,
    "cd_attended": True,
    "place_lead_attended": True,
    "progress": "Two sessions",
}


def test_a_cd_plan_is_reviewed_once_agreed_by_the_cd_or_the_place_lead(world):
    w, plan, item = world
    with pytest.raises(NotAllowed) as exc:
        save_cd_review(plan, OCT, 0, w.cd, MEETING_RECORD, {item.pk: update()})
    assert exc.value.reason == "A CD development plan is reviewed once it is agreed."
    agree_cd_plan(plan, w.place_lead)
    plan.refresh_from_db()
    with pytest.raises(NotAllowed):
        save_cd_review(plan, OCT, 0, w.other_cd, MEETING_RECORD, {item.pk: update()})
    saved = save_cd_review(plan, OCT, 0, w.cd, MEETING_RECORD, {item.pk: update(rag="amber")})
    with pytest.raises(PlanProblems) as exc:
        submit_cd_review(plan, OCT, saved.lock_version, w.cd)
    assert dict(exc.value.problems)[f"c-{item.pk}-reason"] == "Six coaching sessions: say why it is amber"
    saved = save_cd_review(
        plan, OCT, saved.lock_version, w.place_lead, MEETING_RECORD, {item.pk: update(spend=500_00)}
    )
    assert submit_cd_review(plan, OCT, saved.lock_version, w.place_lead).state == "submitted"


def test_additional_support_reopens_the_plan_and_keeps_what_was_agreed(world):
    w, plan, item = world
    agree_cd_plan(plan, w.place_lead)
    plan.refresh_from_db()
    saved = save_cd_review(
        plan,
        OCT,
        0,
        w.cd,
        MEETING_RECORD | {"additional_support": "Mentoring"},
        {item.pk: update(spend=700_00)},
    )
    review = submit_cd_review(plan, OCT, saved.lock_version, w.cd)
    plan.refresh_from_db()
    assert review.opened_revision and plan.status == "draft" and plan.revision == 2
    assert review.agreed_items == [
        {"kind": "Coaching", "description": "Six coaching sessions", "cost_pence": 2_000_00}
    ]
    add_item(plan, w.cd, "leadership", "Mentoring", 1_000_00)  # the revised plan can change
    agree_cd_plan(plan, w.place_lead)
    plan.refresh_from_db()
    saved = save_cd_review(plan, NOV, 0, w.cd, MEETING_RECORD, {item.pk: update(spend=300_00)})
    with pytest.raises(PlanProblems) as exc:
        submit_cd_review(plan, NOV, saved.lock_version, w.cd)
    assert "cannot go down" in " ".join(m for _, m in exc.value.problems)


def test_the_cd_review_form_works_without_javascript(world):
    w, plan, item = world
    agree_cd_plan(plan, w.place_lead)
    c = Client()
    c.force_login(w.cd)
    url = f"/delivery/programmes/{w.programme.pk}/cd-reviews/{plan.pk}/{OCT.isoformat()}/"
    assert "Submit the review" in c.get(url).content.decode()
    bad = c.post(url, {"lock_version": "0", "action": "submit", f"c-{item.pk}-spend": "-5"})
    assert bad.status_code == 400 and "enter spend to date in pounds" in bad.content.decode()
    post = {
        "lock_version": "0",
        "action": "submit",
        "meeting_date[day]": "20",
        "meeting_date[month]": "11",
        "meeting_date[year]": "2019",
        "attended": ["cd"],
        f"c-{item.pk}-status": "completed",
        f"c-{item.pk}-rag": "green",
        f"c-{item.pk}-spend": "2,000",
    }
    assert c.post(url, post).status_code == 302
    assert CDPlanReview.objects.get().state == "submitted"
    listing = c.get(f"/delivery/programmes/{w.programme.pk}/cd-reviews/{plan.pk}/").content.decode()
    assert "Submitted" in listing
    other = Client()
    other.force_login(w.other_cd)
    assert other.get(url).status_code == 404
