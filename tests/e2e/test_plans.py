"""Support plans in the browser: a CD builds a plan from the PCN's needs, meets an eligibility block and fixes it,
the place lead and the CD agree it, the place lead records the committee's decision and releases the funds.

axe-core runs on every page visited, error states included.
"""

import pytest
from django.utils import timezone

from pcndev.orgs.models import ClinicalDirector
from pcndev.plans.eligibility import CATEGORIES
from pcndev.plans.models import PlanVersion
from tests.builders import PASSWORD
from tests.e2e.conftest import assert_accessible, click_and_wait, sign_in
from tests.maturity.builders import make_round, submitted_assessment
from tests.plans.builders import funded_world

PRIORITY = "Frail older people living at home"
CONTRACT = CATEGORIES["contract"]  # "Something the GP contract or Network Contract DES pays for (…)"
DEVELOPMENT = CATEGORIES["development"]


@pytest.fixture
def world(transactional_db):
    """funded_world's place, two PCNs and their people; the first PCN has submitted its 2019/20 self-assessment
    and has one clinical director (the CD user)."""
    w = funded_world()
    assessment = submitted_assessment(make_round(), w.pcn, stages=(1, 2), priority=PRIORITY)
    director = ClinicalDirector.objects.create(pcn=w.pcn, name="Dr Asha Patel", share_percent=100, user=w.cd)
    return {"w": w, "assessment": assessment, "director": director}


def _switch_user(page, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, email, PASSWORD)


def _h1(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def _choose(page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question, exact=True).get_by_label(answer, exact=True).check()


def _card(page, title: str):
    return page.locator(".nhsuk-card").filter(
        has=page.get_by_role("heading", level=3, name=title, exact=True)
    )


def _summary(page):
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible() and "There is a problem" in summary.inner_text()
    return summary


def _state(page) -> str:
    return page.locator("main .nhsuk-tag").first.inner_text()


def _open_plan(page, pcn) -> None:
    """Plans → the programme → the PCN's latest version; axe on each."""
    click_and_wait(page, page.get_by_role("link", name="Plans", exact=True))
    assert _h1(page) == "Support plans"
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name="PCN development support 2019/20", exact=True))
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name=f"Version 1 of {pcn.name}'s plan"))
    assert _h1(page) == f"{pcn.name} support plan"
    assert_accessible(page)


def _goto_plan(page, version) -> None:
    page.goto(f"/plans/versions/{version.pk}/")
    assert_accessible(page)


def _act(page, label: str, comment: str = "") -> None:
    """From the plan page: follow the action's button, optionally comment, confirm."""
    click_and_wait(page, page.get_by_role("link", name=label, exact=True))
    assert _h1(page) == label
    assert_accessible(page)
    if comment:
        page.get_by_label("Comment").fill(comment)
    click_and_wait(page, page.get_by_role("button", name=label, exact=True))


