"""The access matrix, generated from the URL and API registries and the rule tables: for every page and every API
operation, each action it offers × each variant of its object (own, same place, other place, other region) × each
role holder (every role, viewers at every level) and an anonymous visitor. Every response must be what the rule
says (inside the reach: allowed; outside: 404; visible but not theirs to change: 403), and no page or payload an
allowed role gets may name an organisation outside its reach."""

import pytest

from tests.security.access import NOBODY, expected, rules_of
from tests.security.kinds import KINDS
from tests.security.matrix import api_url, check, ui_url
from tests.security.registry import operations, pages
from tests.security.rules_api import API_RULES
from tests.security.rules_ui import UI_RULES

PAGES = {p.name: p for p in pages()}
OPERATIONS = {op.operation_id: op for op in operations()}


def _cases(table, known):
    return [
        pytest.param(name, i, action, id=f"{name}-{i}-{action}")
        for name, entry in table.items()
        if name in known
        for i, rule in enumerate(rules_of(entry))
        for action in rule.actions
    ]


@pytest.mark.parametrize(("name", "index", "action"), _cases(UI_RULES, PAGES))
def test_page(db, world, clients, name, index, action):
    rule = rules_of(UI_RULES[name])[index]
    page = PAGES[name]
    outcome = check(world, clients, name, rule, action, lambda p: ui_url(page, p), None, api=False)
    assert not outcome.failures, "\n".join(outcome.failures)


@pytest.mark.parametrize(("name", "index", "action"), _cases(API_RULES, OPERATIONS))
def test_api_operation(db, world, clients, name, index, action):
    rule = rules_of(API_RULES[name])[index]
    op = OPERATIONS[name]
    outcome = check(world, clients, name, rule, action, lambda p: api_url(op, p), op.method, api=True)
    assert not outcome.failures, "\n".join(outcome.failures)


def test_the_matrix_is_not_vacuous(db, world):
    """Each rule's cases include someone allowed (unless nobody may) and, for an object of the org tree, someone
    it is hidden from: a rule cannot pass by expecting only refusals, or only successes."""
    for name, entry in {**UI_RULES, **API_RULES}.items():
        for rule in rules_of(entry):
            kind = KINDS[rule.kind]
            for action, who in rule.actions.items():
                outcomes = [
                    expected(rule, action, holder, kind.target(world, variant), api=False)
                    for holder in world.holders.values()
                    for variant in kind.variants()
                ]
                assert who is NOBODY or any(o & {200, 201, 302} for o in outcomes), f"{name} [{action}]"
                if kind.level and not rule.public:
                    assert any(o == {404} for o in outcomes), f"{name} [{action}]: hidden from nobody"
