"""The year end in the browser: a national administrator starts the year-end re-assessment from the September round
(meeting the error summary first), reads the change since the baseline, then starts 2020/21 from the dry run (a bad
total first) and reads a PCN's multi-year view. axe-core runs on every page; no JavaScript is needed."""

import pytest

from pcndev.accounts.models import Role
from pcndev.funding.models import Programme
from pcndev.maturity.models import AssessmentRound
from tests.builders import PASSWORD, make_user
from tests.e2e.conftest import assert_accessible, click_and_wait, sign_in
from tests.maturity.builders import make_round, submitted_assessment
from tests.rollover.builders import year_end

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(transactional_db):
    year = year_end()
    rnd = make_round(programme=year.programme)
    for pcn in year.tree.pcns:
        submitted_assessment(rnd, pcn, stages=(1, 2))
    make_user("admin@test.example", Role.NATIONAL_ADMIN)
    return year, rnd


def test_a_national_admin_runs_the_year_end(page, world):  # noqa: F811
    year, rnd = world
    sign_in(page, "admin@test.example", PASSWORD)
    page.goto(f"/self-assessment/rounds/{rnd.pk}/")
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("button", name="Start the year-end re-assessment"))
    assert_accessible(page)
    page.locator("#name").fill("")
    page.locator("#closes_on-day").fill("45")
    click_and_wait(page, page.get_by_role("button", name="Start the re-assessment"))
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)
    page.locator("#name").fill("March 2020 re-assessment")
    page.locator("#closes_on-day").fill("31")
    click_and_wait(page, page.get_by_role("button", name="Start the re-assessment"))
    new = AssessmentRound.objects.get(baseline=rnd)
    for pcn in year.tree.pcns[:2]:
        submitted_assessment(new, pcn, stages=(2, 3))
    page.goto(f"/self-assessment/rounds/{new.pk}/")
    assert "Change since September 2019" in page.content()
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name="Change by PCN and area"))
    assert_accessible(page)

    page.goto(f"/delivery/programmes/{year.programme.pk}/rollover/")
    assert_accessible(page)
    page.locator("#national_total").fill("0")
    click_and_wait(page, page.get_by_role("button", name="Start 2020/21"))
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible(page)
    page.locator("#national_total").fill("43,700,000")
    click_and_wait(page, page.get_by_role("button", name="Start 2020/21"))
    assert Programme.objects.filter(financial_year=2020, rolled_over_from=year.programme).exists()
    assert_accessible(page)
    page.goto(f"/delivery/pcns/{year.tree.pcns[0].code}/years/")
    assert "Carried into 2020/21" in page.content()
    assert_accessible(page)
