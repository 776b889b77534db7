"""A place lead follows the money from the programme to a PCN's ledger; axe on every page."""

import pytest

from pcndev.demo.build import DEMO_PASSWORD, build_demo, ensure_users
from pcndev.demo.money import build_money
from tests.e2e.conftest import assert_accessible, click_and_wait, sign_in


@pytest.fixture
def demo(transactional_db):
    build_demo()
    ensure_users()
    build_money()


def test_place_lead_follows_the_money_to_a_pcn_ledger(page, demo):
    sign_in(page, "place.lead@pcndev.example", DEMO_PASSWORD)
    click_and_wait(page, page.get_by_role("link", name="Funding", exact=True))
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name="PCN development support", exact=True))
    assert page.get_by_role("cell", name="Chalkhill").is_visible()
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name="Chalkhill", exact=True))
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name="Chalkhill Central PCN"))
    main = page.locator("main").inner_text()
    assert "MOU-RBD-2019-001" in main and "CCG primary care transformation budget" in main
    assert_accessible(page)
    page.get_by_label("Show").select_option("release")
    click_and_wait(page, page.get_by_role("button", name="Filter"))
    rows = page.get_by_role("table", name="Ledger entries").locator("tbody tr")
    assert rows.count() == 1 and "£20,000.00" in rows.first.inner_text()
    assert_accessible(page)


def test_system_lead_compares_scenarios_and_reads_a_run(page, demo):
    sign_in(page, "system.lead@pcndev.example", DEMO_PASSWORD)
    page.goto("/funding/")
    click_and_wait(page, page.get_by_role("link", name="PCN development support", exact=True))
    click_and_wait(page, page.get_by_role("link", name="Compare allocation scenarios"))
    assert_accessible(page)
    page.get_by_label("Amount to share, in pounds").fill("-1")
    click_and_wait(page, page.get_by_role("button", name="Compare"))
    assert page.get_by_text("There is a problem").is_visible()
    assert_accessible(page)
    page.get_by_label("Amount to share, in pounds").fill("1,134,000")
    click_and_wait(page, page.get_by_role("button", name="Compare"))
    assert page.get_by_role("cell", name="Chalkhill Central PCN").is_visible()
    assert_accessible(page)
    page.goto("/funding/")
    click_and_wait(page, page.get_by_role("link", name="PCN development support", exact=True))
    click_and_wait(page, page.get_by_role("link", name="Version 1 for QZ1"))
    assert page.get_by_role("heading", level=1).inner_text() == "Allocation version 1 for QZ1"
    assert_accessible(page)


def test_national_admin_sets_up_the_2020_programme(page, demo):
    sign_in(page, "admin@pcndev.example", DEMO_PASSWORD)
    page.goto("/funding/")
    click_and_wait(page, page.get_by_role("button", name="Set up a programme"))
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("button", name="Set up programme"))
    assert page.get_by_text("There is a problem").is_visible()
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("PCN development support")
    page.get_by_label("Financial year it starts").fill("2020")
    page.get_by_label("National total").fill("43,700,000")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year", exact=True).fill("2020")
    click_and_wait(page, page.get_by_role("button", name="Set up programme"))
    assert page.get_by_role("heading", level=1).inner_text() == "PCN development support", page.locator(
        "main"
    ).inner_text()
    assert "Access: total triage" in page.locator("main").inner_text()
    assert_accessible(page)


def test_system_lead_allocates_and_place_lead_tops_up_in_the_browser(page, demo):
    sign_in(page, "system.lead@pcndev.example", DEMO_PASSWORD)
    page.goto("/funding/")
    click_and_wait(page, page.get_by_role("link", name="PCN development support", exact=True))
    click_and_wait(page, page.get_by_role("link", name="Allocate money"))
    assert_accessible(page)
    page.get_by_label("Amount", exact=True).fill("1,200,000")
    page.get_by_label("Equally per PCN").check()
    click_and_wait(page, page.get_by_role("button", name="Preview"))
    assert page.get_by_text("Preview: £1,200,000.00 by equal").is_visible()
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("button", name="Save this allocation"))
    assert page.get_by_role("heading", level=1).inner_text() == "Allocation version 2 for QZ1", page.locator(
        "main"
    ).inner_text()[:600]
    assert page.get_by_text("Changes since version 1").is_visible()
    assert_accessible(page)

    page.goto("/funding/")
    click_and_wait(page, page.get_by_role("link", name="PCN development support", exact=True))
    click_and_wait(page, page.get_by_role("link", name="Riverbank and Downs Health and Care Partnership"))
    click_and_wait(
        page,
        page.get_by_role("link", name="Add a top-up for Riverbank and Downs Health and Care Partnership"),
    )
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("button", name="Add top-up"))
    assert page.get_by_text("There is a problem").is_visible()
    assert_accessible(page)
    page.get_by_label("Amount", exact=True).fill("50,000")
    page.get_by_label("Where the money comes from").fill("ICS transformation fund")
    click_and_wait(page, page.get_by_role("button", name="Add top-up"))
    assert page.get_by_text(
        "The top-up for Riverbank and Downs Health and Care Partnership was added"
    ).is_visible()
    assert_accessible(page)


