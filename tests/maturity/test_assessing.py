"""Ratings, consensus and the transition service: drafts, submission, locking, reopening with a reason, needs."""

import datetime

import pytest

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.maturity.assessing import Entry, NotAllowed, Problems, save_consensus, save_ratings, transition
from pcndev.maturity.models import DevelopmentNeed, PCNAssessment, Rating, Response
from pcndev.maturity.rounds import assessment_for
from tests.builders import build_tree, make_user
from tests.maturity.builders import TODAY, elements_of, make_round


@pytest.fixture
def setup(db):
    tree = build_tree(regions=1, systems=1, places=1, pcns=2, practices=2, unallocated=0)
    rnd = make_round()
    pcn = tree.pcns[0]
    assessment = assessment_for(rnd, pcn)
    practice = tree.practices[0]
    lead = make_user("lead@test.example", Role.PRACTICE_MEMBER, practice)
    cd = make_user("cd@test.example", Role.PCN_CD, pcn)
    place_lead = make_user("place@test.example", Role.PLACE_LEAD, tree.places[0])
    response = Response.objects.create(assessment=assessment, practice=practice, respondent=lead)
    return tree, rnd, assessment, response, lead, cd, place_lead


def _all(rnd, current=0, target=1, priority="high"):
    return [
        Entry(e.id, current, target, priority if target > current else "", "", 100_00)
        for e in elements_of(rnd)
    ]


def test_a_practice_lead_saves_a_draft_and_submits_when_complete(setup):
    _, rnd, _, response, lead, _, _ = setup
    first = elements_of(rnd)[0]
    assert (
        save_ratings(
            response, [Entry(first.id, 1, 2, "high", "Coaching", 250_00, "Minutes")], lead, day=TODAY
        )
        == 1
    )
    rating = Rating.objects.get(response=response)
    assert (rating.current_stage, rating.target_stage, rating.cost_pence, rating.evidence) == (
        1,
        2,
        250_00,
        "Minutes",
    )
    with pytest.raises(Problems) as caught:
        transition(response, "submit_response", lead, day=TODAY)
    assert len(caught.value.problems) == 2 * (
        len(elements_of(rnd)) - 1
    )  # now and target for each missing element
    assert Response.objects.get(pk=response.pk).status == "draft"
    save_ratings(response, _all(rnd), lead, day=TODAY)
    transition(response, "submit_response", lead, day=TODAY)
    assert Response.objects.get(pk=response.pk).status == "submitted"
    with pytest.raises(NotAllowed, match="have been submitted"):
        save_ratings(response, _all(rnd, 1, 1), lead, day=TODAY)
    transition(response, "reopen_response", lead, day=TODAY)
    assert Response.objects.get(pk=response.pk).status == "draft"


def test_a_target_below_current_is_refused_and_nothing_is_written(setup):
    _, rnd, _, response, lead, _, _ = setup
    a, b = elements_of(rnd)[:2]
    with pytest.raises(Problems) as caught:
        save_ratings(response, [Entry(a.id, 1, 2, "high"), Entry(b.id, 2, 1)], lead, day=TODAY)
    assert caught.value.problems == [
        (b.code, "target", f"{b.title}: Where you want to be in a year cannot be below where you are now")
    ]
    assert not Rating.objects.exists()


def test_only_the_practices_own_members_may_rate_and_only_while_open(setup):
    tree, rnd, _, response, lead, cd, place_lead = setup
    for user in (cd, place_lead, make_user("other@test.example", Role.PRACTICE_MEMBER, tree.practices[1])):
        with pytest.raises(NotAllowed, match=f"Only a member of {tree.practices[0].name} can rate it"):
            save_ratings(response, _all(rnd), user, day=TODAY)
    with pytest.raises(NotAllowed, match="opens on 1 September 2019"):
        save_ratings(response, _all(rnd), lead, day=datetime.date(2019, 8, 31))
    with pytest.raises(NotAllowed, match="closed on 30 September 2019"):
        save_ratings(response, _all(rnd), lead, day=datetime.date(2019, 10, 1))
    assert not Rating.objects.exists()


