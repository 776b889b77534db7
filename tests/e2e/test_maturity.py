"""Self-assessment in the browser: a practice lead rates, the CD agrees the consensus, a place lead compares.

axe-core runs on every page visited, error states included.
"""

import pytest

from pcndev.accounts.models import Role
from pcndev.maturity.models import PCNAssessment, Response
from tests.builders import PASSWORD, build_tree, make_user
from tests.e2e.conftest import assert_accessible, click_and_wait, sign_in
from tests.maturity.builders import (
    elements_of,
    make_round,
    open_round_now,
    practice_response,
    submitted_assessment,
)

ROUND = "September 2019"


@pytest.fixture
def world(transactional_db):
    """One place with two PCNs of three practices; an England-wide round open today.

    PCN 0's practices 1 and 2 have submitted ratings two stages apart on every element (divergent);
    PCN 1 has submitted its consensus, so oversight users can see it.
    """
    tree = build_tree(regions=1, systems=1, places=1, pcns=2, practices=3, unallocated=0)
    rnd = open_round_now(make_round(ROUND))
    pcn, other = tree.pcns
    practices = tree.practices[:3]
    assessment, _ = PCNAssessment.objects.get_or_create(round=rnd, pcn=pcn)
    practice_response(assessment, practices[1], stages=(0, 1), submitted=True)
    practice_response(assessment, practices[2], stages=(2, 3), submitted=True)
    submitted_assessment(rnd, other, stages=(1, 2), priority="Frail older people at home")
    users = {
        "lead": make_user("lead@practice.example", Role.PRACTICE_MEMBER, practices[0]),
        "cd": make_user("cd@pcn.example", Role.PCN_CD, pcn),
        "place": make_user("place@ccg.example", Role.PLACE_LEAD, tree.places[0]),
    }
    return {"tree": tree, "round": rnd, "pcn": pcn, "other": other, "practices": practices, "users": users}


def _open_pcn(page, pcn) -> None:
    """From the signed-in landing page: Self-assessment → the round → the PCN; axe on each."""
    click_and_wait(page, page.get_by_role("link", name="Self-assessment", exact=True))
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name=ROUND, exact=True))
    assert page.get_by_role("heading", level=1).inner_text() == ROUND
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name=pcn.name, exact=True))
    assert page.get_by_role("heading", level=1).inner_text() == pcn.name
    assert_accessible(page)


def _element(page, element):
    return page.locator("section").filter(
        has=page.get_by_role("heading", level=2, name=element.title, exact=True)
    )


def _choose(page, element, question: str, answer: str) -> None:
    group = _element(page, element).get_by_role("group", name=question, exact=True)
    group.get_by_label(answer, exact=True).check()


def _rate(page, element, now: str, in_a_year: str, priority: str | None) -> None:
    _choose(page, element, "Where is the PCN now?", now)
    _choose(page, element, "Where do you want to be in a year?", in_a_year)
    if priority:
        _choose(page, element, "How much of a priority is moving on?", priority)


def _by_area(rnd) -> list[tuple[str, list]]:
    areas: dict[str, list] = {}
    for e in elements_of(rnd):
        areas.setdefault(e.area.title, []).append(e)
    return list(areas.items())


