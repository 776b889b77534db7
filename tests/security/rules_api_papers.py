"""Rules for the API operations of pcndev/api/papers.py (merged into rules_api.API_RULES).

Built with rules_api's helpers (view, edit, act) and kinds from tests/security/kinds.py. As the pages
(rules_ui.py's papers:*): whoever sees the place may read, download and prepare its paper, which names the other
places of the system by design; the stored file is a 409 while none has been prepared."""

from tests.security.access import Rule, reach
from tests.security.api_rule_helpers import A, edit, view

PAPERS_RULES: dict = {
    A + "papers_get_paper": view("programme_place", shows_system_places=True),
    A + "papers_docx": Rule("programme_place", {"export": reach()}, shows_system_places=True),
    A + "papers_pdf": Rule("programme_place", {"export": reach()}, shows_system_places=True),
    A + "papers_prepare": edit(
        "programme_place", reach(), lambda w, v: {"kind": "pdf"}, note="queue the PDF or DOCX"
    ),
    A + "papers_prepared": view("programme_place"),
    A + "papers_prepared_file": Rule(
        "prepared_paper", {"export": reach()}, ok=frozenset({200, 409}), shows_system_places=True
    ),
}
