"""The self-assessment API: every endpoint's payloads and refusals, and the privacy matrix generated over every role.

The rules come from maturity/permissions.py and privacy.py (the same ones the pages use):
* a practice's ratings: only that practice's members and its PCN's clinical directors (others: 404);
* a PCN's consensus, needs and results: its clinical directors always; everyone else whose roles cover the PCN
  only once it is submitted (403 with the reason before); anyone else: 404;
* heatmaps (which name PCNs): place level and above only.
"""

import datetime
import json

import pytest

from pcndev.accounts.models import Role
from pcndev.maturity.assessing import today
from pcndev.maturity.models import (
    AssessmentRound,
    ConsensusRating,
    DevelopmentNeed,
    MatrixTemplate,
    PCNAssessment,
    Rating,
    Response,
)
from pcndev.maturity.template_spec import load_spec
from pcndev.maturity.templates import default_template
from pcndev.orgs.models import PCN
from tests.accounts.test_access_matrix import ROLE_CASES, _expected, _holder
from tests.builders import build_tree, make_user
from tests.maturity.builders import (
    elements_of,
    make_round,
    open_round_now,
    practice_response,
    submitted_assessment,
)

API = "/api/v1/maturity"
SMALL = """
name: Small matrix
stages: [Foundation, Step 1, Step 2]
areas:
  - code: leadership
    title: Leadership
    tag: internal
    elements:
      - code: vision
        title: Vision
        descriptors: ["Starting", "Going", "Done"]
      - code: partners
        title: Partners
        tag: external
        descriptors: ["Starting", "Going", "Done"]
  - code: care
    title: Care
    tag: external
    elements:
      - code: frailty
        title: Frailty
        descriptors: ["Starting", "Going", "Done"]
"""


