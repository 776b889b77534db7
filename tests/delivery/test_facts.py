"""Journey facts gathered from data, step by step, including the edge cases."""

import datetime

import pytest

from pcndev.delivery.journey import current_step, journey
from pcndev.delivery.review_models import ProgressReview
from pcndev.delivery.reviewing import due_dates_for
from pcndev.delivery.services import facts_for
from pcndev.orgs.models import PCN
from pcndev.plans.models import Initiative, SignOff
from tests.builders import build_tree
from tests.delivery.builders import assessment, plan_at, programme_and_round, with_cds


@pytest.fixture
def world(db):
    tree = build_tree(regions=1, systems=1, places=1, pcns=2, practices=2, unallocated=0)
    programme, rnd = programme_and_round()
    return tree, programme, rnd


def _facts(programme, pcn):
    return facts_for(programme, PCN.objects.filter(pk=pcn.pk))[1][pcn.pk]


def _done(programme, pcn):
    return [s.done for s in journey(_facts(programme, pcn))]


def test_a_pcn_with_practices_but_no_cd_is_still_establishing(world):
    tree, programme, _ = world
    assert current_step(_facts(programme, tree.pcns[0])) == 1


def test_a_pcn_with_no_assessment_stops_at_step_two(world):
    tree, programme, _ = world
    with_cds(tree.pcns)
    facts = _facts(programme, tree.pcns[0])
    assert (facts.practices, facts.clinical_directors, facts.assessment_submitted) == (2, 1, False)
    assert _done(programme, tree.pcns[0]) == [True, False, False, False, False, False]


def test_an_unsubmitted_assessment_or_one_without_a_priority_does_not_set_the_vision(world):
    tree, programme, rnd = world
    with_cds(tree.pcns)
    assessment(rnd, tree.pcns[0], submitted=False)
    assessment(rnd, tree.pcns[1], submitted=True, priority="  ")
    assert current_step(_facts(programme, tree.pcns[0])) == 2
    assert current_step(_facts(programme, tree.pcns[1])) == 2


def test_each_plan_state_moves_the_journey_on(world):
    tree, programme, rnd = world
    with_cds(tree.pcns)
    pcn = tree.pcns[0]
    assessment(rnd, pcn)
    expected = {
        "draft": 3,
        "submitted": 3,
        "agreed": 5,
        "committee_approved": 5,
        "funds_released": 6,
        "in_delivery": 6,
        "closed": None,
    }
    for state, step in expected.items():
        version = plan_at(programme, pcn, state)
        assert current_step(_facts(programme, pcn)) == step, state
        version.plan.versions.all().delete()


def test_a_plan_declined_after_being_agreed_once_no_longer_counts_as_agreed(world):
    tree, programme, rnd = world
    with_cds(tree.pcns)
    pcn = tree.pcns[0]
    assessment(rnd, pcn)
    version = plan_at(programme, pcn, "draft")  # the CD agreed, then the place lead declined: back to draft
    SignOff.objects.bulk_create(
        [
            SignOff(version=version, party="cd", decision="agree"),
            SignOff(version=version, party="place", decision="decline", comment="Costs unclear"),
        ]
    )
    assert _done(programme, pcn)[:3] == [True, True, False]
    assert current_step(_facts(programme, pcn)) == 3


def test_a_declined_revision_leaves_the_plan_being_delivered_where_it_was(world):
    tree, programme, rnd = world
    with_cds(tree.pcns)
    pcn = tree.pcns[0]
    assessment(rnd, pcn)
    revision = plan_at(programme, pcn, "in_delivery", "draft")  # version 2 was submitted and declined
    delivered = revision.revises
    Initiative.objects.create(
        version=delivered, title="Coaching", funding_source="programme", existing_funds_checked=True
    )
    facts = _facts(programme, pcn)
    assert facts.plan_state == "in_delivery"
    assert _done(programme, pcn) == [True, True, True, True, True, False]


def test_a_revision_being_delivered_replaces_the_superseded_version(world):
    tree, programme, rnd = world
    with_cds(tree.pcns)
    pcn = tree.pcns[0]
    assessment(rnd, pcn)
    plan_at(programme, pcn, "superseded", "funds_released")
    assert _facts(programme, pcn).plan_state == "funds_released"
    assert current_step(_facts(programme, pcn)) == 6


def test_step_six_is_done_when_the_last_scheduled_review_is_submitted(world):
    tree, programme, rnd = world
    with_cds(tree.pcns)
    pcn = tree.pcns[0]
    assessment(rnd, pcn)
    version = plan_at(programme, pcn, "in_delivery")
    dates = due_dates_for(programme)
    assert dates[0] == datetime.date(2019, 10, 31) and dates[-1] == datetime.date(2020, 3, 31)
    for due in dates[:-1]:
        ProgressReview.objects.create(plan=version.plan, version=version, due=due, state="submitted")
    ProgressReview.objects.create(plan=version.plan, version=version, due=dates[-1], state="draft")
    assert current_step(_facts(programme, pcn)) == 6
    ProgressReview.objects.filter(due=dates[-1]).update(state="submitted")
    assert _facts(programme, pcn).reviews_submitted == tuple(dates)
    assert current_step(_facts(programme, pcn)) is None


def test_step_four_needs_every_initiative_funded_with_existing_funds_considered(world):
    tree, programme, rnd = world
    with_cds(tree.pcns)
    a, b = tree.pcns
    assessment(rnd, a)
    assessment(rnd, b)
    plan_at(programme, a, "agreed", initiatives=(("programme", True), ("programme", False)))
    plan_at(programme, b, "agreed", initiatives=(("existing", False), ("top_up", True)))
    assert current_step(_facts(programme, a)) == 4
    assert current_step(_facts(programme, b)) == 5


def test_an_agreed_plan_with_no_initiatives_has_not_found_its_help(world):
    tree, programme, rnd = world
    with_cds(tree.pcns)
    assessment(rnd, tree.pcns[0])
    plan_at(programme, tree.pcns[0], "agreed", initiatives=())
    assert current_step(_facts(programme, tree.pcns[0])) == 4


def test_another_years_assessment_does_not_count(world):
    tree, programme, _ = world
    with_cds(tree.pcns)
    _, other_round = programme_and_round(year=2020)
    assessment(other_round, tree.pcns[0])
    assert current_step(_facts(programme, tree.pcns[0])) == 2
