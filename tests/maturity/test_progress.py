"""A PCN's progress in a round: looking at its page never makes it "in progress"; saving something does."""

import pytest

from pcndev.accounts.models import Role
from pcndev.maturity.models import ConsensusRating, PCNAssessment
from pcndev.maturity.progress import progress_by_pcn
from tests.builders import build_tree, make_user
from tests.maturity.builders import (
    elements_of,
    make_round,
    open_round_now,
    practice_response,
    submitted_assessment,
)


@pytest.fixture
def world(db):
    tree = build_tree(pcns=3)  # six PCNs
    rnd = open_round_now(make_round())
    return tree, rnd


def _statuses(client, rnd) -> dict[str, str]:
    return {p["code"]: p["status"] for p in client.get(f"/api/v1/maturity/rounds/{rnd.pk}").json()["pcns"]}


def test_opening_a_pcns_page_leaves_it_not_started(client, world):
    tree, rnd = world
    pcn = tree.pcns[0]
    client.force_login(make_user("place@test.example", Role.PLACE_LEAD, pcn.place))
    assert client.get(f"/self-assessment/rounds/{rnd.pk}/pcns/{pcn.code}/").status_code == 200
    assert PCNAssessment.objects.filter(round=rnd, pcn=pcn).exists()  # the page made its (empty) row
    assert _statuses(client, rnd)[pcn.code] == "not_started"
    page = client.get(f"/self-assessment/rounds/{rnd.pk}/").content.decode()
    assert "In progress" not in page and "Not started" in page


def test_saved_ratings_consensus_or_a_priority_start_it_and_submission_ends_it(world):
    tree, rnd = world
    a, b, c, d = tree.pcns[:4]
    practice_response(PCNAssessment.objects.create(round=rnd, pcn=a), tree.practices[0])
    cons = PCNAssessment.objects.create(round=rnd, pcn=b)
    ConsensusRating.objects.create(
        assessment=cons, element=elements_of(rnd)[0], current_stage=0, target_stage=1
    )
    PCNAssessment.objects.create(round=rnd, pcn=c, improvement_priority="Same-day access")
    submitted_assessment(rnd, d)
    empty, untouched = tree.pcns[4:6]
    PCNAssessment.objects.create(round=rnd, pcn=empty)  # a row with nothing saved in it
    progress = progress_by_pcn(rnd, [p.id for p in tree.pcns])
    assert [progress[p.id].status for p in (a, b, c, d)] == ["in_progress"] * 3 + ["submitted"]
    assert progress[d.id].submitted_at is not None and progress[d.id].label == "Submitted"
    assert progress[empty.id].status == progress[untouched.id].status == "not_started"
    assert progress[empty.id].label == "Not started"
