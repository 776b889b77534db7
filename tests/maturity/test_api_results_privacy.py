"""The self-assessment API: needs, results and heatmaps, and the privacy matrix generated over every role.

The rules come from maturity/permissions.py and privacy.py (the same ones the pages use):
* a practice's ratings: only that practice's members and its PCN's clinical directors (others: 404);
* a PCN's consensus, needs and results: its clinical directors always; everyone else whose roles cover the PCN
  only once it is submitted (403 with the reason before); anyone else: 404;
* heatmaps (which name PCNs): place level and above only.
"""

import json

import pytest

from pcndev.accounts.models import Role
from pcndev.maturity.models import AssessmentRound, ConsensusRating, PCNAssessment, Rating
from tests.accounts.test_access_matrix import ROLE_CASES, _expected, _holder
from tests.builders import build_tree
from tests.maturity.api_helpers import API, _login, _pcn_url, _post, _put, make_world
from tests.maturity.builders import (
    elements_of,
    make_round,
    open_round_now,
    practice_response,
    submitted_assessment,
)


@pytest.fixture
def world(db):
    return make_world()


# --- Needs, results, heatmap ------------------------------------------------------------------------------


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