def test_a_plan_from_needs_to_funds_released(page, world):
    w, assessment = world["w"], world["assessment"]
    pcn, place = w.pcn, w.tree.places[0]

    # The CD starts the plan: it opens with the self-assessment's priority and needs.
    sign_in(page, "cd@test.example", PASSWORD)
    click_and_wait(page, page.get_by_role("link", name="Plans", exact=True))
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name="PCN development support 2019/20", exact=True))
    assert _h1(page) == "Support plans"
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("button", name=f"Start the plan for {pcn.name}"))
    assert _h1(page) == f"{pcn.name} support plan"
    assert page.get_by_text(f"The support plan for {pcn} has started from its self-assessment").is_visible()
    assert _state(page) == "Draft"
    assert PRIORITY in page.locator(".nhsuk-summary-list").first.inner_text()
    needs = page.locator("h2:has-text('Development needs addressed') + ul li")
    assert needs.count() == assessment.needs.count() > 0
    assert_accessible(page)

    # Add an initiative: a cost that is not money is refused with the error summary, and the answers are kept.
    click_and_wait(page, page.get_by_role("link", name="Add an initiative"))
    assert _h1(page) == "Add an initiative"
    assert_accessible(page)
    page.get_by_label("Title", exact=True).fill("ARRS pharmacist salary")
    _choose(page, "Support domain", "Leadership development and support")
    page.get_by_label("Cost", exact=True).fill("lots")
    _choose(page, "What is the money for?", CONTRACT)
    page.locator("#measure-0-description").fill("Pharmacist in post")
    page.locator("#measure-0-target").fill("1 WTE")
    page.locator("#measure-0-due-day").fill("31")
    page.locator("#measure-0-due-month").fill("3")
    page.locator("#measure-0-due-year").fill("2020")
    click_and_wait(page, page.get_by_role("button", name="Save the initiative"))
    assert page.title().startswith("Error: ")
    page.screenshot(path="/tmp/plans-initiative-form.png", full_page=True)
    link = _summary(page).get_by_role("link", name="'lots' is not an amount in pounds")
    assert link.get_attribute("href") == "#cost"
    assert page.locator(".nhsuk-error-message", has_text="'lots' is not an amount in pounds").is_visible()
    assert page.get_by_label("Title", exact=True).input_value() == "ARRS pharmacist salary"
    assert page.get_by_label("Cost", exact=True).input_value() == "lots"
    assert page.locator("#measure-0-target").input_value() == "1 WTE"
    group = page.get_by_role("group", name="What is the money for?", exact=True)
    assert group.get_by_label(CONTRACT, exact=True).is_checked()
    assert_accessible(page)

    page.get_by_label("Cost", exact=True).fill("2,500")
    click_and_wait(page, page.get_by_role("button", name="Save the initiative"))
    assert page.get_by_text(
        "ARRS pharmacist salary has been saved. It is blocked by the spending rules"
    ).is_visible()
    card = _card(page, "ARRS pharmacist salary")
    assert card.locator(".nhsuk-tag--red", has_text="Blocked").is_visible()
    assert card.get_by_text(
        "This is already paid for through the GP contract or the Network Contract DES."
    ).is_visible()
    page.screenshot(path="/tmp/plans-plan-blocked.png", full_page=True)
    assert_accessible(page)

    # Fix it: the same initiative, for development the money can pay for.
    click_and_wait(page, page.get_by_role("link", name="Change ARRS pharmacist salary"))
    assert _h1(page) == "Change ARRS pharmacist salary"
    assert page.get_by_role("group", name="What is the money for?").get_by_label(CONTRACT).is_checked()
    assert page.get_by_label("Cost", exact=True).input_value() == "2500.00"
    assert_accessible(page)
    page.get_by_label("Title", exact=True).fill("Pharmacist induction and training")
    _choose(page, "What is the money for?", DEVELOPMENT)
    click_and_wait(page, page.get_by_role("button", name="Save the initiative"))
    card = _card(page, "Pharmacist induction and training")
    assert card.locator(".nhsuk-tag--green", has_text="Eligible").is_visible()
    assert not page.get_by_text("Blocked", exact=True).count()
    assert "£2,500.00" in page.get_by_role("row", name="Plan cost (this programme and top-ups)").inner_text()
    assert_accessible(page)

    _act(page, "Submit for agreement")
    assert _state(page) == "Submitted for agreement"
    assert_accessible(page)

    # The place lead: declining needs a comment, then they agree.
    _switch_user(page, "place@test.example")
    _open_plan(page, pcn)
    click_and_wait(page, page.get_by_role("link", name="Decline", exact=True))
    assert _h1(page) == "Decline"
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("button", name="Decline", exact=True))
    assert page.title().startswith("Error: ")
    link = _summary(page).get_by_role("link", name="Enter a comment saying what needs to change")
    assert link.get_attribute("href") == "#comment"
    assert page.locator(".nhsuk-error-message").is_visible()
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name="Back to the plan"))
    _act(page, "Agree the plan", comment="Fits the PCN's needs")
    assert _state(page) == "Submitted for agreement"  # still waiting for the CD
    assert "Fits the PCN's needs" in page.get_by_role("table", name="Sign-off of this version").inner_text()
    assert_accessible(page)

    # The CD agrees too.
    version = PlanVersion.objects.get(plan__pcn=pcn)
    _switch_user(page, "cd@test.example")
    _goto_plan(page, version)
    _act(page, "Agree the plan")
    assert _state(page) == "Agreed"
    assert_accessible(page)

    # The place lead records the committee's decision and releases the funds.
    _switch_user(page, "place@test.example")
    _goto_plan(page, version)
    click_and_wait(page, page.get_by_role("link", name=f"Record the committee's approval for {place.name}"))
    assert _h1(page) == "Record the committee's decision"
    assert_accessible(page)
    page.get_by_label(f"{pcn.name}: £2,500.00").check()
    page.get_by_label("Committee", exact=True).fill("Primary Care Commissioning Committee")
    today = timezone.localdate()
    page.locator("#meeting_date-day").fill(str(today.day))
    page.locator("#meeting_date-month").fill(str(today.month))
    page.locator("#meeting_date-year").fill(str(today.year))
    page.get_by_label("Minute reference").fill("PCCC/2019/42")
    click_and_wait(page, page.get_by_role("button", name="Record the decision"))
    assert page.get_by_text("approved 1 plan").is_visible()
    assert (
        "PCCC/2019/42" in page.get_by_role("heading", name="Decisions recorded").locator("+ ul").inner_text()
    )
    assert_accessible(page)

    _goto_plan(page, version)
    assert _state(page) == "Approved by committee"
    click_and_wait(page, page.get_by_role("link", name="Release funds to the payee"))
    assert _h1(page) == "Release funds to Riverside GP Federation"
    assert page.get_by_label("Amount", exact=True).input_value() == "2500.00"
    assert_accessible(page)
    page.get_by_label("Amount", exact=True).fill("3,000")
    page.get_by_label("MOU reference").fill("MOU-RGF-2019-01")
    page.locator("#release_date-day").fill(str(today.day))
    page.locator("#release_date-month").fill(str(today.month))
    page.locator("#release_date-year").fill(str(today.year))
    click_and_wait(page, page.get_by_role("button", name="Release funds"))
    assert page.title().startswith("Error: ")
    link = _summary(page).get_by_role(
        "link", name="The committee committed £2,500.00; a release cannot be more than that"
    )
    assert link.get_attribute("href") == "#amount"
    assert page.get_by_label("Amount", exact=True).input_value() == "3,000"
    assert page.get_by_label("MOU reference").input_value() == "MOU-RGF-2019-01"
    assert_accessible(page)
    page.get_by_label("Amount", exact=True).fill("2,500")
    click_and_wait(page, page.get_by_role("button", name="Release funds"))
    assert page.get_by_text("Funds released to Riverside GP Federation").is_visible()
    assert _state(page) == "Funds released"
    page.screenshot(path="/tmp/plans-plan.png", full_page=True)
    assert_accessible(page)
    assert PlanVersion.objects.get(plan__pcn=pcn).state == "funds_released"

    # CD development plans: the list and one CD's plan.
    click_and_wait(page, page.get_by_role("link", name="Plans", exact=True))
    click_and_wait(page, page.get_by_role("link", name="CD development plans for 2019/20"))
    assert _h1(page) == "Clinical director development plans"
    assert "Not started" in page.get_by_role("row", name=world["director"].name).inner_text()
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name=world["director"].name, exact=True))
    assert _h1(page) == f"{world['director'].name}, {pcn}"
    assert page.get_by_text("Nothing planned yet.").is_visible()
    assert_accessible(page)
