"""The support plans API: adding, changing and removing initiatives (the services' exact problems and
refusals), the place lead's override of a blocked initiative, and the workflow actions with their reasons."""

from types import SimpleNamespace

import pytest

from pcndev.plans.editing import save_initiative
from pcndev.plans.models import Initiative, PlanVersion
from pcndev.plans.transitions import transition
from tests.plans.api_helpers import (
    API,
    NOT_DELIVERY,
    NOT_FOUND,
    _as,
    _initiative_body,
    _lock,
    _problems,
    _send,
    _v,
    _with_assessment,
)
from tests.plans.builders import funded_world, initiative_data, ready_plan


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Argon2 takes most of a second per user here; these tests make many users and never sign in by password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w(db):
    return funded_world()


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
