"""Rules for the API operations of pcndev/api/papers.py (merged into rules_api.API_RULES).

Built with rules_api's helpers (view, edit, act) and kinds from tests/security/kinds.py."""

PAPERS_RULES: dict = {}
