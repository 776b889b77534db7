"""Dashboards in the browser. A place lead's dashboard answers "where do I act?" first: an overdue progress review
leads to its page; the CD submits it with an amber initiative and additional support, the revised plan is opened,
and the place lead's dashboard shows it. A national admin drills down England → region → system → place. A bad
address gets a clear error page. axe-core runs on every page."""

import pytest

from pcndev.accounts.models import Role
from pcndev.funding.ledger import post_many
from tests.builders import PASSWORD, build_tree, make_user
from tests.dashboards.builders import last_year
from tests.delivery.builders import plan_at, with_cds
from tests.e2e.conftest import assert_accessible, click_and_wait, sign_in
from tests.funding.builders import make_programme


@pytest.fixture
def world(transactional_db):
    tree = build_tree(regions=1, systems=1, places=2, pcns=2, practices=1, unallocated=0)
    with_cds(tree.pcns)
    programme = make_programme(year=last_year())
    delivering, waiting = tree.pcns[0], tree.pcns[1]
    version = plan_at(programme, delivering, "funds_released")
    version.initiatives.update(cost_pence=400_000)
    plan_at(programme, waiting, "submitted")
    post_many(
        programme,
        [dict(pcn=p, kind="allocation", amount_pence=1_000_000) for p in tree.pcns]
        + [
            dict(pcn=delivering, kind="commitment", amount_pence=400_000),
            dict(pcn=delivering, kind="release", amount_pence=400_000, reference="MOU-1"),
        ],
    )
    make_user("place@test.example", Role.PLACE_LEAD, tree.places[0])
    make_user("cd@test.example", Role.PCN_CD, delivering)
    make_user("national@test.example", Role.NATIONAL_ADMIN)
    return tree, programme, delivering, waiting


def _sign_out(page) -> None:
    click_and_wait(page, page.get_by_role("button", name="Sign out"))


def test_a_place_lead_acts_on_an_overdue_review_from_the_dashboard(page, world):
    tree, programme, delivering, waiting = world
    october = f"31 October {programme.financial_year}"
    sign_in(page, "place@test.example", PASSWORD)
    click_and_wait(page, page.get_by_role("link", name="Dashboard", exact=True))
    assert page.url.endswith(f"/dashboards/{programme.pk}/place/{tree.places[0].code}/")
    assert_accessible(page)
    assert page.get_by_role("heading", level=2).first.inner_text() == "Where you need to act"
    waiting_list = page.locator("#awaiting")
    assert "Agree the plan" in waiting_list.inner_text() and waiting.name in waiting_list.inner_text()
    overdue = page.locator("#overdue")
    assert f"Submit the progress review due {october}" in overdue.inner_text()
    assert overdue.get_by_role("link", name=f"Release the funds ({waiting.name})").is_visible()

    review_link = overdue.get_by_role(
        "link", name=f"Submit the progress review due {october} ({delivering.name})"
    )
    click_and_wait(page, review_link)
    assert page.get_by_role("heading", name=f"Progress review due {october}").is_visible()
    assert_accessible(page)
    review_url = page.url
    _sign_out(page)

    sign_in(page, "cd@test.example", PASSWORD)
    click_and_wait(page, page.get_by_role("link", name="Dashboard", exact=True))
    assert page.get_by_role("heading", name="Your PCN's pages").is_visible()
    assert_accessible(page)
    page.goto(review_url)
    page.get_by_role("radio", name="In progress").check()
    page.get_by_role("radio", name="Amber: at risk").check()
    page.get_by_label("Reason for the rating").fill("The analyst started late")
    page.get_by_label("Spend to date").fill("1000")
    page.locator("#meeting_date-day").fill("28")
    page.locator("#meeting_date-month").fill("10")
    page.locator("#meeting_date-year").fill(str(programme.financial_year))
    page.get_by_label("The PCN's clinical director").check()
    page.get_by_label("The place lead").check()
    page.locator("#additional_support").fill("Backfill for the analyst's training")
    click_and_wait(page, page.get_by_role("button", name="Submit the review"))
    assert "opened as a revision" in page.content()
    assert_accessible(page)
    _sign_out(page)

    sign_in(page, "place@test.example", PASSWORD)
    page.goto(f"/dashboards/{programme.pk}/place/{tree.places[0].code}/")
    assert_accessible(page)
    assert f"Submit the progress review due {october}" not in page.locator("#overdue").inner_text()
    rag = page.locator("#table-rag").inner_text()
    assert "Amber\t1" in rag
    plans = page.locator("#table-plans").inner_text()
    assert "Draft\t1" in plans and "Funds released\t0" in plans  # the revision is the latest version
    click_and_wait(page, page.get_by_role("link", name=delivering.name).first)
    assert_accessible(page)


def test_a_national_admin_drills_down_and_meets_a_clear_error_page(page, world):
    tree, programme, _, _ = world
    sign_in(page, "national@test.example", PASSWORD)
    page.goto("/dashboards/")
    assert page.url.endswith(f"/dashboards/{programme.pk}/national/")
    assert_accessible(page)
    for node in (tree.regions[0], tree.systems[0], tree.places[0]):
        click_and_wait(page, page.locator("#table-breakdown").get_by_role("link", name=node.name, exact=True))
        assert page.get_by_role("heading", name=f"{node.name} dashboard").is_visible()
        assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV of key figures by PCN").click()
    assert download.value.suggested_filename.endswith("-breakdown.csv")
    response = page.goto("/dashboards/?programme=abc")
    assert response.status == 400
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)
    response = page.goto(f"/dashboards/{programme.pk}/national/?table=nope&format=csv")
    assert response.status == 400
    assert_accessible(page)
    response = page.goto(f"/dashboards/{programme.pk}/place/NOWHERE/")
    assert response.status == 404
    assert_accessible(page)
