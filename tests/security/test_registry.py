"""The matrix is generated from the registries: every page and every API operation needs a rule, so a new endpoint
without one fails here (add it to rules_ui.py or rules_api.py, saying what it is about and who may do what)."""

from tests.security.access import ACTIONS, rules_of
from tests.security.kinds import KINDS
from tests.security.registry import (
    API_PREFIX,
    all_patterns,
    api_route_as_openapi,
    operations,
    pages,
)
from tests.security.rules_api import API_META, API_RULES
from tests.security.rules_ui import UI_RULES


def test_every_page_has_a_rule():
    names = {p.name for p in pages()}
    unnamed = [p.route for p in pages() if not p.name]
    assert not unnamed, f"pages without a URL name cannot have a rule: {unnamed}"
    missing = sorted(names - set(UI_RULES))
    assert not missing, f"pages without an access rule in tests/security/rules_ui.py: {missing}"
    stale = sorted(set(UI_RULES) - names)
    assert not stale, f"rules for pages that no longer exist: {stale}"


def test_every_api_operation_has_a_rule():
    ids = [op.operation_id for op in operations()]
    assert len(ids) == len(set(ids)), "operation ids must be unique"
    missing = sorted(set(ids) - set(API_RULES))
    assert not missing, f"API operations without an access rule in tests/security/rules_api.py: {missing}"
    stale = sorted(set(API_RULES) - set(ids))
    assert not stale, f"rules for API operations that no longer exist: {stale}"


def test_every_api_url_pattern_is_an_operation_or_a_listed_document():
    documented = {op.path for op in operations()}
    for p in all_patterns():
        if p.route.startswith(API_PREFIX) and p.name not in API_META:
            assert api_route_as_openapi(p.route) in documented, f"{p.route} ({p.name}) is not in the OpenAPI"


def test_rules_are_well_formed():
    for name, entry in {**UI_RULES, **API_RULES}.items():
        for rule in rules_of(entry):
            assert rule.kind in KINDS, f"{name}: unknown kind {rule.kind}"
            assert rule.actions and set(rule.actions) <= set(ACTIONS), f"{name}: actions {rule.actions}"
    for entry in API_RULES.values():
        for rule in rules_of(entry):
            assert len(rule.actions) == 1, "an API operation is one action"


def test_only_admin_and_static_are_left_out():
    from django.urls import get_resolver

    from tests.security.registry import EXCLUDED_PREFIXES, _walk

    left_out = {p.route.split("/")[0] + "/" for p in _walk(get_resolver())} - {
        p.route.split("/")[0] + "/" for p in all_patterns()
    }
    assert left_out <= set(EXCLUDED_PREFIXES), left_out
