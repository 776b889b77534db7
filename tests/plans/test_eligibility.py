"""Eligibility rules: a passing and a failing case for every rule, and properties over random initiatives."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pcndev.plans.eligibility import (
    ALLOWED_CATEGORIES,
    BLOCK,
    CATEGORIES,
    PASS,
    RULES,
    SOURCES,
    WARN,
    Answers,
    evaluate,
)

FINE = Answers("development")

# rule id -> (answers that trigger it, answers that do not)
CASES = {
    "known-category": (Answers("lunch"), FINE),
    "development-not-delivery": (Answers("delivery"), Answers("backfill")),
    "not-in-contract": (Answers("development", in_contract=True), Answers("transformation")),
    "not-already-funded": (Answers("development", already_funded=True), Answers("nhs_family")),
    "pcn-related": (Answers("development", pcn_related=False), FINE),
    "transformation-only": (Answers("development", transformation=False), FINE),
    "existing-funds-first": (
        Answers("development", existing_funds_checked=False),
        Answers("development", existing_funds_checked=False, funding_source="existing"),
    ),
    "other-category": (Answers("other"), FINE),
    "known-source": (
        Answers("development", funding_source="lottery"),
        Answers("development", funding_source="top_up"),
    ),
}


def test_every_rule_has_cases_an_id_and_its_guidance():
    assert {r.id for r in RULES} == set(CASES)
    assert all(r.guidance and r.source and r.reason for r in RULES)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_each_rule_fails_its_failing_case_and_passes_its_passing_case(rule):
    failing, passing = CASES[rule.id]
    found = {f.rule_id: f for f in evaluate(failing).findings}
    assert rule.id in found and found[rule.id].outcome == rule.outcome
    assert found[rule.id].reason == rule.reason
    assert rule.id not in {f.rule_id for f in evaluate(passing).findings}


def test_allowed_development_passes_cleanly():
    for category in ALLOWED_CATEGORIES:
        assert evaluate(Answers(category)).outcome == PASS


def test_the_worst_finding_decides_and_every_reason_is_kept():
    result = evaluate(Answers("contract", already_funded=True, existing_funds_checked=False))
    assert result.outcome == BLOCK and result.blocked
    assert {f.rule_id for f in result.findings} == {
        "not-in-contract",
        "not-already-funded",
        "existing-funds-first",
    }
    assert evaluate(Answers("other")).outcome == WARN


answers = st.builds(
    Answers,
    category=st.sampled_from([*CATEGORIES, "nonsense"]),
    already_funded=st.booleans(),
    in_contract=st.booleans(),
    pcn_related=st.booleans(),
    transformation=st.booleans(),
    existing_funds_checked=st.booleans(),
    funding_source=st.sampled_from([*SOURCES, "x"]),
)


@given(answers)
def test_an_initiative_never_both_passes_and_is_blocked(a):
    result = evaluate(a)
    outcomes = {f.outcome for f in result.findings}
    assert (result.outcome == PASS) == (not result.findings)
    assert (result.outcome == BLOCK) == (BLOCK in outcomes)
    assert not (result.outcome == PASS and result.blocked)


@given(answers)
def test_anything_in_the_contract_or_already_funded_is_always_blocked(a):
    if a.in_contract or a.already_funded or a.category in ("delivery", "operating", "contract"):
        assert evaluate(a).blocked
