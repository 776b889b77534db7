"""The privacy matrix, generated: every role case × every practice's ratings and every PCN's consensus
(submitted or not), through the pages and the XLSX export.

A practice's ratings: only that practice's members and its PCN's clinical directors.
A PCN's consensus: its clinical directors always; anyone else whose roles cover it only once submitted.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pcndev.accounts.models import Role
from pcndev.maturity.models import ConsensusRating
from pcndev.maturity.rounds import assessment_for
from tests.accounts.test_access_matrix import ROLE_CASES, _expected, _holder
from tests.builders import build_tree
from tests.maturity.builders import elements_of, make_round, practice_response, submitted_assessment

CASES = pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])


@pytest.fixture
def world(db):
    tree = build_tree(regions=2, systems=1, places=2, pcns=2, practices=2, unallocated=0)
    rnd = make_round()
    submitted = set()
    for i, pcn in enumerate(tree.pcns):
        if i % 2 == 0:
            submitted_assessment(rnd, pcn)
            submitted.add(pcn.code)
        else:  # a consensus in progress
            assessment = assessment_for(rnd, pcn)
            ConsensusRating.objects.bulk_create(
                ConsensusRating(assessment=assessment, element=e, current_stage=0, target_stage=1)
                for e in elements_of(rnd)
            )
    pcn_of = {}
    for practice in tree.practices:
        pcn = next(p for p in tree.pcns if practice.code.startswith(p.code))
        practice_response(assessment_for(rnd, pcn), practice, submitted=True)
        pcn_of[practice.code] = pcn.code
    return tree, rnd, submitted, pcn_of


def _sees_ratings(role, node, practice_code, pcn_of) -> bool:
    if role == Role.PRACTICE_MEMBER:
        return node.code == practice_code
    if role == Role.PCN_CD:
        return node.code == pcn_of[practice_code]
    return False


def _involved(tree, pcn, role, role_level, node, pcn_of) -> bool:
    if role_level == "practice":
        return pcn_of[node.code] == pcn.code
    return _expected(tree, "pcn", pcn, role_level, node)


def _consensus_status(tree, pcn, role, role_level, node, submitted, pcn_of) -> int:
    if role == Role.PCN_CD and node.code == pcn.code:
        return 200
    if not _involved(tree, pcn, role, role_level, node, pcn_of):
        return 404
    return 200 if pcn.code in submitted else 403


@CASES
def test_practice_ratings_are_private_to_the_practice_and_its_cds(client, world, role, role_level):
    tree, rnd, _, pcn_of = world
    user, node = _holder(tree, role, role_level)
    client.force_login(user)
    allowed_somewhere = 0
    for practice in tree.practices:
        allowed = _sees_ratings(role, node, practice.code, pcn_of)
        allowed_somewhere += allowed
        for name in ("maturity:rate-summary", "maturity:rate"):
            url = reverse(name, args=[rnd.pk, pcn_of[practice.code], practice.code])
            status = client.get(url).status_code
            assert status == (200 if allowed else 404), f"{role}@{role_level} {url}: {status}"
    assert allowed_somewhere == {Role.PRACTICE_MEMBER: 1, Role.PCN_CD: 2}.get(role, 0)


@CASES
def test_consensus_is_seen_by_others_only_after_submission(client, world, role, role_level):
    tree, rnd, submitted, pcn_of = world
    user, node = _holder(tree, role, role_level)
    client.force_login(user)
    for pcn in tree.pcns:
        expected = _consensus_status(tree, pcn, role, role_level, node, submitted, pcn_of)
        response = client.get(reverse("maturity:results", args=[rnd.pk, pcn.code]))
        assert response.status_code == expected, (
            f"{role}@{role_level} results {pcn.code}: {response.status_code}"
        )
        if expected == 403:
            assert "has not submitted its self-assessment yet" in response.content.decode()
        consensus = client.get(reverse("maturity:consensus", args=[rnd.pk, pcn.code])).status_code
        is_cd = role == Role.PCN_CD and node.code == pcn.code
        assert consensus == (200 if is_cd else 404), f"{role}@{role_level} consensus page {pcn.code}"


@CASES
def test_heatmaps_are_for_place_level_and_above_and_show_only_submitted_pcns_in_scope(
    client, world, role, role_level
):
    tree, rnd, submitted, pcn_of = world
    user, node = _holder(tree, role, role_level)
    client.force_login(user)
    response = client.get(reverse("maturity:heatmap", args=[rnd.pk]))
    if role_level in ("pcn", "practice"):
        assert response.status_code == 403
        assert "Heatmaps are for place, system, region and national users." in response.content.decode()
        return
    assert response.status_code == 200
    page = response.content.decode()
    for pcn in tree.pcns:
        assert (f">{pcn.name}</a>" in page) == _expected(tree, "pcn", pcn, role_level, node), pcn.code
    assert page.count("Not submitted yet") == sum(
        1 for p in tree.pcns if p.code not in submitted and _expected(tree, "pcn", p, role_level, node)
    )
    for practice in tree.practices:
        assert practice.name not in page


@CASES
def test_the_export_holds_exactly_what_the_user_may_see(client, world, role, role_level):
    tree, rnd, submitted, pcn_of = world
    user, node = _holder(tree, role, role_level)
    client.force_login(user)
    response = client.get(reverse("maturity:export", args=[rnd.pk]))
    assert response.status_code in (200, 404)
    involved_anywhere = (
        any(_involved(tree, p, role, role_level, node, pcn_of) for p in tree.pcns) or role == Role.PCN_CD
    )
    if response.status_code == 404:
        assert not involved_anywhere
        return
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    raters = {(r[0], r[2]) for r in rows}
    practice_names = {p.name: p.code for p in tree.practices}
    want = {(pcn_of[p.code], p.name) for p in tree.practices if _sees_ratings(role, node, p.code, pcn_of)}
    for pcn in tree.pcns:
        status = _consensus_status(tree, pcn, role, role_level, node, submitted, pcn_of)
        if status == 200:
            want.add((pcn.code, "PCN consensus" + ("" if pcn.code in submitted else " (not yet submitted)")))
    assert raters == want, f"{role}@{role_level}"
    assert all(name in practice_names for _, name in raters if not name.startswith("PCN consensus"))
