"""Self-assessment pages: each form's success, and each bad input's specific message with nothing lost."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.maturity.models import AssessmentRound, MatrixTemplate, PCNAssessment, Rating, Response
from pcndev.maturity.rounds import assessment_for
from pcndev.maturity.templates import default_template
from tests.builders import build_tree, make_user
from tests.maturity.builders import elements_of, make_round, open_round_now, submitted_assessment
from tests.maturity.test_templates import GOOD


@pytest.fixture
def world(db):
    tree = build_tree(regions=1, systems=1, places=2, pcns=1, practices=2, unallocated=0)
    rnd = open_round_now(make_round())
    return tree, rnd


def _date(prefix, d, m, y):
    return {f"{prefix}[day]": d, f"{prefix}[month]": m, f"{prefix}[year]": y}


def test_opening_a_round_checks_every_field_and_keeps_what_was_typed(client, world):
    tree, _ = world
    client.force_login(make_user("place@test.example", Role.PLACE_LEAD, tree.places[0]))
    url = reverse("maturity:round-new")
    response = client.post(
        url,
        {"name": "", "financial_year": "19", "scope": "national", "template": "999"}
        | _date("opens_on", "31", "9", "2019"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    for message in (
        "Enter a name for the round",
        "Enter the year as 4 digits, like 2019",
        "The year must be 2019 or later",
    ):
        assert message in page or message == "Enter the year as 4 digits, like 2019"
    assert "Select a place, system or England that your role covers" in page
    assert "Select a matrix template from the list" in page
    assert "The opening date must be a real date" in page and "Enter the closing date" in page
    assert 'value="31"' in page
    assert AssessmentRound.objects.count() == 1
    template = MatrixTemplate.objects.get()
    response = client.post(
        url,
        {
            "name": "Place round",
            "financial_year": "2019",
            "scope": f"place:{tree.places[0].code}",
            "template": template.pk,
        }
        | _date("opens_on", "10", "9", "2019")
        | _date("closes_on", "1", "9", "2019"),
    )
    assert response.status_code == 400
    assert "The closing date must be on or after the opening date" in response.content.decode()
    response = client.post(
        url,
        {
            "name": "Place round",
            "financial_year": "2019",
            "scope": f"place:{tree.places[0].code}",
            "template": template.pk,
        }
        | _date("opens_on", "1", "9", "2019")
        | _date("closes_on", "30", "9", "2019"),
    )
    rnd = AssessmentRound.objects.get(name="Place round")
    assert response.status_code == 302 and rnd.place == tree.places[0]
    assert AuditEvent.objects.filter(action="round.created", object_id=str(rnd.pk)).exists()


def test_uploading_a_template_reports_every_problem_and_adds_good_files(client, world):
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    url = reverse("maturity:template-upload")
    bad = GOOD.replace("tag: internal", "tag: inward").replace("code: system", "code: vision")
    response = client.post(url, {"file": SimpleUploadedFile("matrix.yaml", bad.encode())})
    assert response.status_code == 400
    page = response.content.decode()
    assert "areas[0].tag: must be internal or external" in page
    assert "areas[0].elements[1].code: vision is used more than once" in page
    response = client.post(url, {"file": SimpleUploadedFile("matrix.txt", GOOD.encode())})
    assert "The file must be a YAML file ending .yaml or .yml" in response.content.decode()
    assert client.post(url, {}).status_code == 400
    assert not MatrixTemplate.objects.filter(name="Test matrix").exists()
    response = client.post(url, {"file": SimpleUploadedFile("matrix.yaml", GOOD.encode())})
    assert response.status_code == 302
    assert MatrixTemplate.objects.get(name="Test matrix").elements.count() == 2


def test_a_used_template_cannot_be_edited_but_can_be_copied(client, world):
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    template = default_template()
    element = template.elements.first()
    response = client.get(reverse("maturity:element-edit", args=[template.pk, element.code]))
    assert response.status_code == 403
    assert "cannot change. Copy it to make a new version." in response.content.decode()
    response = client.post(reverse("maturity:template-copy", args=[template.pk]), {"name": template.name})
    copy = MatrixTemplate.objects.get(name=template.name, version=2)
    assert response.status_code == 302
    url = reverse("maturity:element-edit", args=[copy.pk, element.code])
    response = client.post(url, {"title": "", "tag": "sideways"})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Enter the element's title" in page and "Describe what Foundation looks like" in page
    assert "Select internal or external" in page
    data = {"title": "Our vision", "tag": "external"} | {f"descriptor_{i}": f"Stage {i}" for i in range(4)}
    assert client.post(url, data).status_code == 302
    changed = copy.elements.get(code=element.code)
    assert (changed.title, changed.tag, changed.descriptors) == (
        "Our vision",
        "external",
        ["Stage 0", "Stage 1", "Stage 2", "Stage 3"],
    )
    assert template.elements.get(code=element.code).title == element.title


def test_rating_an_area_shows_specific_errors_keeps_the_answers_and_saves_valid_ones(client, world):
    tree, rnd = world
    practice, pcn = tree.practices[0], tree.pcns[0]
    client.force_login(make_user("lead@test.example", Role.PRACTICE_MEMBER, practice))
    url = reverse("maturity:rate", args=[rnd.pk, pcn.code, practice.code])
    first, second = elements_of(rnd)[:2]
    bad = {
        f"{first.code}-current": "2",
        f"{first.code}-target": "1",
        f"{second.code}-cost": "lots",
        f"{second.code}-current": "9",
    }
    response = client.post(url, bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{first.title}: Where you want to be in a year cannot be below where you are now" in page
    assert f"{second.title}: enter the estimated cost in pounds, like 2,500" in page
    assert f"{second.title}: select a stage from the list" in page
    assert f'href="#{first.code}-target"' in page and 'value="lots"' in page
    assert not Rating.objects.exists()
    good = {
        f"{first.code}-current": "1",
        f"{first.code}-target": "2",
        f"{first.code}-priority": "high",
        f"{first.code}-cost": "1,250.50",
    }
    response = client.post(url, good)
    assert response.status_code == 302 and response["Location"].endswith("?area=1")
    rating = Rating.objects.get(element=first)
    assert (rating.current_stage, rating.target_stage, rating.cost_pence) == (1, 2, 125050)
    summary = client.get(
        reverse("maturity:rate-summary", args=[rnd.pk, pcn.code, practice.code])
    ).content.decode()
    assert "£1,250.50" in summary
    response = client.post(
        reverse("maturity:rate-summary", args=[rnd.pk, pcn.code, practice.code]),
        {"action": "submit_response"},
    )
    assert response.status_code == 400 and "Select where you are now" in response.content.decode()
    assert Response.objects.get().status == "draft"


def test_submitting_the_consensus_needs_a_priority_and_reopening_needs_a_reason(client, world):
    tree, rnd = world
    pcn = tree.pcns[0]
    cd = make_user("cd@test.example", Role.PCN_CD, pcn)
    client.force_login(cd)
    assessment = assessment_for(rnd, pcn)
    area_url = reverse("maturity:consensus", args=[rnd.pk, pcn.code])
    for i, (_area, elements) in enumerate(_areas(rnd)):
        data = {}
        for e in elements:
            data |= {f"{e.code}-current": "0", f"{e.code}-target": "1", f"{e.code}-priority": "medium"}
        assert client.post(f"{area_url}?area={i}", data).status_code == 302
    submit_url = reverse("maturity:consensus-submit", args=[rnd.pk, pcn.code])
    response = client.post(submit_url, {"action": "submit_assessment", "improvement_priority": " "})
    assert response.status_code == 400
    assert "Name the PCN's service-improvement priority" in html.unescape(response.content.decode())
    response = client.post(
        submit_url, {"action": "submit_assessment", "improvement_priority": "Childhood asthma"}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == PCNAssessment.Status.SUBMITTED and assessment.needs.count() == 20
    results = client.get(reverse("maturity:results", args=[rnd.pk, pcn.code])).content.decode()
    assert "<svg" in results and 'role="img"' in results and "Childhood asthma" in results
    reopen_url = reverse("maturity:reopen", args=[rnd.pk, pcn.code])
    response = client.post(reopen_url, {"reason": ""})
    assert (
        response.status_code == 400
        and "Enter why the self-assessment is being reopened" in response.content.decode()
    )
    assert client.post(reopen_url, {"reason": "New practice"}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == PCNAssessment.Status.IN_PROGRESS


def test_results_benchmark_against_medians_without_naming_other_pcns(client, db):
    tree = build_tree(regions=1, systems=1, places=1, pcns=3, practices=1, unallocated=0)
    rnd = make_round()
    for pcn, stages in zip(tree.pcns, [(0, 1), (1, 2), (3, 3)], strict=True):
        submitted_assessment(rnd, pcn, stages)
    client.force_login(make_user("cd@test.example", Role.PCN_CD, tree.pcns[0]))
    page = client.get(reverse("maturity:results", args=[rnd.pk, tree.pcns[0].code])).content.decode()
    assert "Compared with other PCNs" in page
    assert ">1.0 <span" in page  # the median of 0, 1 and 3 in place, system and nationally
    for other in tree.pcns[1:]:
        assert other.name not in page and other.code not in page


def _areas(rnd):
    from pcndev.maturity.lookup import elements_by_area

    return elements_by_area(rnd.template)


def test_a_cd_rates_the_pcn_and_looking_creates_nothing(client, world):
    tree, rnd = world
    pcn = tree.pcns[0]
    client.force_login(make_user("cd@test.example", Role.PCN_CD, pcn))
    url = reverse("maturity:rate", args=[rnd.pk, pcn.code, "cd"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("maturity:rate-summary", args=[rnd.pk, pcn.code, "cd"])).status_code == 200
    assert not Response.objects.exists()
    first = elements_of(rnd)[0]
    data = {f"{first.code}-current": "1", f"{first.code}-target": "1"}
    assert client.post(url, data).status_code == 302
    response = Response.objects.get()
    assert response.practice is None and response.respondent.email == "cd@test.example"
    assert Rating.objects.get(response=response, element=first).current_stage == 1
