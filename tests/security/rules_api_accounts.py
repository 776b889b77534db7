"""Rules for the API operations of pcndev/api/accounts.py (merged into rules_api.API_RULES).

Built with rules_api's helpers (view, edit, act) and kinds from tests/security/kinds.py. As the page
(rules_ui.py's accounts:notifications): anyone signed in reads and sets their own preferences."""

from tests.security.access import ANYONE
from tests.security.api_rule_helpers import A, edit, view

ACCOUNTS_RULES: dict = {
    A + "accounts_notifications": view("global", ANYONE),
    A + "accounts_set_notifications": edit(
        "global", ANYONE, lambda w, v: {"email_notifications": True}, sees=ANYONE
    ),
}