def test_place_lead_searches_the_ledger_then_releases_spends_returns_and_reverses(page, demo):
    sign_in(page, "place.lead@pcndev.example", DEMO_PASSWORD)
    page.goto("/funding/")
    click_and_wait(page, page.get_by_role("link", name="PCN development support", exact=True))
    click_and_wait(page, page.get_by_role("link", name="Ledger history"))
    assert page.get_by_role("heading", level=1).inner_text() == "Ledger"
    assert_accessible(page)
    page.get_by_label("Kind of entry").select_option("release")
    click_and_wait(page, page.get_by_role("button", name="Apply filters"))
    rows = page.locator("table tbody tr")
    assert rows.count() == 1 and "MOU-RBD-2019-001" in rows.first.inner_text()
    assert_accessible(page)
    dates = page.get_by_role("group", name="From date")
    dates.get_by_label("Day").fill("31")
    dates.get_by_label("Month").fill("2")
    dates.get_by_label("Year").fill("2020")
    click_and_wait(page, page.get_by_role("button", name="Apply filters"))
    summary = page.locator(".nhsuk-error-summary")
    assert "From date must be a real date, like 15 1 2020" in summary.inner_text()
    assert_accessible(page)

    click_and_wait(page, page.get_by_role("link", name="Clear filters"))
    click_and_wait(page, page.get_by_role("link", name="Chalkhill Central PCN").first)
    click_and_wait(page, page.get_by_role("link", name="Record a release to the payee"))
    assert_accessible(page)

    def fill_entry(amount, reference=""):
        page.get_by_label("Amount", exact=True).fill(amount)
        page.get_by_label("Day").fill("1")
        page.get_by_label("Month").fill("2")
        page.get_by_label("Year").fill("2020")
        if reference:
            page.get_by_label("MOU reference").fill(reference)

    fill_entry("10,000.01", "MOU-RBD-2019-002")
    click_and_wait(page, page.get_by_role("button", name="Record release"))
    assert "Cannot release £10,000.01: only £10,000.00 of committed money has not been released yet" in (
        page.locator(".nhsuk-error-summary").inner_text()
    )
    assert_accessible(page)
    fill_entry("5,000", "MOU-RBD-2019-002")
    click_and_wait(page, page.get_by_role("button", name="Record release"))
    assert page.get_by_text("The release of £5,000.00 to").is_visible()
    assert_accessible(page)

    click_and_wait(page, page.get_by_role("link", name="Record spend"))
    assert_accessible(page)
    fill_entry("2,000")
    click_and_wait(page, page.get_by_role("button", name="Record spend"))
    assert page.get_by_text("Spend of £2,000.00 was recorded").is_visible()
    click_and_wait(page, page.get_by_role("link", name="Record underspend returned"))
    assert_accessible(page)
    fill_entry("500")
    click_and_wait(page, page.get_by_role("button", name="Record return"))
    assert page.get_by_text("The return of £500.00 of underspend was recorded").is_visible()
    assert_accessible(page)

    click_and_wait(page, page.get_by_role("link", name="spend reported of £2,000.00"))
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("button", name="Reverse this entry"))
    assert "Say why this entry is being reversed" in page.locator(".nhsuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Why is it being reversed?").fill("Reported against the wrong PCN")
    click_and_wait(page, page.get_by_role("button", name="Reverse this entry"))
    assert page.get_by_text("(spend reported, £2,000.00) was reversed").is_visible()
    assert page.get_by_role("cell", name="Reversed", exact=True).is_visible()
    assert_accessible(page)
