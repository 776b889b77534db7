"""A committee paper prepared in the background, in the browser: the place lead asks for the PDF, the page says it
is being prepared, a worker runs the task, "Check again" shows the download and the stored PDF downloads.

axe-core runs on every state of the page.
"""

import pytest
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.ops.worker import run_enqueued
from pcndev.orgs.models import PCN
from pcndev.papers.models import PreparedPaper
from tests.builders import PASSWORD, make_user
from tests.e2e.conftest import assert_accessible, click_and_wait, sign_in
from tests.papers.builders import add_plan, funded_place


@pytest.fixture
def world(transactional_db):
    w = funded_place(pcns=2, practices=2)
    place = w.tree.places[0]
    for pcn in PCN.objects.filter(place=place):
        add_plan(w.programme, pcn, w.areas)
    lead = make_user("lead@test.example", Role.PLACE_LEAD, place)
    return {"url": reverse("papers:place", args=[w.programme.pk, place.code]), "lead": lead}


def test_a_place_lead_prepares_the_pdf_in_the_background_and_downloads_it(page, world):
    sign_in(page, world["lead"].email, PASSWORD)
    page.goto(world["url"])
    assert_accessible(page)
    pdf = page.locator('.app-prepared[data-format="pdf"]')
    assert pdf.get_attribute("data-state") == "none"

    page.locator("#prepared summary").click()  # the details element is closed while nothing is prepared
    click_and_wait(page, pdf.get_by_role("button", name="Prepare the PDF"))
    pdf = page.locator('.app-prepared[data-format="pdf"]')
    assert pdf.get_attribute("data-state") == "waiting"
    assert "The PDF is being prepared" in pdf.inner_text()
    assert pdf.get_by_role("link", name="Download the prepared PDF").count() == 0
    assert_accessible(page)

    assert run_enqueued() == 1  # the worker

    click_and_wait(page, pdf.get_by_role("link", name="Check again"))
    pdf = page.locator('.app-prepared[data-format="pdf"]')
    assert pdf.get_attribute("data-state") == "done"
    assert_accessible(page)
    with page.expect_download() as download_info:
        pdf.get_by_role("link", name="Download the prepared PDF").click()
    download = download_info.value
    stored = PreparedPaper.objects.get(kind="pdf")
    assert download.suggested_filename == stored.filename
    with open(download.path(), "rb") as f:
        content = f.read()
    assert content.startswith(b"%PDF") and len(content) == stored.size
