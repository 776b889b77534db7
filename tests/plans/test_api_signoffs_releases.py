"""The support plans API: who may sign off a submitted plan (generated over every role), committee commitments
and releases through the ledger, and what is awaiting each party."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from pcndev.accounts.models import Role
from pcndev.funding.allocating import preview, save_run
from pcndev.funding.programmes import create_programme
from pcndev.funding.top_ups import add_top_up
from pcndev.plans.editing import save_initiative
from pcndev.plans.models import PlanVersion
from pcndev.plans.transitions import record_committee_decision, transition
from tests.accounts.test_access_matrix import ROLE_CASES, _expected, _holder
from tests.builders import AS_OF, build_tree, make_user
from tests.plans.api_helpers import API, MEETING, NOT_FOUND, _agreed, _as, _lock, _problems, _send, _v
from tests.plans.builders import funded_world, initiative_data, ready_plan
from tests.plans.test_awaiting import draft_for, plans_in_four_states


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Argon2 takes most of a second per user here; these tests make many users and never sign in by password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w(db):
    return funded_world()


# --- Who may sign off ----------------------------------------------------------------------------------------


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
