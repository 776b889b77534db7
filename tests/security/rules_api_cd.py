"""Rules for the API operations of pcndev/api/cd_plans.py and cd_plan_reviews.py (merged into rules_api.API_RULES),
mirroring the pages' rules (rules_ui: plans:cd-list, plans:cd-director, plans:cd-place, delivery:cd-reviews and
delivery:cd-review).

Built with rules_api's helpers (view, edit, act) and kinds from tests/security/kinds.py. Bodies pass the schema but
are stale (lock_version -1) or empty, so an allowed caller gets 201/200/400/409 and nothing is kept."""

from pcndev.accounts.models import Role
from tests.security.access import ANYONE, reach
from tests.security.api_rule_helpers import A, act, edit, view

CD, PLACE_LEAD = Role.PCN_CD, Role.PLACE_LEAD


def _stale_item(w, v) -> dict:
    return {"lock_version": -1, "kind": "coaching", "description": "Coaching", "cost_pence": 0}


def _stale(w, v) -> dict:
    return {"lock_version": -1}


CD_PLAN_RULES: dict = {
    A + "cd_plans_list": view("programme", ANYONE),
    A + "cd_plans_get_director": view("director_plan"),
    A + "cd_plans_add_director_item": edit("director_plan", reach(CD), _stale_item),
    A + "cd_plans_agree_director": act("director_plan", reach(PLACE_LEAD), _stale),
    A + "cd_plans_get_place": view("programme_place"),
    A + "cd_plans_add_place_item": edit("programme_place", reach(PLACE_LEAD), _stale_item),
    A + "cd_plans_agree_place": act("programme_place", reach(PLACE_LEAD), _stale),
    # Reviews: the agreed 2019/20 plan of each variant's director, October's review (not saved yet).
    A + "cd_plans_reviews": view("cd_plan_reviews"),
    A + "cd_plans_get_review": view("cd_review_due"),
    A + "cd_plans_save_review": edit("cd_review_due", reach(CD, PLACE_LEAD), _stale),
    A + "cd_plans_submit_review": act("cd_review_due", reach(CD, PLACE_LEAD), _stale),
}