def test_practice_lead_rates_every_area_and_submits(page, world):
    rnd, pcn, practice = world["round"], world["pcn"], world["practices"][0]
    sign_in(page, "lead@practice.example", PASSWORD)
    _open_pcn(page, pcn)
    # The lead sees only their own practice's link: the other practices' ratings are private.
    assert not page.get_by_role("link", name="View").count()
    click_and_wait(page, page.get_by_role("link", name=f"Rate {practice.name}"))
    assert page.get_by_role("heading", level=1).inner_text() == practice.name
    assert_accessible(page)

    areas = _by_area(rnd)
    first_title, first_elements = areas[0]
    click_and_wait(page, page.get_by_role("link", name=f"Change {first_title}"))
    assert page.get_by_role("heading", level=1).inner_text() == first_title
    assert_accessible(page)

    # A target below the current stage: the error summary links to the field and the answers are kept.
    wrong = first_elements[0]
    _rate(page, wrong, "Step 2", "Step 1", "High")
    for e in first_elements[1:]:
        _rate(page, e, "Foundation", "Step 1", "High")
    click_and_wait(page, page.get_by_role("button", name="Save and continue"))
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible() and "There is a problem" in summary.inner_text()
    link = summary.get_by_role("link", name=f"{wrong.title}: Where you want to be in a year cannot be below")
    assert link.get_attribute("href") == f"#{wrong.code}-target"
    assert page.locator(f"#{wrong.code}-target").count() == 1
    assert _element(page, wrong).locator(".nhsuk-error-message").is_visible()
    group = _element(page, wrong).get_by_role("group", name="Where is the PCN now?", exact=True)
    assert group.get_by_label("Step 2", exact=True).is_checked()
    assert (
        _element(page, first_elements[1])
        .get_by_role("group", name="Where do you want to be in a year?", exact=True)
        .get_by_label("Step 1", exact=True)
        .is_checked()
    )
    assert_accessible(page)
    link.click()  # the link moves to the field in error (NHS.UK frontend's script focuses it)
    assert page.evaluate("document.activeElement.id") == f"{wrong.code}-target"

    _rate(page, wrong, "Step 1", "Step 2", "High")
    click_and_wait(page, page.get_by_role("button", name="Save and continue"))
    for index, (title, elements) in enumerate(areas[1:], start=1):
        assert page.get_by_role("heading", level=1).inner_text() == title
        assert f"area {index + 1} of {len(areas)}" in page.locator(".nhsuk-caption-l").inner_text()
        for e in elements:
            _rate(page, e, "Foundation", "Step 1", "Medium")
        assert_accessible(page)
        last = index == len(areas) - 1
        click_and_wait(
            page,
            page.get_by_role("button", name="Save and check your answers" if last else "Save and continue"),
        )

    assert page.get_by_role("heading", level=1).inner_text() == practice.name
    assert page.get_by_text("Your answers have been saved").is_visible()
    assert "Step 1" in page.get_by_role("row", name=wrong.title).inner_text()
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("button", name="Submit ratings"))
    assert page.get_by_text("Ratings submitted").is_visible()
    assert page.locator("main .nhsuk-tag", has_text="Submitted").is_visible()
    assert page.get_by_role("button", name="Change ratings").is_visible()
    assert_accessible(page)
    response = Response.objects.get(assessment__round=rnd, practice=practice)
    assert response.status == Response.Status.SUBMITTED
    assert response.ratings.count() == len(elements_of(rnd))


def test_cd_agrees_the_consensus_submits_and_reads_the_results(page, world):
    rnd, pcn, practices = world["round"], world["pcn"], world["practices"]
    sign_in(page, "cd@pcn.example", PASSWORD)
    _open_pcn(page, pcn)
    click_and_wait(page, page.get_by_role("button", name="Agree the consensus"))

    areas = _by_area(rnd)
    first = areas[0][1][0]
    section = _element(page, first)
    table = section.get_by_role("table", name=f"How each rater sees {first.title.lower()}")
    row_one = table.get_by_role("row", name=practices[1].name)
    row_two = table.get_by_role("row", name=practices[2].name)
    assert "Foundation" in row_one.inner_text() and "Step 1" in row_one.inner_text()
    assert "Step 2" in row_two.inner_text() and "Step 3" in row_two.inner_text()
    assert section.get_by_text("Ratings differ by 2 stages").is_visible()
    page.screenshot(path="/tmp/maturity-consensus.png", full_page=True)
    assert_accessible(page)

    for index, (title, elements) in enumerate(areas):
        assert page.get_by_role("heading", level=1).inner_text() == title
        for e in elements:
            _rate(page, e, "Step 1", "Step 2" if e.tag == "internal" else "Step 3", "High")
        if index:
            assert_accessible(page)
        last = index == len(areas) - 1
        click_and_wait(
            page,
            page.get_by_role(
                "button", name="Save and go to submission" if last else "Save and continue"
            ).first,
        )

    assert page.get_by_role("heading", level=1).inner_text() == "Submit the PCN's self-assessment"
    assert_accessible(page)
    # Submitting without a service-improvement priority is refused, with the NHS error summary.
    click_and_wait(page, page.get_by_role("button", name="Submit the self-assessment"))
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert (
        summary.get_by_role("link", name="Name the PCN's service-improvement priority").get_attribute("href")
        == "#improvement_priority"
    )
    assert_accessible(page)
    page.get_by_label("The PCN's service-improvement priority").fill("Frail older people living at home")
    click_and_wait(page, page.get_by_role("button", name="Submit the self-assessment"))

    assert page.get_by_role("heading", level=1).inner_text() == f"{pcn.name}: results"
    assert page.get_by_text(f"{pcn.name}'s self-assessment has been submitted").is_visible()
    chart = page.locator("main svg[role=img]")
    assert chart.count() == 1
    assert chart.get_attribute("aria-label") == f"{pcn.name}: stage now and in a year, by area"
    needs = page.get_by_role("table", name="Development needs, ranked")
    rows = needs.locator("tbody tr")
    assert rows.count() == len(elements_of(rnd))
    assert rows.first.locator("td").first.inner_text() == "1"
    assert "Internal" in rows.first.inner_text()  # internal needs rank first
    assert "Step 1 to Step 3 (2)" in rows.last.inner_text()
    page.screenshot(path="/tmp/maturity-results.png", full_page=True)
    assert_accessible(page)
    assert PCNAssessment.objects.get(round=rnd, pcn=pcn).status == PCNAssessment.Status.SUBMITTED


