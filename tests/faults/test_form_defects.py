"""What the bad-input crawl found in the forms, pinned down: each was a 500, or a form that took a NUL
character, or one that came back without saying what was wrong."""

import pytest
from django.http import QueryDict
from django.test import Client

from pcndev.accounts.models import Role
from pcndev.delivery import review_forms
from pcndev.forms import NUL_MESSAGE, date_from_parts, nul_problems
from pcndev.funding.programmes import MAX_POUNDS, ProgrammeError, pounds_to_pence
from pcndev.maturity.forms import parse_entries
from pcndev.plans.forms import InitiativeForm
from pcndev.plans.transitions import transition
from tests.builders import make_user
from tests.delivery.review_builders import OCT
from tests.plans.builders import funded_world, ready_plan


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("part", ["day", "month", "year"])
def test_a_date_box_too_big_for_a_date_is_invalid_not_an_overflow(part):
    boxes = {"d[day]": "1", "d[month]": "1", "d[year]": "2020", f"d[{part}]": "9" * 40}
    assert date_from_parts(boxes, "d") == "invalid"


def test_amounts_stop_below_what_the_database_holds():
    assert pounds_to_pence(f"{MAX_POUNDS - 1:,}") == (MAX_POUNDS - 1) * 100
    with pytest.raises(ProgrammeError, match="less than £10,000,000,000"):
        pounds_to_pence("9" * 40)


def test_nul_characters_are_a_problem_on_hand_read_forms():
    post = QueryDict(mutable=True)
    post.update({"actions": "ok", "other_attendees": "a\x00b"})
    assert nul_problems(post) == [("other_attendees", NUL_MESSAGE)]
    data, problems = review_forms.parse(post, [])
    assert ("other_attendees", NUL_MESSAGE) in problems


def test_a_rating_comment_with_nul_is_a_problem(db):
    from pcndev.maturity.templates import default_template

    element = default_template().elements.select_related("area").first()
    entries, problems = parse_entries({f"{element.code}-comment": "a\x00b"}, [element], 4)
    assert entries == [] and problems == [
        (element.code, "comment", f"{element.title}: {NUL_MESSAGE.lower()}")
    ]


def test_an_output_measure_with_nul_is_an_error(db):
    form = InitiativeForm({"measure-0-description": "Sessions\x00", "measure-0-target": "6"})
    form.is_valid()
    assert form.errors["measure-0-description"] == [f"Output measure 1: {NUL_MESSAGE}"]


def test_a_round_with_a_year_that_is_not_a_number_is_a_400_with_the_message(tree):
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    for year in ("x" * 50, "-1", "9" * 40):
        response = _client(admin).post("/self-assessment/rounds/new/", {"name": "R", "financial_year": year})
        assert response.status_code == 400 and b"nhsuk-error-summary" in response.content


def test_a_plan_action_comment_too_long_says_so(db):
    w = funded_world()
    version = ready_plan(w)
    transition(version, "submit", w.cd)
    url = f"/plans/versions/{version.pk}/actions/request_changes/"
    for comment in ("x" * 10_000, "a\x00b"):
        response = _client(w.place_lead).post(url, {"comment": comment})
        assert response.status_code == 400 and b"nhsuk-error-summary" in response.content
    version.refresh_from_db()
    assert version.state == "submitted"


def test_the_review_page_of_a_plan_not_yet_released_is_refused_not_a_500(db):
    w = funded_world()
    ready_plan(w)
    response = _client(w.cd).get(
        f"/delivery/programmes/{w.programme.pk}/reviews/{w.pcn.code}/{OCT.isoformat()}/"
    )
    assert response.status_code == 403 and b"once the plan" in response.content


def test_searching_with_a_nul_character_is_a_search(tree):
    response = _client(make_user("admin@test.example", Role.NATIONAL_ADMIN)).get("/search/", {"q": "R0\x00"})
    assert response.status_code == 200


@pytest.mark.parametrize("url_part", ["list-size", "ledger"])
def test_funding_date_boxes_too_big_for_a_date_are_messages(tree, url_part):
    from pcndev.funding.programmes import create_programme
    from tests.builders import AS_OF

    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    client = _client(admin)
    if url_part == "list-size":
        post = {"name": "P", "financial_year": "2030", "national_total": "1", "cd_share": "10"}
        post |= {
            "list_size_date[day]": "9" * 40,
            "list_size_date[month]": "4",
            "list_size_date[year]": "2019",
        }
        response = client.post("/funding/new/", post | {"cd_split": "per-pcn", "basis": "list-size"})
        assert response.status_code in (200, 400) and b"nhsuk-error-summary" in response.content
    else:
        programme = create_programme("P", 2019, 1_000_00, AS_OF)
        boxes = {"date_from[day]": "9" * 40, "date_from[month]": "1", "date_from[year]": "2020"}
        response = client.get(f"/funding/{programme.pk}/ledger/", boxes)
        assert response.status_code in (200, 400) and b"real date" in response.content


@pytest.mark.parametrize("description", ["x" * 301, "a\x00b"])
def test_a_cd_plan_item_too_long_or_with_nul_is_a_problem(db, description):
    from pcndev.orgs.models import ClinicalDirector
    from pcndev.plans.cd_plans import add_item
    from pcndev.plans.editing import PlanProblems
    from pcndev.plans.models import CDDevelopmentItem, CDDevelopmentPlan

    w = funded_world()
    director = ClinicalDirector.objects.create(pcn=w.pcn, name="Dr A", share_percent=100, user=w.cd)
    plan = CDDevelopmentPlan.objects.create(programme=w.programme, director=director, pcn=w.pcn)
    with pytest.raises(PlanProblems) as caught:
        add_item(plan, w.cd, "coaching", description, 1_000_00)
    assert caught.value.problems[0][0] == "description"
    assert not CDDevelopmentItem.objects.exists()
