"""Every UI capability that changes something is in the API: each page action (a route whose security rule has an
edit or transition action) maps to the API operation(s) that do the same, and each of those exists in the OpenAPI
document. A new form without an API operation fails here (add the operation, then the mapping)."""

from pcndev.api.urls import api
from tests.security.access import rules_of
from tests.security.rules_ui import UI_RULES

OPERATIONS = {
    op["operationId"].removeprefix("pcndev_api_")
    for methods in api.get_openapi_schema()["paths"].values()
    for op in methods.values()
}
NOT_IN_THE_API = {
    "accounts:logout": "signing out ends a browser session; API callers use personal tokens",
}
UI_TO_API = {
    "orgs:place-new": {"orgs_define_place"},
    "orgs:place-edit": {"orgs_define_place", "orgs_delete_place"},
    "accounts:notifications": {"accounts_set_notifications"},
    "funding:programme-new": {"funding_create_programme_endpoint"},
    "funding:entry-new": {"funding_post_entry"},
    "funding:reverse": {"funding_post_entry"},  # a reversal is an entry that names the one it reverses
    "funding:allocate": {"funding_allocate_endpoint"},
    "funding:top-up": {"funding_top_up"},
    "maturity:template-upload": {"maturity_create_template_endpoint"},
    "maturity:template-copy": {"maturity_copy_template_endpoint"},
    "maturity:element-edit": {"maturity_update_element"},
    "maturity:round-new": {"maturity_create_round_endpoint"},
    "maturity:reassess": {"maturity_start_reassessment"},
    "maturity:rate": {"maturity_put_ratings"},
    "maturity:rate-summary": {"maturity_submit_ratings"},
    "maturity:consensus": {"maturity_put_consensus"},
    "maturity:consensus-submit": {"maturity_submit_consensus"},
    "maturity:reopen": {"maturity_reopen_assessment", "maturity_reopen_ratings"},
    "papers:prepare": {"papers_prepare"},
    "plans:start": {"plans_start_plan_endpoint"},
    "plans:committee": {"plans_record_committee_decision_endpoint"},
    "plans:cd-director": {"cd_plans_add_director_item", "cd_plans_agree_director"},
    "plans:cd-place": {"cd_plans_add_place_item", "cd_plans_agree_place"},
    "plans:version-edit": {"plans_patch_version"},
    "plans:action": {"plans_act"},
    "plans:release": {"plans_release_endpoint"},
    "plans:initiative-new": {"plans_add_initiative"},
    "plans:initiative-edit": {"plans_put_initiative"},
    "plans:initiative-delete": {"plans_delete_initiative_endpoint"},
    "plans:override": {"plans_override_endpoint"},
    "delivery:timetable-edit": {"delivery_override"},
    "delivery:review-schedule": {"reviews_set_schedule"},
    "delivery:review": {"reviews_save", "reviews_submit"},
    "delivery:cd-review": {"cd_plans_save_review", "cd_plans_submit_review"},
    "delivery:rollover": {"rollover_start"},
}


def _ui_actions() -> set[str]:
    return {
        name
        for name, rules in UI_RULES.items()
        if any({"edit", "transition"} & set(rule.actions) for rule in rules_of(rules))
    }


def test_every_page_action_has_its_api_operations():
    unmapped = _ui_actions() - set(UI_TO_API) - set(NOT_IN_THE_API)
    assert not unmapped, f"page actions with no API operation named here: {sorted(unmapped)}"
    stale = (set(UI_TO_API) | set(NOT_IN_THE_API)) - _ui_actions()
    assert not stale, f"named here but no longer a page action: {sorted(stale)}"


def test_every_named_api_operation_exists():
    missing = {f"{ui} → {op}" for ui, ops in UI_TO_API.items() for op in ops if op not in OPERATIONS}
    assert not missing, f"not in the OpenAPI document: {sorted(missing)}"
