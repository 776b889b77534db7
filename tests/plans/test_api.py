"""The support plans API: every endpoint's payloads and refusals (the services' exact reasons and messages), the
409 when two clients save from the same lock_version, who may sign off a submitted plan (generated over every
role), committee commitments and releases through the ledger, and what is awaiting each party."""

import datetime
import json
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from pcndev.accounts.models import Role
from pcndev.funding.allocating import preview, save_run
from pcndev.funding.programmes import create_programme
from pcndev.funding.top_ups import add_top_up
from pcndev.maturity.models import AssessmentRound
from pcndev.plans.editing import save_initiative
from pcndev.plans.models import Initiative, PlanVersion
from pcndev.plans.transitions import record_committee_decision, transition
from tests.accounts.test_access_matrix import ROLE_CASES, _expected, _holder
from tests.builders import AS_OF, build_tree, make_user
from tests.maturity.builders import make_round, submitted_assessment
from tests.plans.builders import funded_world, initiative_data, ready_plan
from tests.plans.test_awaiting import draft_for, plans_in_four_states

API = "/api/v1"
MEETING = "2019-12-05"
NOT_FOUND = {"detail": "Not found"}
EXISTING_FIRST = {
    "rule_id": "existing-funds-first",
    "outcome": "warn",
    "reason": "Check existing support funds first: the guidance asks for them to be used before this money.",
    "guidance": "Existing support funds are to be used before the additional PCN Development Support funding is "
    "taken up.",
    "source": "PCN Development Support Guidance and Prospectus 2019/20",
}
NOT_DELIVERY = {
    "rule_id": "development-not-delivery",
    "outcome": "block",
    "reason": "Development money cannot pay for delivering services or for running costs.",
    "guidance": "Funding should be used to support development, rather than to pay for delivery of services or "
    "other operating costs.",
    "source": "PCN development support guidance 2020/21",
}


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Argon2 takes most of a second per user here; these tests make many users and never sign in by password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w(db):
    return funded_world()


