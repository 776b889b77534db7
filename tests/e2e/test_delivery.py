"""Delivery in the browser: a place lead reads the timetable, changes a phase's dates (meeting the error summary
first), and reads the journey counts, a PCN's six steps and the overdue list. axe-core runs on every page."""

import pytest

from pcndev.accounts.models import Role
from tests.builders import PASSWORD, build_tree, make_user
from tests.delivery.builders import assessment, plan_at, programme_and_round, with_cds
from tests.e2e.conftest import assert_accessible, click_and_wait, sign_in


@pytest.fixture
def world(transactional_db):
    tree = build_tree(regions=1, systems=1, places=1, pcns=3, practices=1, unallocated=0)
    with_cds(tree.pcns)
    programme, rnd = programme_and_round()
    assessment(rnd, tree.pcns[0])
    plan_at(programme, tree.pcns[0], "agreed")
    make_user("place@test.example", Role.PLACE_LEAD, tree.places[0])
    return tree, programme


def test_a_place_lead_uses_the_delivery_pages(page, world):
    tree, programme = world
    sign_in(page, "place@test.example", PASSWORD)
    page.goto("/delivery/")
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name="timetable for 2019/20"))
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name=f"Change Mobilisation for {tree.places[0].name}"))
    assert_accessible(page)
    page.locator("#ends_on-day").fill("40")
    click_and_wait(page, page.get_by_role("button", name="Save dates"))
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)
    page.locator("#ends_on-day").fill("20")
    click_and_wait(page, page.get_by_role("button", name="Save dates"))
    assert "20 October 2019" in page.content()
    assert_accessible(page)
    page.goto(f"/delivery/programmes/{programme.pk}/journey/")
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name=tree.pcns[0].name))
    assert page.locator(".nhsuk-task-list").is_visible()
    assert_accessible(page)
    page.goto(f"/delivery/programmes/{programme.pk}/overdue/")
    assert "Release the funds" in page.content()
    assert_accessible(page)
