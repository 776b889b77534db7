"""Every API operation's rule, keyed by OpenAPI operation_id (one action each). An operation without a rule fails
test_registry: add one here. Bodies are valid for the schema (so the permission check runs) but empty, stale or
refused by the service, so an allowed caller gets 2xx/400/409/422 and nothing is kept (each request is rolled back).
"""

from pcndev.accounts.models import Role
from tests.builders import AS_OF
from tests.delivery.review_builders import MEETING
from tests.security.access import (
    ANYONE,
    MANAGER_ROLES,
    MANAGERS,
    NATIONAL,
    NOBODY,
    OVERSEERS,
    SEES_A_PCN,
    TEMPLATE_MANAGERS,
    Rule,
    reach,
    related,
)
from tests.security.api_rule_helpers import A, act, edit, view
from tests.security.rules_api_accounts import ACCOUNTS_RULES
from tests.security.rules_api_cd import CD_PLAN_RULES
from tests.security.rules_api_papers import PAPERS_RULES

CD, PLACE_LEAD, SYSTEM_LEAD, MEMBER = Role.PCN_CD, Role.PLACE_LEAD, Role.SYSTEM_LEAD, Role.PRACTICE_MEMBER
# API operations and the Django URL names of the API's own pages (not operations), all public documents.
API_META = {"api:openapi-json", "api:openapi-view", "api:api-root"}


def _code(level):
    return lambda w, v: w.nodes[(level, v)].code


def _initiative(w, v) -> dict:
    return {"lock_version": 0, "title": "", "domain": "leadership", "cost_pence": 0}