def test_the_cd_records_the_consensus_and_submission_writes_ranked_needs(setup):
    _, rnd, assessment, response, lead, cd, _ = setup
    elements = elements_of(rnd)
    with pytest.raises(NotAllowed, match="Only a clinical director"):
        save_consensus(assessment, _all(rnd), lead, day=TODAY)
    entries = [
        Entry(e.id, 0, 1 if i % 2 else 0, "medium" if i % 2 else "", "Support", 10_00)
        for i, e in enumerate(elements)
    ]
    save_consensus(assessment, entries, cd, day=TODAY)
    with pytest.raises(Problems) as caught:
        transition(assessment, "submit_assessment", cd, day=TODAY)
    assert caught.value.problems == [
        ("", "improvement_priority", "Name the PCN's service-improvement priority")
    ]
    save_consensus(assessment, [], cd, improvement_priority="Frail older people at home", day=TODAY)
    transition(assessment, "submit_assessment", cd, day=TODAY)
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and assessment.submitted_by == cd
    needs = list(DevelopmentNeed.objects.filter(assessment=assessment))
    assert len(needs) == len(elements) // 2
    assert [n.rank for n in needs] == list(range(1, len(needs) + 1))
    tags = [n.tag for n in needs]
    assert tags == sorted(tags, key=lambda t: t != "internal")
    assert sum(n.cost_pence for n in needs) == 10_00 * len(needs)
    # Submission locks ratings and the consensus.
    with pytest.raises(NotAllowed, match="has submitted its self-assessment"):
        save_ratings(response, _all(rnd), lead, day=TODAY)
    with pytest.raises(NotAllowed, match="has been submitted"):
        save_consensus(assessment, entries, cd, day=TODAY)
    assert AuditEvent.objects.filter(
        action="maturity.submit_assessment", object_id=str(assessment.pk)
    ).exists()


def test_reopening_needs_a_reason_withdraws_the_needs_and_is_audited(setup):
    tree, rnd, assessment, _, lead, cd, place_lead = setup
    save_consensus(assessment, _all(rnd), cd, improvement_priority="Asthma", day=TODAY)
    transition(assessment, "submit_assessment", cd, day=TODAY)
    with pytest.raises(NotAllowed, match="or its place lead can reopen it"):
        transition(assessment, "reopen_assessment", lead, reason="Because", day=TODAY)
    with pytest.raises(Problems, match="Enter why the self-assessment is being reopened"):
        transition(assessment, "reopen_assessment", place_lead, reason="  ", day=TODAY)
    transition(assessment, "reopen_assessment", place_lead, reason="A practice joined late", day=TODAY)
    assert PCNAssessment.objects.get(pk=assessment.pk).status == "in_progress"
    assert not DevelopmentNeed.objects.filter(assessment=assessment).exists()
    event = AuditEvent.objects.get(action="maturity.reopen_assessment")
    assert (event.note, event.before, event.after) == (
        "A practice joined late",
        {"status": "submitted"},
        {"status": "in_progress"},
    )
    with pytest.raises(
        NotAllowed, match="This is in progress, so 'Reopen the self-assessment' is not available"
    ):
        transition(assessment, "reopen_assessment", cd, reason="Again", day=TODAY)


def test_a_pcn_outside_the_round_has_no_assessment(db):
    tree = build_tree(regions=1, systems=1, places=2, pcns=1, practices=1, unallocated=0)
    rnd = make_round(place=tree.places[0])
    assert assessment_for(rnd, tree.pcns[0]).pcn == tree.pcns[0]
    with pytest.raises(ValueError, match="is not in the scope"):
        assessment_for(rnd, tree.pcns[1])