def test_place_lead_sees_the_heatmap_but_no_practice_ratings(page, world):
    rnd, pcn, other, practices = world["round"], world["pcn"], world["other"], world["practices"]
    sign_in(page, "place@ccg.example", PASSWORD)
    _open_pcn(page, pcn)
    assert not page.get_by_role("link", name="View").count()
    assert not page.get_by_role("link", name="Rate").count()

    for who in (practices[1].code, practices[2].code):
        for suffix in ("check/", ""):
            response = page.goto(f"/self-assessment/rounds/{rnd.pk}/pcns/{pcn.code}/rate/{who}/{suffix}")
            assert response.status == 404, (who, suffix, response.status)
    assert_accessible(page)

    page.goto(f"/self-assessment/rounds/{rnd.pk}/")
    click_and_wait(page, page.get_by_role("link", name="Heatmap of PCNs by area"))
    assert page.get_by_role("heading", level=1).inner_text() == "Maturity by PCN and area"
    heatmap = page.get_by_role("table", name="Stage per area for each PCN")
    submitted = heatmap.get_by_role("row", name=other.name)
    cells = submitted.locator("td.app-stage")
    assert cells.count() == len(_by_area(rnd))
    assert all(text.startswith("Step 1 (1.0)") for text in cells.all_inner_texts()), cells.all_inner_texts()
    assert "Not submitted yet" in heatmap.get_by_role("row", name=pcn.name).inner_text()
    for p in practices:
        assert p.name not in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_label("Place").select_option(label=world["tree"].places[0].name)
    click_and_wait(page, page.get_by_role("button", name="Show"))
    assert heatmap.get_by_role("row", name=other.name).is_visible()
    assert_accessible(page)


def test_templates_round_form_and_reopen(page, world):
    rnd, other = world["round"], world["other"]
    sign_in(page, "place@ccg.example", PASSWORD)
    click_and_wait(page, page.get_by_role("link", name="Self-assessment", exact=True))
    click_and_wait(page, page.get_by_role("link", name="Matrix templates"))
    assert page.get_by_role("heading", level=1).inner_text() == "Matrix templates"
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name=rnd.template.name, exact=True))
    assert page.get_by_role("heading", level=1).inner_text() == rnd.template.name
    assert page.get_by_role("table", name=f"{_by_area(rnd)[0][0]}: what each stage looks like").is_visible()
    assert_accessible(page)

    page.goto("/self-assessment/")
    click_and_wait(page, page.get_by_role("button", name="Open a self-assessment round"))
    assert page.get_by_role("heading", level=1).inner_text() == "Open a self-assessment round"
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("button", name="Open round"))
    summary = page.locator(".nhsuk-error-summary")
    assert summary.get_by_role("link", name="Enter a name for the round").get_attribute("href") == "#name"
    assert_accessible(page)

    page.goto(f"/self-assessment/rounds/{rnd.pk}/pcns/{other.code}/")
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("link", name="Reopen the self-assessment"))
    assert page.get_by_role("heading", level=1).inner_text() == "Reopen the self-assessment"
    assert_accessible(page)
    click_and_wait(page, page.get_by_role("button", name="Reopen"))
    assert (
        page.locator(".nhsuk-error-summary")
        .get_by_role("link", name="Enter why the self-assessment is being reopened")
        .is_visible()
    )
    assert_accessible(page)
    page.get_by_label("Why is it being reopened?").fill("The PCN merged two practices' lists")
    click_and_wait(page, page.get_by_role("button", name="Reopen"))
    assert page.get_by_text("The self-assessment has been reopened").is_visible()
    assert page.locator("main .nhsuk-tag", has_text="In progress").is_visible()
    assert_accessible(page)
    assert PCNAssessment.objects.get(round=rnd, pcn=other).status != PCNAssessment.Status.SUBMITTED
