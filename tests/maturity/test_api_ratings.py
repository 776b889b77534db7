"""The self-assessment API: a PCN's assessment summary, practice and CD ratings, and the consensus."""

import datetime

import pytest

from pcndev.accounts.models import Role
from pcndev.maturity.assessing import today
from pcndev.maturity.models import AssessmentRound, DevelopmentNeed, PCNAssessment, Rating, Response
from tests.maturity.api_helpers import _full, _login, _pcn_url, _post, _put, make_world
from tests.maturity.builders import elements_of, make_round, practice_response, submitted_assessment


@pytest.fixture
def world(db):
    return make_world()


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


# --- Consensus ---------------------------------------------------------------------------------------------


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
