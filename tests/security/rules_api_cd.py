"""Rules for the API operations of pcndev/api/cd_plans.py (merged into rules_api.API_RULES).

Built with rules_api's helpers (view, edit, act) and kinds from tests/security/kinds.py."""

CD_PLAN_RULES: dict = {}
