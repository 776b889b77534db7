"""The plan workflow table: every state is reachable from draft, every action has a unique name."""

from pcndev.plans.workflow import (
    BY_ACTION,
    CLOSED,
    DRAFT,
    EDITABLE,
    STATES,
    SUPERSEDED,
    SUPERSEDED_FROM,
    TRANSITIONS,
    agreed_by_all,
    required_parties,
    transitions_from,
)


def test_every_state_is_reachable_from_draft_and_closed_and_superseded_are_final():
    seen, frontier = {DRAFT}, [DRAFT]
    while frontier:
        state = frontier.pop()
        targets = [t.target for t in transitions_from(state)]
        targets += [SUPERSEDED] if state in SUPERSEDED_FROM else []
        for target in targets:
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(STATES)
    assert transitions_from(CLOSED) == [] and transitions_from(SUPERSEDED) == []


def test_actions_are_unique_and_only_known_parties_act():
    assert len(BY_ACTION) == len(TRANSITIONS)
    assert {p for t in TRANSITIONS for p in t.parties} == {"cd", "place", "system"}
    assert all(t.source in STATES and t.target in STATES for t in TRANSITIONS)
    assert BY_ACTION["decline"].needs_comment and BY_ACTION["request_changes"].needs_comment
    assert set(EDITABLE) <= set(STATES)


def test_agreement_needs_every_required_party():
    assert required_parties(False) == ("cd", "place")
    assert not agreed_by_all({"cd": "agree"}, False)
    assert agreed_by_all({"cd": "agree", "place": "agree"}, False)
    assert not agreed_by_all({"cd": "agree", "place": "agree"}, True)
    assert not agreed_by_all({"cd": "agree", "place": "decline", "system": "agree"}, True)
    assert agreed_by_all({"cd": "agree", "place": "agree", "system": "agree"}, True)
