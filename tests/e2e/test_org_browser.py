"""A region lead signs in, browses region → practice, searches, and defines a place; axe on every page."""

import pytest

from pcndev.demo.build import DEMO_PASSWORD, build_demo, ensure_users
from pcndev.orgs.models import Place
from tests.e2e.conftest import assert_accessible, click_and_wait, sign_in


@pytest.fixture
def demo(transactional_db):
    build_demo()
    ensure_users()


def test_browse_search_and_define_a_place(page, demo):
    sign_in(page, "region.lead@pcndev.example", DEMO_PASSWORD)
    assert_accessible(page)

    click_and_wait(page, page.get_by_role("link", name="South Coast and Downs (demo region)"))
    assert page.get_by_role("heading", level=1).inner_text() == "South Coast and Downs (demo region)"
    assert_accessible(page)

    click_and_wait(page, page.get_by_role("link", name="Riverbank and Downs Health and Care Partnership"))
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name="Chalkhill", exact=True))
    assert page.get_by_role("heading", level=1).inner_text() == "Chalkhill"
    assert_accessible(page)

    click_and_wait(page, page.get_by_role("link", name="Chalkhill Central PCN"))
    page.wait_for_url("**/organisations/pcns/U90001/")
    assert "Dr Clare Director" in page.locator("main").inner_text(), page.locator("main").inner_text()
    assert_accessible(page)

    click_and_wait(page, page.locator("table a").first)
    assert page.get_by_text("GP practice Z9").is_visible()
    assert_accessible(page)
    breadcrumbs = page.locator("nav.nhsuk-breadcrumb")
    assert "Chalkhill Central PCN" in breadcrumbs.inner_text()

    page.goto("/search/?q=U90001")
    assert page.get_by_role("link", name="Chalkhill Central PCN").is_visible()
    assert_accessible(page)

    page.goto("/organisations/systems/QZ1/places/")
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("button", name="Define a new place"))
    click_and_wait(
        page, page.get_by_role("button", name="Save place")
    )  # empty form: the error summary appears
    assert page.get_by_text("There is a problem").is_visible()
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Harbour Quarter")
    page.get_by_label("Code", exact=True).fill("RBD-HARBOUR")
    page.get_by_label("Riverbank North PCN (U90017)", exact=False).check()
    click_and_wait(page, page.get_by_role("button", name="Save place"))
    page.wait_for_url("**/organisations/places/RBD-HARBOUR/")
    assert page.get_by_role("heading", level=1).inner_text() == "Harbour Quarter"
    assert page.get_by_role("link", name="Riverbank North PCN").is_visible()
    assert_accessible(page)
    assert Place.objects.get(code="RBD-HARBOUR").pcns.get().code == "U90017"


def test_a_clinical_director_cannot_open_another_pcn(page, demo):
    sign_in(page, "cd@pcndev.example", DEMO_PASSWORD)
    response = page.goto("/organisations/pcns/U90002/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert_accessible(page)
    page.goto("/")
    assert_accessible(page)


def test_every_remaining_page_type_is_accessible(page, demo):
    sign_in(page, "admin@pcndev.example", DEMO_PASSWORD)
    page.goto("/organisations/")
    assert page.get_by_role("heading", level=1).inner_text() == "England"
    assert_accessible(page)
    page.goto("/organisations/systems/QZ1/places/RBD-CHALKHILL/")
    assert page.get_by_role("heading", level=1).inner_text() == "Change Chalkhill"
    assert page.get_by_label("Chalkhill Central PCN (U90001)", exact=False).is_checked()
    assert_accessible(page)
    page.goto("/organisations/places/99A/")  # a CCG place holding practices that are not in a PCN
    assert page.get_by_role("heading", name="Practices not in a PCN").is_visible()
    assert_accessible(page)
    page.goto("/search/?q=no-such-organisation")
    assert page.get_by_text("No organisation you can see matches").is_visible()
    assert_accessible(page)


def test_a_viewer_sees_why_they_cannot_define_places(page, demo):
    sign_in(page, "viewer@pcndev.example", DEMO_PASSWORD)
    page.goto("/organisations/systems/QZ1/places/")
    assert page.get_by_text("Only a system lead for Riverbank and Downs").is_visible()
    assert_accessible(page)
    response = page.goto("/organisations/systems/QZ1/places/new/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot do this"
    assert_accessible(page)
