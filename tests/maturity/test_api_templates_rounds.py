"""The self-assessment API: matrix templates, rounds and who sees which, anonymous refusals and the schema."""

import pytest

from pcndev.accounts.models import Role
from pcndev.maturity.models import AssessmentRound, MatrixTemplate, PCNAssessment
from pcndev.maturity.template_spec import load_spec
from pcndev.maturity.templates import default_template
from pcndev.orgs.models import PCN
from tests.builders import build_tree
from tests.maturity.api_helpers import API, SMALL, _login, _pcn_url, _post, _put, make_world
from tests.maturity.builders import make_round, open_round_now, practice_response, submitted_assessment


@pytest.fixture
def world(db):
    return make_world()


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


# --- Anonymous requests and the schema ---------------------------------------------------------------------


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