def _send(client, method, url, body=None):
    if body is None:  # no body at all (the test client's post() would send an empty multipart form)
        return client.generic(method.upper(), url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _v(version, rest: str = "") -> str:
    return f"{API}/plans/versions/{version.pk}{rest}"


def _problems(*pairs) -> dict:
    return {
        "detail": "; ".join(m for _, m in pairs),
        "reasons": [m for _, m in pairs],
        "problems": [{"field": f, "message": m} for f, m in pairs],
    }


def _initiative_body(lock_version: int, **changes) -> dict:
    body = {
        "lock_version": lock_version,
        "title": "Clinical director coaching",
        "domain": "leadership",
        "cost_pence": 10_000_00,
        "support_required": "Six coaching sessions",
        "existing_funds_checked": True,
        "measures": [{"description": "Coaching sessions held", "target": "6", "due": "2020-03-31"}],
    }
    return body | changes


def _with_assessment(w):
    """The PCN's submitted self-assessment for the programme's year (its priority and ranked needs)."""
    rnd = make_round()
    AssessmentRound.objects.filter(pk=rnd.pk).update(financial_year=w.programme.financial_year)
    return submitted_assessment(AssessmentRound.objects.get(pk=rnd.pk), w.pcn)


def _lock(version) -> int:
    return PlanVersion.objects.get(pk=version.pk).lock_version


def _agreed(w, version):
    transition(version, "submit", w.cd)
    transition(version, "agree", w.place_lead)
    transition(version, "agree", w.cd)


# --- Starting and listing plans ------------------------------------------------------------------------------


def test_a_cd_starts_the_plan_from_the_self_assessment(w):
    assessment = _with_assessment(w)
    url = f"{API}/programmes/{w.programme.pk}/plans"
    response = _send(_as(w.place_lead), "post", url, {"pcn": w.pcn.code})
    assert response.status_code == 403
    assert response.json() == {
        "detail": f"Only a clinical director of {w.pcn} can start its support plan.",
        "reasons": [],
        "problems": [],
    }
    for who, code in ((w.other_cd, w.pcn.code), (w.cd, w.tree.pcns[1].code), (w.cd, "NOPE")):
        response = _send(_as(who), "post", url, {"pcn": code})
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert _send(_as(w.cd), "post", f"{API}/programmes/999999/plans", {"pcn": w.pcn.code}).status_code == 404

    cd = _as(w.cd)
    response = _send(cd, "post", url, {"pcn": w.pcn.code})
    assert response.status_code == 201
    body = response.json()
    need_ids = list(assessment.needs.order_by("rank").values_list("id", flat=True))
    assert need_ids
    assert {
        k: body[k] for k in ("number", "state", "state_label", "editable", "lock_version", "assessment")
    } == {
        "number": 1,
        "state": "draft",
        "state_label": "Draft",
        "editable": True,
        "lock_version": 0,
        "assessment": assessment.pk,
    }
    assert body["improvement_priority"] == "Frail older people"
    assert [n["id"] for n in body["needs"]] == need_ids
    assert [n["id"] for n in body["assessment_needs"]] == need_ids
    first = assessment.needs.select_related("element").order_by("rank").first()
    assert body["needs"][0] == {
        "id": first.id,
        "rank": first.rank,
        "element": first.element.code,
        "title": first.element.title,
        "tag": first.tag,
        "gap": first.gap,
        "priority": first.priority,
        "support_needed": first.support_needed,
        "cost_pence": first.cost_pence,
    }
    assert body["can_edit"] == {"allowed": True, "reason": ""}
    assert body["can_override"] == {
        "allowed": False,
        "reason": f"Only the place lead for {w.pcn.place} can allow a blocked initiative.",
    }
    again = _send(cd, "post", url, {"pcn": w.pcn.code})
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_the_plan_list_shows_visible_plans_with_their_current_version_and_totals(w):
    version = ready_plan(w, costs=(10_000_00, 5_000_00))
    for title, source, cost in (("Room", "existing", 2_000_00), ("Local", "top_up", 500_00)):
        save_initiative(
            version,
            _lock(version),
            w.cd,
            initiative_data(cost, title=title, funding_source=source),
        )
    url = f"{API}/programmes/{w.programme.pk}/plans"
    row = {
        "plan": version.plan_id,
        "pcn": w.pcn.code,
        "pcn_name": w.pcn.name,
        "place": w.pcn.place.code,
        "version": version.pk,
        "number": 1,
        "state": "draft",
        "state_label": "Draft",
        "programme_cost_pence": 15_000_00,
        "top_up_cost_pence": 500_00,
        "existing_cost_pence": 2_000_00,
        "plan_cost_pence": 15_500_00,
    }
    assert _as(w.place_lead).get(url).json() == [row]
    assert _as(w.other_cd).get(url).json() == []  # the plan is for a PCN they do not lead
    other = _send(_as(w.other_cd), "post", url, {"pcn": w.tree.pcns[1].code}).json()
    assert [r["pcn"] for r in _as(w.place_lead).get(url).json()] == [w.pcn.code, w.tree.pcns[1].code]
    assert [r["version"] for r in _as(w.other_cd).get(url).json()] == [other["id"]]
    assert _as(w.place_lead).get(f"{API}/programmes/999999/plans").status_code == 404


# --- A version: reading and changing it ----------------------------------------------------------------------


def test_a_version_with_its_budget_initiatives_and_eligibility(w):
    version = ready_plan(w, costs=(10_000_00,))
    coaching = version.initiatives.get()
    blocked = save_initiative(
        version,
        _lock(version),
        w.cd,
        initiative_data(
            500_00, title="Rent", category="operating", existing_funds_checked=False, measures=[]
        ),
    )
    response = _as(w.viewer).get(_v(version))
    assert response.status_code == 200
    body = response.json()
    assert body["budget"] == {
        "development_pence": 27_000_00,
        "cd_pence": 5_000_00,
        "top_ups_pence": 0,
        "available_pence": 27_000_00,
        "programme_cost_pence": 10_500_00,
        "top_up_cost_pence": 0,
        "existing_cost_pence": 0,
        "plan_cost_pence": 10_500_00,
        "headroom_pence": 16_500_00,
        "over_budget": False,
        "problems": [],
    }
    assert (body["improvement_priority"], body["summary"], body["needs"], body["lock_version"]) == (
        "Frail older people at home",
        "",
        [],
        _lock(version),
    )
    assert body["can_edit"] == {
        "allowed": False,
        "reason": f"Only a clinical director of {w.pcn} can change the plan.",
    }
    first, second = body["initiatives"]
    assert first == {
        "id": coaching.pk,
        "position": 0,
        "title": "Initiative 1",
        "description": "",
        "area": None,
        "elements": [],
        "domain": {"code": "leadership", "title": "Leadership development and support"},
        "priorities": [],
        "tag": "internal",
        "support_required": "Six coaching sessions",
        "provider_type": "nhs_family",
        "funding_source": "programme",
        "cost_pence": 10_000_00,
        "start_month": None,
        "end_month": None,
        "category": "development",
        "already_funded": False,
        "in_contract": False,
        "pcn_related": True,
        "transformation": True,
        "existing_funds_checked": True,
        "measures": [{"description": "Coaching sessions held", "target": "6", "due": "2020-03-31"}],
        "eligibility": {
            "initiative": coaching.pk,
            "title": "Initiative 1",
            "outcome": "pass",
            "findings": [],
            "override": None,
            "needs_override": False,
        },
    }
    rent = {
        "initiative": blocked.pk,
        "title": "Rent",
        "outcome": "block",
        "findings": [NOT_DELIVERY, EXISTING_FIRST],
        "override": None,
        "needs_override": True,
    }
    assert (second["title"], second["measures"], second["eligibility"]) == ("Rent", [], rent)
    eligibility = _as(w.cd).get(_v(version, "/eligibility"))
    assert eligibility.status_code == 200
    assert eligibility.json() == [first["eligibility"], rent]
    for url in (_v(version), _v(version, "/eligibility"), f"{API}/plans/versions/999999"):
        response = _as(w.other_cd).get(url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_changing_the_priority_summary_and_needs(w):
    assessment = _with_assessment(w)
    cd = _as(w.cd)
    created = _send(cd, "post", f"{API}/programmes/{w.programme.pk}/plans", {"pcn": w.pcn.code}).json()
    version = PlanVersion.objects.get(pk=created["id"])
    keep = [n["id"] for n in created["needs"][:2]]
    response = _send(
        cd,
        "patch",
        _v(version),
        {"lock_version": 0, "improvement_priority": " Diabetes prevention ", "needs": keep},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["improvement_priority"], body["summary"], body["lock_version"]) == (
        "Diabetes prevention",
        "",
        1,
    )
    assert [n["id"] for n in body["needs"]] == keep
    assert body["updated_by"] == str(w.cd)
    response = _send(cd, "patch", _v(version), {"lock_version": 1, "summary": "Three initiatives"})
    assert (response.json()["improvement_priority"], response.json()["summary"]) == (
        "Diabetes prevention",
        "Three initiatives",
    )
    assert [n["id"] for n in response.json()["needs"]] == keep  # left out: unchanged

    other_need = submitted_assessment(make_round("Elsewhere"), w.tree.pcns[1]).needs.first()
    response = _send(cd, "patch", _v(version), {"lock_version": 2, "needs": [other_need.pk]})
    assert response.status_code == 400
    assert response.json() == _problems(("needs", "Choose needs from the PCN's self-assessment"))
    response = _send(cd, "patch", _v(version), {"lock_version": 2, "improvement_priority": "x" * 301})
    assert response.status_code == 400
    assert response.json() == _problems(
        ("improvement_priority", "The service-improvement priority must be 300 characters or fewer")
    )
    assert _lock(version) == 2  # nothing was written
    response = _send(_as(w.place_lead), "patch", _v(version), {"lock_version": 2, "summary": "Mine"})
    assert response.status_code == 403
    assert response.json()["detail"] == f"Only a clinical director of {w.pcn} can change the plan."
    response = _send(_as(w.other_cd), "patch", _v(version), {"lock_version": 2, "summary": "Mine"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert assessment.needs.count() > 2


def test_two_clients_saving_from_the_same_lock_version_give_one_409(w):
    version = ready_plan(w)
    partner = make_user("cd2@test.example", Role.PCN_CD, w.pcn)
    first, second = _as(w.cd), _as(partner)
    loaded = [c.get(_v(version)).json()["lock_version"] for c in (first, second)]
    assert loaded[0] == loaded[1]
    lock = loaded[0]
    response = _send(first, "patch", _v(version), {"lock_version": lock, "improvement_priority": "Diabetes"})
    assert response.status_code == 200 and response.json()["lock_version"] == lock + 1
    saved = PlanVersion.objects.get(pk=version.pk)
    when = timezone.localtime(saved.updated_at).strftime("%-d %B %Y at %H:%M")
    message = (
        f"This plan was changed by {w.cd} on {when}. "
        "Your changes have not been saved: check the plan and make them again."
    )
    conflicts = [
        _send(second, "patch", _v(version), {"lock_version": lock, "improvement_priority": "Frailty"}),
        _send(second, "post", _v(version, "/initiatives"), _initiative_body(lock)),
        _send(
            second,
            "put",
            _v(version, f"/initiatives/{version.initiatives.first().pk}"),
            _initiative_body(lock, title="Renamed"),
        ),
        second.delete(_v(version, f"/initiatives/{version.initiatives.first().pk}?lock_version={lock}")),
    ]
    for response in conflicts:
        assert response.status_code == 409
        assert response.json() == {"detail": message, "reasons": [], "problems": []}
    after = PlanVersion.objects.get(pk=version.pk)
    assert (after.improvement_priority, after.lock_version, after.initiatives.count()) == (
        "Diabetes",
        lock + 1,
        2,
    )
    fresh = second.get(_v(version)).json()["lock_version"]
    response = _send(second, "patch", _v(version), {"lock_version": fresh, "improvement_priority": "Frailty"})
    assert response.status_code == 200 and response.json()["improvement_priority"] == "Frailty"


# --- Initiatives ---------------------------------------------------------------------------------------------


def test_adding_changing_and_removing_initiatives(db):
    w = funded_world(year=2020)
    assessment = _with_assessment(w)
    cd = _as(w.cd)
    version = PlanVersion.objects.get(
        pk=_send(cd, "post", f"{API}/programmes/{w.programme.pk}/plans", {"pcn": w.pcn.code}).json()["id"]
    )
    template = assessment.round.template
    area = template.areas.order_by("position").first()
    elements = list(template.elements.filter(area=area).order_by("position")[:2])
    body = _initiative_body(
        0,
        area=area.pk,
        elements=[e.pk for e in elements],
        priorities=["workforce", "access"],
        start_month="2020-10-01",
        end_month="2021-03-01",
        tag="external",
    )
    response = _send(cd, "post", _v(version, "/initiatives"), body)
    assert response.status_code == 201
    made = response.json()
    initiative = Initiative.objects.get(pk=made["id"])
    assert made["lock_version"] == 1
    assert made["area"] == {"id": area.pk, "code": area.code, "title": area.title}
    assert made["elements"] == [{"id": e.pk, "code": e.code, "title": e.title} for e in elements]
    assert made["priorities"] == [
        {"code": "workforce", "title": "Workforce: recruiting, embedding and retaining new staff (ARRS)"},
        {
            "code": "access",
            "title": "Access: total triage, remote consultation and the primary–secondary care interface",
        },
    ]
    assert (made["tag"], made["start_month"], made["end_month"]) == ("external", "2020-10-01", "2021-03-01")
    assert made["eligibility"]["outcome"] == "pass"

    response = _send(
        cd,
        "put",
        _v(version, f"/initiatives/{initiative.pk}"),
        _initiative_body(
            1,
            title="Coaching for the CD",
            cost_pence=4_000_00,
            measures=[{"description": "Sessions", "target": "4"}, {"description": "Review", "target": "1"}],
        ),
    )
    assert response.status_code == 200
    changed = response.json()
    assert (changed["id"], changed["title"], changed["cost_pence"], changed["lock_version"]) == (
        initiative.pk,
        "Coaching for the CD",
        4_000_00,
        2,
    )
    assert changed["measures"] == [
        {"description": "Sessions", "target": "4", "due": None},
        {"description": "Review", "target": "1", "due": None},
    ]
    assert (changed["area"], changed["elements"], changed["priorities"]) == (None, [], [])

    bad = _initiative_body(
        2,
        title=" ",
        domain="nope",
        cost_pence=-1,
        priorities=["setup", "workforce"],
        start_month="2020-10-01",
        end_month="2020-09-01",
        tag="both",
        measures=[{"description": " ", "target": ""}],
    )
    response = _send(cd, "post", _v(version, "/initiatives"), bad)
    assert response.status_code == 400
    assert response.json() == _problems(
        ("title", "Enter a title for the initiative"),
        ("domain", "Select the support domain the initiative belongs to"),
        ("priorities", "setup is not a priority of this programme"),
        ("cost", "The cost cannot be negative"),
        ("end_month", "The end month must be the same as or after the start month"),
        ("tag", "Select internal or external"),
        ("measure-0-description", "Output measure 1: describe what will be measured"),
        ("measure-0-target", "Output measure 1: enter the target"),
    )
    too_long = _initiative_body(
        2,
        area=999999,
        elements=[elements[0].pk, 999999],
        measures=[{"description": "d" * 301, "target": "t" * 201}],
    )
    response = _send(cd, "put", _v(version, f"/initiatives/{initiative.pk}"), too_long)
    assert response.status_code == 400
    assert response.json() == _problems(
        ("measure-0-description", "Output measure 1: keep it to 300 characters or fewer"),
        ("measure-0-target", "Output measure 1: keep the target to 200 characters or fewer"),
        ("area", "Select a maturity area from the PCN's matrix"),
        ("elements", "Select elements from the PCN's matrix"),
    )
    assert _lock(version) == 2  # refused saves write nothing

    place = _as(w.place_lead)
    refused = f"Only a clinical director of {w.pcn} can change the plan."
    for response in (
        _send(place, "post", _v(version, "/initiatives"), _initiative_body(2)),
        _send(place, "put", _v(version, f"/initiatives/{initiative.pk}"), _initiative_body(2)),
        place.delete(_v(version, f"/initiatives/{initiative.pk}?lock_version=2")),
    ):
        assert response.status_code == 403 and response.json()["detail"] == refused
    outsider = _as(w.other_cd)
    for response in (
        _send(outsider, "post", _v(version, "/initiatives"), _initiative_body(2)),
        _send(outsider, "put", _v(version, f"/initiatives/{initiative.pk}"), _initiative_body(2)),
        outsider.delete(_v(version, f"/initiatives/{initiative.pk}?lock_version=2")),
        _send(cd, "put", _v(version, "/initiatives/999999"), _initiative_body(2)),
        cd.delete(_v(version, "/initiatives/999999?lock_version=2")),
    ):
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    response = cd.delete(_v(version, f"/initiatives/{initiative.pk}?lock_version=2"))
    assert (response.status_code, response.json()) == (200, {"lock_version": 3})
    assert cd.get(_v(version)).json()["initiatives"] == []
    assert (
        cd.delete(_v(version, f"/initiatives/{initiative.pk}")).status_code == 422
    )  # lock_version is required

    other_version = ready_plan(SimpleNamespace(**{**w.__dict__, "pcn": w.tree.pcns[1], "cd": w.other_cd}))
    elsewhere = other_version.initiatives.first()
    response = _send(cd, "put", _v(version, f"/initiatives/{elsewhere.pk}"), _initiative_body(3))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_a_submitted_plan_cannot_be_changed(w):
    version = ready_plan(w)
    transition(version, "submit", w.cd)
    refused = "This version is submitted for agreement, so it cannot be changed."
    cd, lock = _as(w.cd), _lock(version)
    initiative = version.initiatives.first()
    for response in (
        _send(cd, "patch", _v(version), {"lock_version": lock, "summary": "Late"}),
        _send(cd, "post", _v(version, "/initiatives"), _initiative_body(lock)),
        cd.delete(_v(version, f"/initiatives/{initiative.pk}?lock_version={lock}")),
    ):
        assert response.status_code == 403
        assert response.json() == {"detail": refused, "reasons": [], "problems": []}


# --- Overrides -----------------------------------------------------------------------------------------------


def test_the_place_lead_overrides_a_blocked_initiative(w):
    version = ready_plan(w, costs=(1_000_00,))
    passing = version.initiatives.get()
    blocked = save_initiative(
        version, _lock(version), w.cd, initiative_data(500_00, title="Rent", category="operating")
    )
    url = f"{API}/plans/initiatives/{blocked.pk}/override"
    response = _send(_as(w.cd), "post", url, {"justification": "Because"})
    assert response.status_code == 403
    assert (
        response.json()["detail"] == f"Only the place lead for {w.pcn.place} can allow a blocked initiative."
    )
    place = _as(w.place_lead)
    response = _send(place, "post", url, {"justification": "  "})
    assert response.status_code == 400
    assert response.json() == _problems(
        ("justification", "Enter why this initiative should be allowed despite the guidance")
    )
    response = _send(
        place, "post", f"{API}/plans/initiatives/{passing.pk}/override", {"justification": "Just in case"}
    )
    assert response.status_code == 400
    assert response.json() == _problems(
        ("justification", "This initiative is not blocked, so it needs no override")
    )
    for who, iid in ((w.other_cd, blocked.pk), (w.place_lead, 999999)):
        response = _send(_as(who), "post", f"{API}/plans/initiatives/{iid}/override", {"justification": "x"})
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    response = _send(
        place, "post", url, {"justification": " Room hire for the away day, agreed with the CCG "}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["override"]["justification"] == "Room hire for the away day, agreed with the CCG"
    assert body["override"]["by"] == str(w.place_lead)
    assert (body["outcome"], body["findings"], body["needs_override"]) == ("block", [NOT_DELIVERY], False)
    listed = _as(w.cd).get(_v(version, "/eligibility")).json()
    assert listed[1] == body
    assert _send(_as(w.cd), "post", _v(version, "/actions/submit")).json()["state"] == "submitted"
    transition(version, "agree", w.place_lead)
    transition(version, "agree", w.cd)
    response = _send(place, "post", url, {"justification": "Again"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Overrides can only be recorded before the plan is agreed."


# --- Workflow actions ----------------------------------------------------------------------------------------


def test_the_actions_list_says_what_you_may_do_and_why_not(w):
    version = ready_plan(w)
    response = _as(w.cd).get(_v(version, "/actions"))
    assert response.status_code == 200
    actions = {a["action"]: a for a in response.json()}
    assert list(actions) == [
        "submit",
        "request_changes",
        "revise",
        "agree",
        "decline",
        "approve",
        "release",
        "start_delivery",
        "close",
    ]
    assert actions["submit"] == {
        "action": "submit",
        "label": "Submit for agreement",
        "source": "draft",
        "target": "submitted",
        "needs_comment": False,
        "allowed": True,
        "reason": "",
        "path": _v(version, "/actions/submit"),
    }
    assert actions["agree"]["allowed"] is False
    assert (
        actions["agree"]["reason"]
        == "The plan is draft; 'Agree the plan' is for plans that are submitted for agreement."
    )
    assert actions["decline"]["needs_comment"] is True
    assert actions["approve"]["path"] == (
        f"{API}/programmes/{w.programme.pk}/places/{w.pcn.place.code}/committee-decisions"
    )
    assert actions["release"]["path"] == _v(version, "/releases")
    place = {a["action"]: a for a in _as(w.place_lead).get(_v(version, "/actions")).json()}
    assert place["submit"]["reason"] == "Only the PCN's clinical director can submit for agreement."
    response = _as(w.other_cd).get(_v(version, "/actions"))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_taking_actions_returns_the_new_state_or_the_reason(w):
    version = ready_plan(w)
    cd, place = _as(w.cd), _as(w.place_lead)
    response = _send(place, "post", _v(version, "/actions/submit"), {})
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the PCN's clinical director can submit for agreement.",
        "reasons": [],
        "problems": [],
    }
    PlanVersion.objects.filter(pk=version.pk).update(improvement_priority="")
    response = _send(cd, "post", _v(version, "/actions/submit"))
    assert response.status_code == 400
    assert response.json() == _problems(
        ("improvement_priority", "Name the PCN's service-improvement priority")
    )
    PlanVersion.objects.filter(pk=version.pk).update(improvement_priority="Frailty")

    response = _send(cd, "post", _v(version, "/actions/submit"))  # no body: no comment
    assert response.status_code == 200
    assert response.json() == {
        "id": version.pk,
        "number": 1,
        "state": "submitted",
        "state_label": "Submitted for agreement",
        "signoffs": [
            {
                "party": "cd",
                "party_label": "PCN clinical director",
                "decision": "",
                "by": None,
                "at": None,
                "comment": "",
            },
            {
                "party": "place",
                "party_label": "Place lead",
                "decision": "",
                "by": None,
                "at": None,
                "comment": "",
            },
        ],
    }
    response = _send(place, "post", _v(version, "/actions/decline"), {"comment": " "})
    assert response.status_code == 400
    assert response.json() == _problems(("comment", "Enter a comment saying what needs to change"))
    response = _send(place, "post", _v(version, "/actions/agree"), {"comment": "Good plan"})
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "submitted"  # waiting for the CD
    assert [(s["party"], s["decision"], s["by"], s["comment"]) for s in body["signoffs"]] == [
        ("cd", "", None, ""),
        ("place", "agree", str(w.place_lead), "Good plan"),
    ]
    response = _send(place, "post", _v(version, "/actions/agree"))
    assert response.status_code == 403
    assert (
        response.json()["detail"] == "You have agreed this version. Waiting for the PCN's clinical director."
    )
    assert _send(cd, "post", _v(version, "/actions/agree")).json()["state"] == "agreed"
    response = _send(place, "post", _v(version, "/actions/approve"))
    assert response.status_code == 403
    assert response.json()["detail"] == "Use the committee decision or the release form for this step."
    for who, url in (
        (cd, _v(version, "/actions/nonsense")),
        (_as(w.other_cd), _v(version, "/actions/agree")),
        (cd, f"{API}/plans/versions/999999/actions/submit"),
    ):
        response = _send(who, "post", url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


def _sign_off_world(requires_system: bool):
    """The access matrix's tree with submitted plans for its first PCN, that PCN's neighbour in the same place,
    and the last PCN (in the other region), each submitted by its own clinical director."""
    tree = build_tree(regions=2, systems=1, places=2, pcns=2, practices=1, unallocated=1)
    programme = create_programme(
        "PCN development support", 2019, 43_500_000_00, AS_OF, requires_system_signoff=requires_system
    )
    save_run(programme, preview(100_000_00, "national", "list-size", AS_OF))
    plans = []
    for n, pcn in enumerate((tree.pcns[0], tree.pcns[1], tree.pcns[-1])):
        cd = make_user(f"plan-cd-{n}@test.example", Role.PCN_CD, pcn)
        version = draft_for(SimpleNamespace(programme=programme), pcn, cd)
        transition(version, "submit", cd)
        plans.append((pcn, version))
    return tree, plans


def _parties(role, node, pcn) -> set[str]:
    """Which sign-off parties the holder of `role` at `node` is for the PCN's plan."""
    if role == Role.PCN_CD and node.pk == pcn.pk:
        return {"cd"}
    if role == Role.PLACE_LEAD and node.pk == pcn.place_id:
        return {"place"}
    if role == Role.SYSTEM_LEAD and node.pk == pcn.place.system_id:
        return {"system"}
    return set()


SIGN_OFF_ACTIONS = {
    # action: (who may, the state it leads to now)
    "agree": ("signers", "submitted"),  # the other party has still to agree
    "decline": ("signers", "draft"),
    "request_changes": ({"place", "system"}, "changes_requested"),
}


@pytest.mark.parametrize("requires_system", [False, True], ids=["cd+place", "cd+place+system"])
@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_who_may_sign_off_a_submitted_plan(db, role, role_level, requires_system):
    tree, plans = _sign_off_world(requires_system)
    user, node = _holder(tree, role, role_level)
    client = _as(user)
    signers = {"cd", "place", "system"} if requires_system else {"cd", "place"}
    waiting = (
        "Waiting for the PCN's clinical director and the place lead and the system lead to sign off."
        if requires_system
        else "Waiting for the PCN's clinical director and the place lead to sign off."
    )
    reasons = {
        "agree": waiting,
        "decline": waiting,
        "request_changes": "Only the place lead or the system lead can request changes.",
    }
    seen = {"allowed": 0, "refused": 0, "hidden": 0}
    for pcn, version in plans:
        visible = _expected(tree, "pcn", pcn, role_level, node)
        listed = client.get(_v(version, "/actions"))
        if not visible:
            assert (listed.status_code, listed.json()) == (404, NOT_FOUND)
            for action in SIGN_OFF_ACTIONS:
                response = _send(client, "post", _v(version, f"/actions/{action}"), {"comment": "Why"})
                assert (response.status_code, response.json()) == (404, NOT_FOUND), f"{action} {pcn.code}"
            seen["hidden"] += 1
            continue
        listed = {a["action"]: a for a in listed.json()}
        parties = _parties(role, node, pcn) if node is not None else set()
        for action, (who, state) in SIGN_OFF_ACTIONS.items():
            may = bool(parties & (signers if who == "signers" else who))
            assert listed[action]["allowed"] is may, f"{action} {pcn.code}"
            assert listed[action]["reason"] == ("" if may else reasons[action])
            with transaction.atomic():
                response = _send(client, "post", _v(version, f"/actions/{action}"), {"comment": "Why"})
                if may:
                    assert response.status_code == 200, f"{action} {pcn.code}: {response.json()}"
                    assert response.json()["state"] == state
                else:
                    assert response.status_code == 403, f"{action} {pcn.code}"
                    assert response.json()["detail"] == reasons[action]
                transaction.set_rollback(True)  # try the next action on the same submitted plan
            seen["allowed" if may else "refused"] += 1
        assert PlanVersion.objects.get(pk=version.pk).state == "submitted"
    assert seen["allowed"] + seen["refused"] + seen["hidden"] > 0
    if role_level is None:
        assert seen["hidden"] == 0
    if role in (Role.PCN_CD, Role.PLACE_LEAD, Role.SYSTEM_LEAD):
        assert seen["allowed"] >= 1 and seen["hidden"] >= 1


# --- Committee decisions and releases ------------------------------------------------------------------------


def test_the_committee_commits_the_plan_totals_and_the_release_cannot_exceed_them(w):
    add_top_up(w.programme, w.pcn, 1_000_00, "CCG primary care budget", user=w.place_lead)
    version = ready_plan(w, costs=(7_000_00,))
    save_initiative(
        version, _lock(version), w.cd, initiative_data(500_00, title="Local", funding_source="top_up")
    )
    save_initiative(
        version, _lock(version), w.cd, initiative_data(300_00, title="Room", funding_source="existing")
    )
    draft = ready_plan(SimpleNamespace(**{**w.__dict__, "pcn": w.tree.pcns[1], "cd": w.other_cd}))
    _agreed(w, version)
    place = _as(w.place_lead)
    totals = place.get(_v(version)).json()["budget"]
    assert (totals["programme_cost_pence"], totals["top_up_cost_pence"], totals["plan_cost_pence"]) == (
        7_000_00,
        500_00,
        7_500_00,
    )

    def balance():
        rows = place.get(f"{API}/programmes/{w.programme.pk}/balances?level=pcn").json()
        return next(r for r in rows if r["code"] == w.pcn.code)

    before = balance()
    url = f"{API}/programmes/{w.programme.pk}/places/{w.pcn.place.code}/committee-decisions"
    decision = {
        "committee": "Primary Care Commissioning Committee",
        "meeting_date": MEETING,
        "minute_reference": "PCCC/19/7",
        "versions": [version.pk],
    }
    response = _send(_as(w.viewer), "post", url, decision)
    assert response.status_code == 403
    assert (
        response.json()["detail"]
        == f"Only the place lead for {w.pcn.place} can record the committee's decision."
    )
    response = _send(_as(w.cd), "post", url, decision)  # a CD's roles do not reach the place
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    response = _send(place, "post", url, decision | {"versions": [999999]})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = _send(
        place,
        "post",
        url,
        {"committee": " ", "meeting_date": tomorrow, "minute_reference": "", "versions": []},
    )
    assert response.status_code == 400
    assert response.json() == _problems(
        ("committee", "Enter the committee's name, for example Primary Care Commissioning Committee"),
        ("minute_reference", "Enter the minute reference"),
        ("meeting_date", "The meeting date cannot be in the future"),
        ("versions", "Select at least one agreed plan"),
    )
    response = _send(place, "post", url, decision | {"minute_reference": "m" * 101})
    assert response.json() == _problems(
        ("minute_reference", "The minute reference must be 100 characters or fewer")
    )
    response = _send(place, "post", url, decision | {"versions": [version.pk, draft.pk]})
    assert response.status_code == 403
    assert (
        response.json()["detail"]
        == "The plan is draft; 'Record the committee's approval' is for plans that are agreed."
    )
    assert balance() == before  # nothing was committed

    response = _send(place, "post", url, decision)
    assert response.status_code == 201
    made = response.json()
    assert {k: v for k, v in made.items() if k not in ("id", "at", "approvals")} == {
        "programme": w.programme.pk,
        "place": w.pcn.place.code,
        "committee": "Primary Care Commissioning Committee",
        "meeting_date": MEETING,
        "minute_reference": "PCCC/19/7",
        "approved_pence": 7_500_00,
        "by": str(w.place_lead),
    }
    [approval] = made["approvals"]
    assert (
        approval["version"],
        approval["pcn"],
        approval["amount_pence"],
        len(approval["ledger_entries"]),
    ) == (
        version.pk,
        w.pcn.code,
        7_500_00,
        2,  # national money for the programme's share, local money for the top-up's
    )
    assert balance()["committed"] - before["committed"] == totals["plan_cost_pence"]
    assert place.get(url).json() == [made]
    assert _as(w.viewer).get(url).json() == [made]
    assert _as(w.cd).get(url).status_code == 404
    assert place.get(_v(version)).json()["state"] == "committee_approved"

    releases = _v(version, "/releases")
    payment = {"amount_pence": 7_500_00, "mou_reference": "MOU-2019-001", "release_date": "2020-01-15"}
    response = _send(_as(w.cd), "post", releases, payment)
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the place lead can release funds to the payee."
    response = _send(place, "post", releases, payment | {"amount_pence": 7_500_01})
    assert response.status_code == 400
    assert response.json() == _problems(
        ("amount", "The committee committed £7,500.00; a release cannot be more than that")
    )
    response = _send(place, "post", releases, payment | {"mou_reference": " ", "amount_pence": 0})
    assert response.json() == _problems(
        ("mou_reference", "Enter the MOU reference"), ("amount", "Enter an amount more than £0")
    )
    response = _send(_as(w.other_cd), "post", releases, payment)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert balance()["released"] == before["released"]

    response = _send(place, "post", releases, payment)
    assert response.status_code == 201
    paid = response.json()
    assert {k: v for k, v in paid.items() if k not in ("id", "at", "ledger_entries")} == {
        "version": version.pk,
        "state": "funds_released",
        "mou_reference": "MOU-2019-001",
        "payee": "Riverside GP Federation",
        "amount_pence": 7_500_00,
        "release_date": "2020-01-15",
        "by": str(w.place_lead),
    }
    assert len(paid["ledger_entries"]) == 2
    assert balance()["released"] - before["released"] == 7_500_00
    response = _send(place, "post", releases, payment)
    assert response.status_code == 403
    assert (
        response.json()["detail"]
        == "The plan is funds released; 'Release funds to the payee' is for plans that are approved by committee."
    )


def test_a_partial_release_is_paid_from_national_money_first(w):
    version = ready_plan(w, costs=(7_000_00,))
    _agreed(w, version)
    record_committee_decision(
        w.place_lead, w.tree.places[0], w.programme, [version], "PCCC", datetime.date(2019, 12, 5), "7"
    )
    response = _send(
        _as(w.place_lead),
        "post",
        _v(version, "/releases"),
        {"amount_pence": 2_000_00, "mou_reference": "MOU-1", "release_date": "2020-01-15"},
    )
    assert response.status_code == 201 and response.json()["amount_pence"] == 2_000_00
    assert len(response.json()["ledger_entries"]) == 1


# --- Awaiting your action ------------------------------------------------------------------------------------


def test_awaiting_lists_what_each_party_has_to_do(db):
    w = plans_in_four_states()
    codes = [p.code for p in w.tree.pcns]

    def awaiting(user):
        response = _as(user).get(f"{API}/me/awaiting")
        assert response.status_code == 200
        return response.json()

    assert [(r["pcn"], [a["action"] for a in r["actions"]]) for r in awaiting(w.cd)] == [
        (codes[0], ["submit"]),
        (codes[2], ["agree", "decline"]),
    ]
    assert [(r["pcn"], [a["action"] for a in r["actions"]]) for r in awaiting(w.place_lead)] == [
        (codes[1], ["request_changes", "agree", "decline"]),
        (codes[2], ["request_changes"]),
        (codes[3], ["approve"]),
    ]
    assert [(r["pcn"], [a["action"] for a in r["actions"]]) for r in awaiting(w.system_lead)] == [
        (codes[1], ["request_changes"]),
        (codes[2], ["request_changes"]),
    ]
    assert awaiting(w.viewer) == []
    first = awaiting(w.cd)[0]
    version = PlanVersion.objects.get(plan__pcn=w.tree.pcns[0])
    assert first == {
        "version": version.pk,
        "number": 1,
        "plan": version.plan_id,
        "programme": w.programme.pk,
        "programme_name": str(w.programme),
        "pcn": codes[0],
        "pcn_name": w.tree.pcns[0].name,
        "place": w.tree.places[0].code,
        "state": "draft",
        "state_label": "Draft",
        "actions": [
            {"action": "submit", "label": "Submit for agreement", "path": _v(version, "/actions/submit")}
        ],
    }
    approve = awaiting(w.place_lead)[2]["actions"][0]
    assert (
        approve["path"]
        == f"{API}/programmes/{w.programme.pk}/places/{w.tree.places[0].code}/committee-decisions"
    )


def test_anonymous_requests_are_refused_and_the_schema_is_served(db, client):
    assert client.get(f"{API}/me/awaiting").status_code == 401
    assert client.get(f"{API}/programmes/1/plans").status_code == 401
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/programmes/{pk}/plans",
        "/api/v1/plans/versions/{pk}",
        "/api/v1/plans/versions/{pk}/initiatives",
        "/api/v1/plans/versions/{pk}/initiatives/{iid}",
        "/api/v1/plans/versions/{pk}/eligibility",
        "/api/v1/plans/initiatives/{iid}/override",
        "/api/v1/plans/versions/{pk}/actions",
        "/api/v1/plans/versions/{pk}/actions/{action}",
        "/api/v1/programmes/{pk}/places/{code}/committee-decisions",
        "/api/v1/plans/versions/{pk}/releases",
        "/api/v1/me/awaiting",
    ):
        assert path in paths
        assert all(op["tags"] == ["support plans"] for op in paths[path].values())
