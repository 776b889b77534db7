"""The support plans API: starting and listing plans, reading a version with its budget, initiatives and
eligibility, changing it, the 409 when two clients save from the same lock_version, and the schema."""

import pytest
from django.utils import timezone

from pcndev.accounts.models import Role
from pcndev.plans.editing import save_initiative
from pcndev.plans.models import PlanVersion
from tests.builders import make_user
from tests.maturity.builders import make_round, submitted_assessment
from tests.plans.api_helpers import (
    API,
    EXISTING_FIRST,
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


# --- Anonymous requests and the schema -----------------------------------------------------------------------


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