# A practice's ratings: seen by its members and its PCN's CDs (404 for everyone else); rated by its members.
RATINGS = {"sees": related(), "reads": reach(CD, MEMBER), "deny": 404}
PLACE_DEFINERS = reach(Role.NATIONAL_ADMIN, Role.REGION_LEAD, SYSTEM_LEAD)
API_RULES = {
    A + "orgs_define_place": edit("defined_place", PLACE_DEFINERS, lambda w, v: {"name": "", "pcns": []}),
    A + "orgs_delete_place": edit("defined_place", PLACE_DEFINERS),
    # Organisations: lists are scoped (the leak scan checks their content); a node outside the reach is a 404.
    A + "orgs_me": view("global", ANYONE),
    **{A + f"orgs_list_{x}": view("global", ANYONE) for x in ("regions", "systems", "places", "pcns")},
    A + "orgs_list_practices": view("global", ANYONE),
    A + "orgs_get_region": view("region"),
    A + "orgs_get_system": view("system"),
    A + "orgs_get_place": view("place"),
    A + "orgs_get_pcn": view("pcn"),
    A + "orgs_get_practice": view("practice"),
    A + "orgs_practice_list_sizes": view("practice"),
    # Funding
    A + "funding_list_programmes": view("global", ANYONE),
    A + "funding_create_programme_endpoint": edit(
        "global",
        NATIONAL,
        lambda w, v: {
            "name": "",
            "financial_year": 2030,
            "national_total_pence": 1,
            "list_size_date": str(AS_OF),
        },
        sees=ANYONE,
    ),
    A + "funding_get_programme": view("programme", ANYONE),
    A + "funding_allocate_endpoint": edit(
        "programme_place",
        reach(*MANAGER_ROLES),
        lambda w, v: {"total_pence": 100, "scope": _code("place")(w, v)},
    ),
    A + "funding_get_run": view(
        "run_by_id", SEES_A_PCN, note="no line the role can see: 404, as on the page"
    ),
    A + "funding_balances": view("programme", ANYONE, query={"level": "pcn"}),
    A + "funding_ledger": view("programme", ANYONE),
    A + "funding_post_entry": edit(
        "programme_pcn",
        reach(*MANAGER_ROLES),
        lambda w, v: {"pcn": _code("pcn")(w, v), "kind": "spend", "amount_pence": 10**12},
    ),
    A + "funding_top_up": edit(
        "programme_pcn",
        reach(*MANAGER_ROLES),
        lambda w, v: {"level": "pcn", "code": _code("pcn")(w, v), "amount_pence": -1, "source": ""},
    ),
    # Self-assessment
    A + "maturity_list_templates": view("global", ANYONE),
    A + "maturity_create_template_endpoint": edit(
        "global", TEMPLATE_MANAGERS, lambda w, v: {"yaml": ""}, ANYONE
    ),
    A + "maturity_update_element": edit(
        "unused_element", TEMPLATE_MANAGERS, lambda w, v: {"title": "", "tag": "", "descriptors": []}, ANYONE
    ),
    A + "maturity_get_template": view("template", ANYONE),
    A + "maturity_get_template_yaml": Rule("template", {"export": ANYONE}),
    A + "maturity_copy_template_endpoint": edit(
        "template", TEMPLATE_MANAGERS, lambda w, v: {"name": ""}, ANYONE
    ),
    A + "maturity_list_rounds": view("global", ANYONE),
    A + "maturity_create_round_endpoint": edit(
        "global",
        MANAGERS,
        lambda w, v: {"name": "", "template": w.template.pk, "financial_year": 2019},
        ANYONE,
    ),
    A + "maturity_get_round": view("round", related()),
    A + "maturity_start_reassessment": act(
        "fresh_round", reach(*MANAGER_ROLES), lambda w, v: {"name": "x" * 201}, related()
    ),
    A + "maturity_get_assessment": view("open_assessment", related()),
    A + "maturity_reopen_assessment": act(
        "submitted_assessment", reach(CD, *MANAGER_ROLES), lambda w, v: {"reason": ""}, related()
    ),
    A + "maturity_get_ratings": view("rater", reach(CD, MEMBER), sees=related(), deny=404),
    A + "maturity_put_ratings": edit("rater", reach(MEMBER), lambda w, v: [], **RATINGS),
    A + "maturity_submit_ratings": act("rater", reach(MEMBER), **RATINGS),
    A + "maturity_reopen_ratings": act(
        "rater", NOBODY, note="the ratings are a draft: nothing to reopen", **RATINGS
    ),
    A + "maturity_get_consensus": view(
        "open_assessment", reach(CD), sees=related(), note="not submitted yet"
    ),
    A + "maturity_put_consensus": edit("open_assessment", reach(CD), lambda w, v: {"entries": []}, related()),
    A + "maturity_submit_consensus": act("open_assessment", reach(CD), sees=related()),
    A + "maturity_get_heatmap": view("round", related() & OVERSEERS, sees=related()),
    A + "maturity_get_needs": view("submitted_assessment", related()),
    A + "maturity_get_results": view("submitted_assessment", related()),
    A + "maturity_get_round_change": view("round", related() & OVERSEERS, sees=related()),
    # Support plans
    A + "plans_list_plans": view("programme", ANYONE),
    A + "plans_start_plan_endpoint": edit(
        "programme_pcn", reach(CD), lambda w, v: {"pcn": _code("pcn")(w, v)}
    ),
    A + "plans_get_version": view("version"),
    A + "plans_patch_version": edit("revision", reach(CD), lambda w, v: {"lock_version": -1}),
    A + "plans_add_initiative": edit("revision", reach(CD), _initiative),
    A + "plans_put_initiative": edit("initiative", reach(CD), _initiative),
    A + "plans_delete_initiative_endpoint": edit("initiative", reach(CD), query={"lock_version": -1}),
    A + "plans_get_eligibility": view("revision"),
    A + "plans_override_endpoint": edit("override", reach(PLACE_LEAD), lambda w, v: {"justification": ""}),
    A + "plans_list_actions": view("version"),
    A + "plans_act": (
        act("action_submit", reach(CD), lambda w, v: {}),
        act("action_agree", reach(CD, PLACE_LEAD), lambda w, v: {}),
        act("action_request_changes", reach(PLACE_LEAD, SYSTEM_LEAD), lambda w, v: {"comment": ""}),
        act("action_close", reach(PLACE_LEAD), lambda w, v: {}),
    ),
    A + "plans_awaiting": view("global", ANYONE),
    A + "plans_list_committee_decisions": view("programme_place"),
    A + "plans_record_committee_decision_endpoint": act(
        "programme_place",
        reach(PLACE_LEAD),
        lambda w, v: {"committee": "", "meeting_date": str(MEETING), "minute_reference": "", "versions": []},
    ),
    A + "plans_release_endpoint": act(
        "approved_version",
        reach(PLACE_LEAD),
        lambda w, v: {"amount_pence": 0, "mou_reference": "", "release_date": str(MEETING)},
    ),
    # Delivery, reviews, rollover
    A + "delivery_timetable": view("programme", ANYONE),
    A + "delivery_override": edit(
        "timetable_place",
        reach(PLACE_LEAD),
        lambda w, v: {"starts_on": "2019-09-02", "ends_on": "2019-09-01"},
    ),
    A + "delivery_pcn_journey": view("programme_pcn"),
    A + "delivery_journey_counts": view("programme", ANYONE),
    A + "delivery_overdue": view("programme", ANYONE),
    A + "dashboards_home": view("programme", ANYONE),
    A + "dashboards_national": view("programme", NATIONAL),
    A + "dashboards_node": tuple(view(f"dashboard_{x}") for x in ("region", "system", "place")),
    A + "reviews_schedule": view("programme", ANYONE),
    A + "reviews_set_schedule": edit(
        "programme",
        NATIONAL,
        lambda w, v: {"first_due": "2019-11-30", "last_due": "2020-03-31", "every_months": 2},
        ANYONE,
    ),
    A + "reviews_list": view("programme_pcn"),
    A + "reviews_get": view("review_due"),
    A + "reviews_save": edit("review_due", reach(CD, PLACE_LEAD), lambda w, v: {"lock_version": 0}),
    A + "reviews_submit": act("review_due", reach(CD, PLACE_LEAD), lambda w, v: {"lock_version": 0}),
    A + "rollover_preview": view("programme", ANYONE),
    A + "rollover_start": act(
        "programme", NATIONAL, lambda w, v: {"name": "", "national_total_pence": 0}, ANYONE
    ),
    A + "rollover_multi_year": view("pcn"),
}
API_RULES |= CD_PLAN_RULES | PAPERS_RULES | ACCOUNTS_RULES