def _send(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _post(client, url, body=None):
    return _send(client, "post", url, {} if body is None else body)


def _put(client, url, body):
    return _send(client, "put", url, body)


def _pcn_url(rnd, pcn, rest=""):
    return f"{API}/rounds/{rnd.pk}/pcns/{pcn.code}{rest}"


def _full(elements, current=0, target=1, priority="high"):
    return [
        {"element": e.code, "current_stage": current, "target_stage": target, "priority": priority}
        for e in elements
    ]


@pytest.fixture
def world(db):
    """Two regions, each with one system, one place and two PCNs of two practices; an England round open now."""
    tree = build_tree(regions=2, systems=1, places=1, pcns=2, practices=2, unallocated=0)
    rnd = open_round_now(make_round("September"))
    return tree, rnd


def _login(client, email, role=None, node=None):
    user = make_user(email, role, node)
    client.force_login(user)
    return user


# --- Templates ---------------------------------------------------------------------------------------------


def test_templates_list_detail_and_yaml(client, db):
    template = default_template()
    make_round(template=template)
    _login(client, "cd@test.example")
    listed = client.get(f"{API}/templates").json()
    assert listed == [
        {
            "id": template.pk,
            "name": "PCN maturity matrix",
            "version": 1,
            "description": template.description,
            "based_on": None,
            "in_use": True,
        }
    ]
    detail = client.get(f"{API}/templates/{template.pk}").json()
    assert detail["stages"] == ["Foundation", "Step 1", "Step 2", "Step 3"]
    assert len(detail["areas"]) == 5 and sum(len(a["elements"]) for a in detail["areas"]) == 20
    first = detail["areas"][0]
    assert (first["code"], first["tag"]) == ("leadership", "internal")
    system = next(e for e in first["elements"] if e["code"] == "leadership-system")
    assert system["tag"] == "external" and len(system["descriptors"]) == 4
    text = client.get(f"{API}/templates/{template.pk}/yaml")
    assert text.status_code == 200 and text["Content-Type"].startswith("application/yaml")
    spec = load_spec(text.content)
    assert (spec.name, spec.version, spec.element_count) == ("PCN maturity matrix", 1, 20)
    assert client.get(f"{API}/templates/{template.pk + 99}").status_code == 404
    assert client.get(f"{API}/templates/{template.pk + 99}/yaml").status_code == 404


def test_uploading_a_template_lists_every_problem(client, db):
    _login(client, "place@test.example", Role.PLACE_LEAD, build_tree().places[0])
    refused = _post(client, f"{API}/templates", {"yaml": SMALL})
    assert refused.status_code == 403
    assert (
        refused.json()["detail"]
        == "Only a system, region or national lead can create or change matrix templates."
    )

    _login(client, "admin@test.example", Role.NATIONAL_ADMIN)
    made = _post(client, f"{API}/templates", {"yaml": SMALL})
    assert made.status_code == 201
    body = made.json()
    assert (body["name"], body["version"], body["stages"]) == (
        "Small matrix",
        1,
        ["Foundation", "Step 1", "Step 2"],
    )
    assert [e["tag"] for a in body["areas"] for e in a["elements"]] == ["internal", "external", "external"]
    assert MatrixTemplate.objects.filter(name="Small matrix").count() == 1

    bad = SMALL.replace("code: vision", "code: Vision!").replace(
        '["Starting", "Going", "Done"]', '["Only one"]', 1
    )
    bad = bad.replace("tag: external\n    elements", "tag: sideways\n    elements")
    wrong = _post(client, f"{API}/templates", {"yaml": bad})
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "Check the matrix template"
    assert wrong.json()["reasons"] == [
        "areas[0].elements[0].descriptors: expected 3 descriptors, one per stage, found 1",
        "areas[0].elements[0].code: must be lowercase letters, digits and hyphens (up to 40), e.g. leadership",
        "areas[1].tag: must be internal or external",
    ]
    assert [p["field"] for p in wrong.json()["problems"]] == ["yaml"] * 3

    again = _post(client, f"{API}/templates", {"yaml": SMALL + "version: 1\n"})
    assert again.status_code == 400 and again.json()["reasons"] == [
        "version: Small matrix already has version 1; leave version out to add version 2"
    ]
    broken = _post(client, f"{API}/templates", {"yaml": "name: [unclosed"})
    assert broken.json()["reasons"] == ["the file: is not valid YAML at line 1, column 16"]
    empty = _post(client, f"{API}/templates", {"yaml": "  "})
    assert empty.json()["reasons"] == ["the file: is empty"]
    huge = _post(client, f"{API}/templates", {"yaml": "#" * (256 * 1024 + 1)})
    assert huge.status_code == 400 and huge.json()["reasons"] == ["the file: is larger than 256 KB"]
    assert MatrixTemplate.objects.filter(name="Small matrix").count() == 1
    assert _post(client, f"{API}/templates", {}).status_code == 422  # no yaml field at all


def test_copying_a_template(client, db):
    template = default_template()
    _login(client, "cd@test.example", Role.PCN_CD, build_tree().pcns[0])
    refused = _post(client, f"{API}/templates/{template.pk}/copy", {"name": "Local"})
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Only a system, region")

    _login(client, "system@test.example", Role.SYSTEM_LEAD, PCN.objects.first().place.system)
    local = _post(client, f"{API}/templates/{template.pk}/copy", {"name": "  Local matrix "})
    assert local.status_code == 201
    assert (local.json()["name"], local.json()["version"], local.json()["based_on"]) == (
        "Local matrix",
        1,
        template.pk,
    )
    assert len(local.json()["areas"]) == 5
    version = _post(client, f"{API}/templates/{template.pk}/copy", {"name": template.name}).json()
    assert (version["name"], version["version"]) == (template.name, 2)
    blank = _post(client, f"{API}/templates/{template.pk}/copy", {"name": " "})
    assert blank.status_code == 400 and blank.json()["reasons"] == ["Enter a name for the new template"]
    long = _post(client, f"{API}/templates/{template.pk}/copy", {"name": "x" * 201})
    assert long.status_code == 400 and long.json()["reasons"] == ["The name must be 200 characters or fewer"]
    assert _post(client, f"{API}/templates/{template.pk + 99}/copy", {"name": "X"}).status_code == 404


# --- Rounds ------------------------------------------------------------------------------------------------


def test_opening_rounds(client, db):
    tree = build_tree(regions=1, systems=1, places=2, pcns=1, practices=1, unallocated=0)
    template = default_template()
    body = {"name": "Autumn", "template": template.pk, "financial_year": 2020, "scope": "national"}

    _login(client, "cd@test.example", Role.PCN_CD, tree.pcns[0])
    refused = _post(client, f"{API}/rounds", body)
    assert refused.status_code == 403
    assert (
        refused.json()["detail"]
        == "Only a place, system, region or national lead can open a self-assessment round."
    )

    _login(client, "admin@test.example", Role.NATIONAL_ADMIN)
    made = _post(client, f"{API}/rounds", body)
    assert made.status_code == 201
    out = made.json()
    assert out["name"] == "Autumn" and out["scope"] == "England" and out["year_label"] == "2020/21"
    assert (out["opens_on"], out["closes_on"]) == ("2020-09-01", "2020-09-30")
    assert out["template"] == template.pk and out["template_name"] == "PCN maturity matrix (version 1)"

    place = tree.places[0]
    _login(client, "place@test.example", Role.PLACE_LEAD, place)
    local = _post(
        client,
        f"{API}/rounds",
        body
        | {
            "scope": f"place:{place.code}",
            "opens_on": "2020-10-01",
            "closes_on": "2020-10-15",
            "baseline": out["id"],
        },
    )
    assert local.status_code == 201
    assert (local.json()["scope"], local.json()["opens_on"], local.json()["baseline"]) == (
        place.name,
        "2020-10-01",
        out["id"],
    )
    wrong = _post(
        client,
        f"{API}/rounds",
        body | {"name": " ", "opens_on": "2020-10-15", "closes_on": "2020-10-01"},
    )
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "Check the round"
    assert [(p["field"], p["message"]) for p in wrong.json()["problems"]] == [
        ("name", "Enter a name for the round"),
        ("closes_on", "The closing date must be on or after the opening date"),
        ("scope", "Select a place, system or England that your role covers"),
    ]
    other_place = _post(client, f"{API}/rounds", body | {"scope": f"place:{tree.places[1].code}"})
    assert other_place.json()["reasons"] == ["Select a place, system or England that your role covers"]
    missing = _post(
        client,
        f"{API}/rounds",
        body | {"name": "x" * 201, "template": template.pk + 99, "baseline": 999, "financial_year": 2018},
    )
    assert missing.status_code == 400 and missing.json()["reasons"] == [
        f"There is no matrix template {template.pk + 99}",
        "There is no round 999",
        "The name must be 200 characters or fewer",
        "The year must be 2019 or later, before 2100",
    ]
    small = _login(client, "admin2@test.example", Role.NATIONAL_ADMIN)
    other = _post(client, f"{API}/templates", {"yaml": SMALL}).json()
    mismatched = _post(client, f"{API}/rounds", body | {"template": other["id"], "baseline": out["id"]})
    assert mismatched.json()["reasons"] == ["A re-assessment must use the same matrix as its baseline round"]
    assert AssessmentRound.objects.filter(created_by=small).count() == 0


def test_rounds_are_listed_and_read_only_where_the_user_has_a_part(client, world):
    tree, england = world
    own, sibling, far = tree.pcns[0], tree.pcns[1], tree.pcns[2]
    far_round = make_round("Far place only", place=far.place)
    practice_response(PCNAssessment.objects.create(round=england, pcn=own), tree.practices[0], submitted=True)
    practice_response(PCNAssessment.objects.get(round=england, pcn=own), tree.practices[1])
    submitted_assessment(england, sibling)

    _login(client, "cd@test.example", Role.PCN_CD, own)
    assert [r["id"] for r in client.get(f"{API}/rounds").json()] == [england.pk]
    assert client.get(f"{API}/rounds/{far_round.pk}").status_code == 404
    assert client.get(f"{API}/rounds/{far_round.pk + 99}").status_code == 404
    detail = client.get(f"{API}/rounds/{england.pk}").json()
    assert detail["pcns"] == [
        {
            "code": own.code,
            "name": own.name,
            "place": own.place.code,
            "status": "in_progress",
            "submitted_at": None,
            "practices_submitted": 1,
        }
    ]
    assert detail["can_compare"] is False and detail["submitted"] == 0

    _login(client, "place@test.example", Role.PLACE_LEAD, own.place)
    assert [r["id"] for r in client.get(f"{API}/rounds").json()] == [england.pk]
    detail = client.get(f"{API}/rounds/{england.pk}").json()
    assert [(p["code"], p["status"]) for p in detail["pcns"]] == [
        (own.code, "in_progress"),
        (sibling.code, "submitted"),
    ]
    assert detail["submitted"] == 1 and detail["can_compare"] is True

    _login(client, "admin@test.example", Role.NATIONAL_ADMIN)
    assert {r["id"] for r in client.get(f"{API}/rounds").json()} == {england.pk, far_round.pk}
    assert [p["code"] for p in client.get(f"{API}/rounds/{far_round.pk}").json()["pcns"]] == [
        far.code,
        tree.pcns[3].code,
    ]


def test_a_pcn_outside_the_rounds_scope_is_not_found(client, world):
    tree, _ = world
    local = open_round_now(make_round("Local", place=tree.places[0]))
    _login(client, "admin@test.example", Role.NATIONAL_ADMIN)
    assert client.get(_pcn_url(local, tree.pcns[0])).status_code == 200
    assert client.get(_pcn_url(local, tree.pcns[2])).status_code == 404
    assert client.get(f"{API}/rounds/{local.pk}/pcns/NOPE").status_code == 404


# --- A PCN's assessment and ratings ------------------------------------------------------------------------


def test_the_assessment_summary(client, world):
    tree, rnd = world
    pcn = tree.pcns[0]
    practice, other = tree.practices[0], tree.practices[1]
    practice_response(PCNAssessment.objects.create(round=rnd, pcn=pcn), practice, submitted=True)

    _login(client, "member@test.example", Role.PRACTICE_MEMBER, practice)
    summary = client.get(_pcn_url(rnd, pcn)).json()
    assert summary["status"] == "in_progress" and summary["improvement_priority"] is None
    assert summary["is_cd"] is False
    assert summary["practices"] == [
        {
            "code": practice.code,
            "name": practice.name,
            "ratings": "submitted",
            "may_view": True,
            "is_mine": True,
        },
        {
            "code": other.code,
            "name": other.name,
            "ratings": "not_started",
            "may_view": False,
            "is_mine": False,
        },
    ]
    assert summary["lead"] == {"allowed": False, "reason": f"Only a clinical director of {pcn} can do this."}
    assert summary["consensus"] == {
        "allowed": False,
        "reason": f"{pcn} has not submitted its self-assessment yet.",
    }

    _login(client, "cd@test.example", Role.PCN_CD, pcn)
    summary = client.get(_pcn_url(rnd, pcn)).json()
    assert summary["is_cd"] is True and summary["lead"] == {"allowed": True, "reason": ""}
    assert [p["may_view"] for p in summary["practices"]] == [True, True]
    assert summary["improvement_priority"] == ""
    assert summary["reopen"] == {"allowed": False, "reason": "The self-assessment is still open."}

    submitted_assessment(rnd, pcn, priority="Frail older people")
    _login(client, "member2@test.example", Role.PRACTICE_MEMBER, practice)
    summary = client.get(_pcn_url(rnd, pcn)).json()
    assert summary["status"] == "submitted" and summary["improvement_priority"] == "Frail older people"
    assert summary["submitted_at"] is not None


def test_a_practice_rates_submits_and_reopens_its_ratings(client, world):
    tree, rnd = world
    pcn, practice = tree.pcns[0], tree.practices[0]
    elements = elements_of(rnd)
    url = _pcn_url(rnd, pcn, f"/ratings/{practice.code}")
    member = _login(client, "member@test.example", Role.PRACTICE_MEMBER, practice)

    empty = client.get(url).json()
    assert empty["status"] == "not_started" and empty["practice"] == practice.code
    assert empty["rater"] == practice.name
    assert len(empty["ratings"]) == 20 and all(r["current_stage"] is None for r in empty["ratings"])
    assert [a["action"] for a in empty["actions"]] == ["submit_response"]
    assert not Response.objects.exists()

    early = _post(client, f"{url}/submit")
    assert early.status_code == 400 and early.json()["detail"] == "The ratings are not complete"
    assert len(early.json()["problems"]) == 40  # where you are now and where you want to be, for each element
    assert early.json()["reasons"][0] == f"{elements[0].title}: Select where you are now"
    assert not Response.objects.exists(), "a refused write leaves nothing behind"

    first = elements[0]
    saved = _put(
        client,
        url,
        [
            {
                "element": first.code,
                "current_stage": 1,
                "target_stage": 3,
                "priority": "high",
                "support_needed": "  Coaching ",
                "cost_pence": 250_000,
                "comment": "Minutes of the board",
            }
        ],
    )
    assert saved.status_code == 200
    body = saved.json()
    assert body["status"] == "draft" and body["changed"] == 1
    assert body["ratings"][0] == {
        "element": first.code,
        "area": first.area.code,
        "current_stage": 1,
        "target_stage": 3,
        "priority": "high",
        "support_needed": "Coaching",
        "cost_pence": 250_000,
        "comment": "Minutes of the board",
    }
    response = Response.objects.get()
    assert response.practice == practice and response.respondent == member
    assert Rating.objects.get(response=response).evidence == "Minutes of the board"
    assert client.get(url).json()["ratings"][0]["current_stage"] == 1
    same = _put(
        client,
        url,
        [
            {
                "element": first.code,
                "current_stage": 1,
                "target_stage": 3,
                "priority": "high",
                "support_needed": "Coaching",
                "cost_pence": 250_000,
                "comment": "Minutes of the board",
            }
        ],
    )
    assert same.json()["changed"] == 0

    done = _put(client, url, _full(elements))
    assert done.json()["changed"] == 20
    submitted = _post(client, f"{url}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_at"] is not None
    assert [a["action"] for a in submitted.json()["actions"]] == ["reopen_response"]
    locked = _put(client, url, _full(elements, 0, 0, ""))
    assert locked.status_code == 403
    assert locked.json()["detail"] == "These ratings have been submitted. Choose 'Change ratings' first."
    twice = _post(client, f"{url}/submit")
    assert twice.status_code == 403 and twice.json()["detail"].startswith("This is submitted")

    reopened = _post(client, f"{url}/reopen")
    assert reopened.status_code == 200 and reopened.json()["status"] == "draft"
    assert _put(client, url, _full(elements, 0, 0, "")).json()["changed"] == 20
    assert _post(client, f"{url}/submit").status_code == 200

    submitted_assessment(rnd, pcn)
    frozen = _post(client, f"{url}/reopen")
    assert frozen.status_code == 403
    assert frozen.json()["detail"] == f"{pcn} has submitted its self-assessment, so ratings are locked."


def test_ratings_values_are_checked(client, world):
    tree, rnd = world
    pcn, practice = tree.pcns[0], tree.practices[0]
    a, b, c = elements_of(rnd)[:3]
    url = _pcn_url(rnd, pcn, f"/ratings/{practice.code}")
    _login(client, "member@test.example", Role.PRACTICE_MEMBER, practice)
    unknown = _put(
        client,
        url,
        [
            {"element": "nope", "current_stage": 0},
            {"element": a.code, "current_stage": 0},
            {"element": a.code, "current_stage": 1},
            {"element": b.code, "support_needed": "x" * 5001},
        ],
    )
    assert unknown.status_code == 400 and unknown.json()["detail"] == "Check the ratings"
    assert unknown.json()["problems"] == [
        {"element": "nope", "field": "element", "message": "There is no element nope in this matrix"},
        {"element": a.code, "field": "element", "message": f"{a.title}: is given more than once"},
        {
            "element": b.code,
            "field": "support_needed",
            "message": f"{b.title}: keep this to 5,000 characters or fewer",
        },
    ]
    wrong = _put(
        client,
        url,
        [
            {"element": a.code, "current_stage": 2, "target_stage": 1},
            {"element": b.code, "current_stage": 4, "priority": "urgent"},
            {"element": c.code, "cost_pence": -1},
        ],
    )
    assert wrong.status_code == 400
    assert wrong.json()["reasons"] == [
        f"{a.title}: Where you want to be in a year cannot be below where you are now",
        f"{b.title}: Select a stage from the list for where you are now",
        f"{b.title}: Select high, medium or low priority",
        f"{c.title}: Estimated cost cannot be negative",
    ]
    assert [p["field"] for p in wrong.json()["problems"]] == ["target", "current", "priority", "cost"]
    assert not Response.objects.exists()
    assert _put(client, url, {"element": a.code}).status_code == 422  # not a list


def test_ratings_follow_the_rounds_window(client, world):
    tree, _ = world
    pcn, practice = tree.pcns[0], tree.practices[0]
    later = make_round("Later")
    start = today() + datetime.timedelta(days=3)
    AssessmentRound.objects.filter(pk=later.pk).update(
        opens_on=start, closes_on=start + datetime.timedelta(days=9)
    )
    closed = make_round("Closed")
    _login(client, "member@test.example", Role.PRACTICE_MEMBER, practice)
    entry = [{"element": elements_of(later)[0].code, "current_stage": 0}]
    early = _put(client, _pcn_url(later, pcn, f"/ratings/{practice.code}"), entry)
    assert early.status_code == 403 and early.json()["detail"].startswith("The self-assessment opens on ")
    late = _put(client, _pcn_url(closed, pcn, f"/ratings/{practice.code}"), entry)
    assert (
        late.status_code == 403
        and late.json()["detail"] == "The self-assessment closed on 30 September 2019."
    )
    assert not Response.objects.exists()


def test_a_clinical_director_rates_as_cd_but_not_as_a_practice(client, world):
    tree, rnd = world
    pcn, practice = tree.pcns[0], tree.practices[0]
    elements = elements_of(rnd)
    cd = _login(client, "cd@test.example", Role.PCN_CD, pcn)
    url = _pcn_url(rnd, pcn, "/ratings/cd")
    assert client.get(url).json()["status"] == "not_started"
    assert not Response.objects.exists(), "reading creates nothing"
    saved = _put(client, url, _full(elements, 1, 2, "low"))
    assert saved.status_code == 200 and saved.json()["practice"] is None
    assert saved.json()["rater"] == f"{cd} (clinical director)"
    assert Response.objects.get().respondent == cd
    assert _post(client, f"{url}/submit").json()["status"] == "submitted"

    as_practice = _put(client, _pcn_url(rnd, pcn, f"/ratings/{practice.code}"), _full(elements[:1]))
    assert (
        as_practice.status_code == 403
        and as_practice.json()["detail"] == f"Only a member of {practice.name} can rate it."
    )
    assert not Response.objects.filter(practice=practice).exists(), "the refused write left nothing behind"
    assert client.get(_pcn_url(rnd, pcn, f"/ratings/{practice.code}")).status_code == 200
    assert client.get(_pcn_url(rnd, pcn, f"/ratings/{tree.practices[2].code}")).status_code == 404
    assert client.get(_pcn_url(rnd, pcn, "/ratings/NOPE")).status_code == 404

    _login(client, "cd2@test.example", Role.PCN_CD, pcn)
    assert client.get(url).json()["status"] == "not_started", "each CD has their own ratings"
    _login(client, "member@test.example", Role.PRACTICE_MEMBER, practice)
    assert client.get(url).status_code == 404
    assert _put(client, url, _full(elements[:1])).status_code == 404
    assert _post(client, f"{url}/submit").status_code == 404


# --- Consensus, needs, results -----------------------------------------------------------------------------


def test_the_consensus_side_by_side_saved_submitted_and_reopened(client, world):
    tree, rnd = world
    pcn = tree.pcns[0]
    elements = elements_of(rnd)
    assessment = PCNAssessment.objects.create(round=rnd, pcn=pcn)
    practice_response(assessment, tree.practices[0], stages=(0, 1), submitted=True)
    practice_response(assessment, tree.practices[1], stages=(2, 3))
    url = _pcn_url(rnd, pcn, "/consensus")

    _login(client, "place@test.example", Role.PLACE_LEAD, pcn.place)
    hidden = client.get(url)
    assert (
        hidden.status_code == 403
        and hidden.json()["detail"] == f"{pcn} has not submitted its self-assessment yet."
    )
    refused = _put(client, url, {"entries": _full(elements[:1])})
    assert (
        refused.status_code == 403
        and refused.json()["detail"] == f"Only a clinical director of {pcn} can do this."
    )

    _login(client, "cd@test.example", Role.PCN_CD, pcn)
    view = client.get(url).json()
    assert view["status"] == "in_progress" and view["improvement_priority"] == ""
    first = view["elements"][0]
    assert first["element"] == elements[0].code and first["current_stage"] is None
    assert {(r["rater"], r["status"], r["current_stage"]) for r in first["raters"]} == {
        (tree.practices[0].name, "submitted", 0),
        (tree.practices[1].name, "draft", 2),
    }
    assert (first["lowest"], first["highest"], first["diverges"]) == (0, 2, True)

    too_long = _put(client, url, {"improvement_priority": "x" * 301})
    assert too_long.status_code == 400 and too_long.json()["reasons"] == [
        "The service-improvement priority must be 300 characters or fewer"
    ]
    wrong = _put(
        client, url, {"entries": [{"element": elements[0].code, "current_stage": 3, "target_stage": 1}]}
    )
    assert wrong.status_code == 400 and wrong.json()["detail"] == "Check the consensus"
    assert wrong.json()["problems"][0]["element"] == elements[0].code
    unknown = _put(client, url, {"entries": [{"element": "nope"}]})
    assert unknown.json()["reasons"] == ["There is no element nope in this matrix"]

    partial = _put(client, url, {"entries": _full(elements[:-1], 1, 2, "medium")})
    assert partial.status_code == 200 and partial.json()["changed"] == 19
    incomplete = _post(client, f"{url}/submit")
    assert (
        incomplete.status_code == 400 and incomplete.json()["detail"] == "The self-assessment is not complete"
    )
    assert incomplete.json()["reasons"] == [
        f"{elements[-1].title}: Select where you are now",
        f"{elements[-1].title}: Select where you want to be",
        "Name the PCN's service-improvement priority",
    ]
    last = {
        "element": elements[-1].code,
        "current_stage": 3,
        "target_stage": 3,
        "comment": "Agreed at the board",
    }
    saved = _put(
        client, url, {"entries": [last], "improvement_priority": " Frailty ", "priority_note": "Why"}
    )
    assert saved.json()["changed"] == 3 and saved.json()["improvement_priority"] == "Frailty"
    assert saved.json()["elements"][-1]["comment"] == "Agreed at the board"
    done = _post(client, f"{url}/submit")
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    assert DevelopmentNeed.objects.filter(assessment=assessment).count() == 19
    locked = _put(client, url, {"entries": [last]})
    assert locked.status_code == 403
    assert locked.json()["detail"] == "The self-assessment has been submitted. Reopen it to make changes."
    again = _post(client, f"{url}/submit")
    assert again.status_code == 403 and again.json()["detail"].startswith("This is submitted")

    _login(client, "member@test.example", Role.PRACTICE_MEMBER, tree.practices[0])
    seen = client.get(url).json()
    assert seen["status"] == "submitted"
    assert {r["rater"] for e in seen["elements"] for r in e["raters"]} == {tree.practices[0].name}
    not_yours = _post(client, _pcn_url(rnd, pcn, "/reopen"), {"reason": "Mistake"})
    assert not_yours.status_code == 403
    assert not_yours.json()["detail"] == f"Only a clinical director of {pcn} or its place lead can reopen it."

    _login(client, "place2@test.example", Role.PLACE_LEAD, pcn.place)
    assert client.get(url).json()["elements"][0]["raters"] == []
    no_reason = _post(client, _pcn_url(rnd, pcn, "/reopen"), {"reason": "  "})
    assert no_reason.status_code == 400 and no_reason.json()["reasons"] == [
        "Enter why the self-assessment is being reopened"
    ]
    reopened = _post(client, _pcn_url(rnd, pcn, "/reopen"), {"reason": "The board met again"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "in_progress"
    assert reopened.json()["improvement_priority"] is None
    assert not DevelopmentNeed.objects.filter(assessment=assessment).exists()
    twice = _post(client, _pcn_url(rnd, pcn, "/reopen"), {"reason": "Again"})
    assert twice.status_code == 403 and twice.json()["detail"].startswith("This is in progress")


def test_needs_are_ranked_internal_first(client, world):
    tree, rnd = world
    pcn = tree.pcns[0]
    elements = elements_of(rnd)
    internal = next(e for e in elements if e.tag == "internal")
    external = next(e for e in elements if e.tag == "external")
    assessment = submitted_assessment(rnd, pcn, stages=(1, 1))
    ConsensusRating.objects.filter(assessment=assessment, element=external).update(
        target_stage=3, priority="high"
    )
    ConsensusRating.objects.filter(assessment=assessment, element=internal).update(
        target_stage=2, priority="low", support_needed="Facilitation", cost_pence=12_345
    )
    PCNAssessment.objects.filter(pk=assessment.pk).update(status="in_progress")

    cd = _login(client, "cd@test.example", Role.PCN_CD, pcn)
    assert client.get(_pcn_url(rnd, pcn, "/needs")).json() == []
    PCNAssessment.objects.filter(pk=assessment.pk).update(improvement_priority="Frailty")
    assert _post(client, _pcn_url(rnd, pcn, "/consensus/submit")).status_code == 200
    needs = client.get(_pcn_url(rnd, pcn, "/needs")).json()
    assert needs == [
        {
            "rank": 1,
            "element": internal.code,
            "title": internal.title,
            "area": internal.area.code,
            "tag": "internal",
            "current_stage": 1,
            "target_stage": 2,
            "gap": 1,
            "priority": "low",
            "support_needed": "Facilitation",
            "cost_pence": 12_345,
        },
        {
            "rank": 2,
            "element": external.code,
            "title": external.title,
            "area": external.area.code,
            "tag": "external",
            "current_stage": 1,
            "target_stage": 3,
            "gap": 2,
            "priority": "high",
            "support_needed": "",
            "cost_pence": 50_000,
        },
    ]
    assert PCNAssessment.objects.get(pk=assessment.pk).submitted_by == cd


def test_results_benchmark_and_change_since_baseline(client, world):
    tree, rnd = world
    own, sibling, far, far2 = tree.pcns
    submitted_assessment(rnd, own, stages=(1, 2))
    submitted_assessment(rnd, sibling, stages=(3, 3))
    submitted_assessment(rnd, far, stages=(0, 1))
    reassess = open_round_now(make_round("Again", template=rnd.template))
    AssessmentRound.objects.filter(pk=reassess.pk).update(baseline=rnd)

    _login(client, "cd@test.example", Role.PCN_CD, own)
    draft = PCNAssessment.objects.create(round=reassess, pcn=own)
    ConsensusRating.objects.bulk_create(
        ConsensusRating(assessment=draft, element=e, current_stage=2, target_stage=3)
        for e in elements_of(rnd)
    )
    before = client.get(_pcn_url(reassess, own, "/results")).json()
    assert before["status"] == "in_progress" and before["benchmark"] is None
    assert before["areas"][0] | {"title": None} == {
        "area": "leadership",
        "title": None,
        "tag": "internal",
        "current_stage": 2,
        "target_stage": 3,
        "current_score": 2.0,
        "target_score": 3.0,
    }
    assert before["change"][0] == {
        "area": before["areas"][0]["title"],
        "baseline_score": 1.0,
        "current_score": 2.0,
        "change": 1.0,
    }
    results = client.get(_pcn_url(rnd, own, "/results")).json()
    assert results["stages"] == ["Foundation", "Step 1", "Step 2", "Step 3"] and results["change"] is None
    assert len(results["benchmark"]) == 5
    row = results["benchmark"][0]
    assert row["area"] == "leadership" and row["pcn_score"] == 1.0
    assert (row["place_median"], row["place_count"]) == (2.0, 2)  # own and sibling share a place
    assert (row["system_median"], row["system_count"]) == (2.0, 2)
    assert (row["national_median"], row["national_count"]) == (1.0, 3)
    text = json.dumps(results) + json.dumps(before)
    for other in (sibling, far, far2):
        assert other.code not in text and other.name not in text

    _login(client, "viewer@test.example", Role.VIEWER, far)
    assert client.get(_pcn_url(rnd, own, "/results")).status_code == 404
    unsubmitted = client.get(_pcn_url(rnd, far2, "/results"))
    assert unsubmitted.status_code == 404  # far2 is another PCN: not covered


def test_the_heatmap_is_for_place_level_and_above(client, world):
    tree, rnd = world
    own, sibling, far, _ = tree.pcns
    submitted_assessment(rnd, own, stages=(1, 2))
    url = f"{API}/rounds/{rnd.pk}/heatmap"

    _login(client, "cd@test.example", Role.PCN_CD, own)
    refused = client.get(url)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Heatmaps are for place, system, region and national users."

    _login(client, "place@test.example", Role.PLACE_LEAD, own.place)
    heat = client.get(url).json()
    assert heat["stages"][0] == "Foundation" and [a["code"] for a in heat["areas"]][0] == "leadership"
    assert heat["places"] == [{"code": own.place.code, "name": own.place.name}] and heat["place"] is None
    assert [(r["pcn"], r["submitted"]) for r in heat["rows"]] == [(own.code, True), (sibling.code, False)]
    assert heat["submitted"] == 1
    cell = heat["rows"][0]["cells"][0]
    assert (cell["area"], cell["current_stage"], cell["target_score"]) == ("leadership", 1, 2.0)
    assert heat["rows"][1]["cells"] == []
    assert far.code not in json.dumps(heat)

    _login(client, "admin@test.example", Role.NATIONAL_ADMIN)
    whole = client.get(url).json()
    assert len(whole["rows"]) == 4 and len(whole["places"]) == 2
    one = client.get(url, {"place": far.place.code}).json()
    assert one["place"] == far.place.code and [r["pcn"] for r in one["rows"]] == [far.code, tree.pcns[3].code]
    assert client.get(url, {"place": "NOPE"}).status_code == 404


def test_anonymous_requests_are_refused_and_the_schema_renders(client, world):
    tree, rnd = world
    for url in (f"{API}/templates", f"{API}/rounds", _pcn_url(rnd, tree.pcns[0], "/consensus")):
        assert client.get(url).status_code == 401
    assert _put(client, _pcn_url(rnd, tree.pcns[0], "/ratings/cd"), []).status_code == 401
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/maturity/templates",
        "/api/v1/maturity/templates/{pk}/yaml",
        "/api/v1/maturity/rounds/{pk}/heatmap",
        "/api/v1/maturity/rounds/{pk}/pcns/{code}/ratings/{who}",
        "/api/v1/maturity/rounds/{pk}/pcns/{code}/consensus/submit",
        "/api/v1/maturity/rounds/{pk}/pcns/{code}/needs",
    ):
        assert path in paths
    assert paths["/api/v1/maturity/rounds"]["get"]["tags"] == ["self-assessment"]
    assert "MaturityProblem" in schema.json()["components"]["schemas"]


# --- The privacy matrix ------------------------------------------------------------------------------------


@pytest.fixture
def matrix(db):
    """Region 0: PCNs N0 (practices G0, G1) and N1 in one place; region 1 the same. Every holder sits at the first
    node of its level, so "own" is always PCN 0 and practice 0 of PCN 0.

    Round "before": nothing submitted, draft consensus everywhere. Round "after": every PCN submitted.
    Ratings exist (in "before") for practice 0 and 1 of PCN 0 and practice 0 of region 1's first PCN.
    """
    tree = build_tree(regions=2, systems=1, places=1, pcns=2, practices=2, unallocated=0)
    before = open_round_now(make_round("Before"))
    after = open_round_now(make_round("After", template=before.template))
    for pcn in tree.pcns:
        draft = PCNAssessment.objects.create(round=before, pcn=pcn, improvement_priority="Secret")
        ConsensusRating.objects.create(assessment=draft, element=elements_of(before)[0], current_stage=1)
        submitted_assessment(after, pcn)
    for practice in (tree.practices[0], tree.practices[1], tree.practices[4]):
        practice_response(
            PCNAssessment.objects.get(round=before, pcn=_practice_pcn(tree, practice)), practice
        )
    return tree, before, after


def _practice_pcn(tree, practice):
    return next(p for p in tree.pcns if practice.code.startswith(p.code))


def _covers(tree, role_level, node, pcn) -> bool:
    """Whether the holder's role reaches the PCN (a practice-level role reaches its practice's PCN)."""
    if role_level == "practice":
        return _practice_pcn(tree, node) == pcn
    return _expected(tree, "pcn", pcn, role_level, node)


@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_privacy_matrix_through_the_api(client, matrix, role, role_level):
    tree, before, after = matrix
    user, node = _holder(tree, role, role_level)
    client.force_login(user)
    elements = elements_of(before)
    own_pcn = tree.pcns[0]
    checked = {"ratings": 0, "consensus": 0}

    # A practice's ratings: its own members and its PCN's clinical directors; everyone else 404.
    practices = {"own": tree.practices[0], "same PCN": tree.practices[1], "other PCN": tree.practices[4]}
    for label, practice in practices.items():
        pcn = _practice_pcn(tree, practice)
        member = role == Role.PRACTICE_MEMBER and node == practice
        cd = role == Role.PCN_CD and node == pcn
        url = _pcn_url(before, pcn, f"/ratings/{practice.code}")
        got = client.get(url)
        assert got.status_code == (200 if member or cd else 404), f"GET {label} practice's ratings"
        if got.status_code == 200:
            assert got.json()["status"] == "draft" and got.json()["ratings"][0]["current_stage"] == 0
        else:
            assert got.json() == {"detail": "Not found"}
        put = _put(client, url, [{"element": elements[0].code, "current_stage": 1}])
        assert put.status_code == (200 if member else 403 if cd else 404), f"PUT {label} practice's ratings"
        if cd:
            assert put.json()["detail"] == f"Only a member of {practice.name} can rate it."
        submit = _post(client, f"{url}/submit")
        assert submit.status_code == (400 if member else 403 if cd else 404), (
            f"submit {label} practice's ratings"
        )
        checked["ratings"] += 1
    assert Rating.objects.filter(response__practice=practices["own"], current_stage=1).exists() == (
        role == Role.PRACTICE_MEMBER and role_level == "practice"
    )

    # The consensus, needs and results: the PCN's CDs always; others whose roles cover the PCN once submitted.
    for pcn in (own_pcn, tree.pcns[1], tree.pcns[2]):
        is_cd = role == Role.PCN_CD and node == pcn
        covered = is_cd or _covers(tree, role_level, node, pcn)
        for rnd in (before, after):
            submitted = rnd is after
            want = 200 if is_cd or (covered and submitted) else 403 if covered else 404
            where = f"{pcn.code} {rnd.name}"
            summary = client.get(_pcn_url(rnd, pcn))
            assert summary.status_code == (200 if covered else 404), f"summary {where}"
            if covered:
                shown = summary.json()["improvement_priority"]
                assert shown == (("Frail older people" if submitted else "Secret") if want == 200 else None)
            for rest in ("/consensus", "/needs", "/results"):
                got = client.get(_pcn_url(rnd, pcn, rest))
                assert got.status_code == want, f"GET {rest} {where}: {got.status_code}"
                if want == 403:
                    assert got.json()["detail"] == f"{pcn} has not submitted its self-assessment yet."
                if want == 404:
                    assert got.json() == {"detail": "Not found"}
            if want == 200:
                consensus = client.get(_pcn_url(rnd, pcn, "/consensus")).json()
                raters = {r["rater"] for e in consensus["elements"] for r in e["raters"]}
                visible_practices = {
                    p.name
                    for p in practices.values()
                    if _practice_pcn(tree, p) == pcn
                    and rnd is before
                    and (is_cd or node == p and role == Role.PRACTICE_MEMBER)
                }
                assert raters == visible_practices, f"raters shown in {where}"
            put = _put(client, _pcn_url(rnd, pcn, "/consensus"), {"improvement_priority": "Changed"})
            assert put.status_code == (200 if is_cd and not submitted else 403 if covered else 404), (
                f"PUT consensus {where}"
            )
            checked["consensus"] += 1
    assert checked == {"ratings": 3, "consensus": 6}

    # PCN-level users never see another PCN named: not in rounds, results or benchmarks; no heatmap.
    heat = client.get(f"{API}/rounds/{after.pk}/heatmap")
    pcn_level = role_level in ("pcn", "practice")
    assert heat.status_code == (403 if pcn_level else 200)
    if pcn_level:
        reach_pcn = node if role_level == "pcn" else _practice_pcn(tree, node)
        others = [p for p in tree.pcns if p != reach_pcn]
        text = client.get(f"{API}/rounds/{after.pk}").content.decode()
        text += client.get(_pcn_url(after, reach_pcn, "/results")).content.decode()
        text += client.get(_pcn_url(after, reach_pcn, "/consensus")).content.decode()
        text += client.get(f"{API}/rounds").content.decode()
        for other in others:
            assert other.code not in text and other.name not in text
        results = client.get(_pcn_url(after, reach_pcn, "/results")).json()
        assert results["benchmark"][0]["national_count"] == 4
    else:
        want = {p.code for p in tree.pcns if _covers(tree, role_level, node, p)}
        assert {r["pcn"] for r in heat.json()["rows"]} == want
