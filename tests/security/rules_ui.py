"""Every page's rule, keyed by URL name. A page without a rule fails test_registry: add one here."""

from pcndev.accounts.models import Role
from tests.security.access import (
    ANYONE,
    MANAGER_ROLES,
    MANAGERS,
    NATIONAL,
    OVERSEERS,
    SEES_A_PCN,
    SEES_A_PLACE,
    TEMPLATE_MANAGERS,
    Rule,
    reach,
    related,
)

CD, PLACE_LEAD, SYSTEM_LEAD = Role.PCN_CD, Role.PLACE_LEAD, Role.SYSTEM_LEAD
DEFINERS = (Role.NATIONAL_ADMIN, Role.REGION_LEAD, SYSTEM_LEAD)
REDIRECTS = frozenset({200, 302})
CSV_XLSX = ("csv", "xlsx")


def _v(who, **kw) -> Rule:
    return Rule(kw.pop("kind"), {"view": who}, **kw)


def _ve(kind, who, sees=None, **kw) -> Rule:
    """A form page: GET shows it, POST changes something; both for `who`."""
    return Rule(kind, {"view": who, "edit": who}, sees=sees, **kw)


def _vx(kind, who, formats=CSV_XLSX, **kw) -> Rule:
    """A page that also downloads (?format=csv|xlsx)."""
    return Rule(kind, {"view": who, "export": who}, export=formats, **kw)


SCHEDULE = {
    "first_due[month]": "11",
    "first_due[year]": "2019",
    "last_due[month]": "3",
    "last_due[year]": "2020",
    "every_months": "2",
}

UI_RULES = {
    "home": Rule("public", {"view": ANYONE}, public=True),
    "healthz": Rule("public", {"view": ANYONE}, public=True, note="for load balancers: no data"),
    "search": _v(ANYONE, kind="global", query={"q": "Region"}),
    "orgs:index": _v(ANYONE, kind="global", ok=REDIRECTS, note="others are sent to their own organisations"),
    "orgs:region": _v(reach(), kind="region"),
    "orgs:system": _v(reach(), kind="system"),
    "orgs:place-list": _v(reach(), kind="system"),
    "orgs:place-new": _ve("system", reach(*DEFINERS), sees=reach()),
    "orgs:place-edit": _ve("defined_place", reach(*DEFINERS), sees=reach()),
    "orgs:place": _v(reach(), kind="place"),
    "orgs:pcn": _v(reach(), kind="pcn"),
    "orgs:practice": _v(reach(), kind="practice"),
    # Signing in is for everyone (signed-in users are sent on); its POST is exercised by test_login_and_session.
    "accounts:login": Rule("public", {"view": ANYONE}, public=True, ok=REDIRECTS),
    "accounts:logout": Rule("public", {"edit": ANYONE}, public=True, ok=frozenset({302}), note="POST only"),
    "accounts:my-organisations": _v(ANYONE, kind="global"),
    "accounts:notifications": _ve("global", ANYONE, body=lambda w, v: {"email_notifications": "yes"}),
    # Funding
    "funding:programmes": _vx("global", ANYONE),
    "funding:programme-new": _ve("global", NATIONAL, sees=ANYONE),
    "funding:programme": _vx("programme", ANYONE),
    "funding:ledger": _vx("programme", SEES_A_PCN, sees=ANYONE),
    "funding:system": _vx("programme_system", reach()),
    "funding:place": _vx("programme_place", reach()),
    "funding:pcn": _vx("programme_pcn", reach()),
    "funding:entry-new": _ve("entry_new", reach(*MANAGER_ROLES), sees=reach()),
    "funding:reverse": _ve("entry_reverse", reach(*MANAGER_ROLES), sees=reach()),
    "funding:run": _vx("run", SEES_A_PCN),
    "funding:compare": _vx("programme", SEES_A_PLACE, sees=ANYONE, query={"total": "100000"}),
    "funding:allocate": _ve("programme", MANAGERS, sees=ANYONE),
    "funding:top-up": _ve("top_up_place", reach(*MANAGER_ROLES), sees=reach()),
    # Self-assessment: templates are national data; rounds and assessments follow involvement.
    "maturity:index": _v(ANYONE, kind="global"),
    "maturity:templates": _v(ANYONE, kind="global"),
    "maturity:template-upload": _ve("global", TEMPLATE_MANAGERS, sees=ANYONE),
    "maturity:template": _vx("template", ANYONE, formats=("yaml",)),
    "maturity:template-copy": _ve("template", TEMPLATE_MANAGERS, sees=ANYONE),
    "maturity:element-edit": _ve("unused_element", TEMPLATE_MANAGERS, sees=ANYONE),
    "maturity:round-new": _ve("global", MANAGERS, sees=ANYONE),
    "maturity:round": _v(related(), kind="round"),
    "maturity:heatmap": _v(related() & OVERSEERS, kind="round", sees=related()),
    "maturity:reassess": _ve("fresh_round", reach(*MANAGER_ROLES), sees=related()),
    "maturity:change": _v(related() & OVERSEERS, kind="round", sees=related()),
    "maturity:export": Rule("round", {"export": related()}),
    "maturity:pcn": _v(related(), kind="open_assessment"),
    "maturity:rate": Rule(
        "rater",
        {"view": reach(CD, Role.PRACTICE_MEMBER), "edit": reach(Role.PRACTICE_MEMBER)},
        sees=related(),
        deny=404,
        note="a practice's ratings: its members and its PCN's CDs; only its members rate it",
    ),
    "maturity:rate-summary": Rule(
        "rater",
        {"view": reach(CD, Role.PRACTICE_MEMBER), "transition": reach(Role.PRACTICE_MEMBER)},
        sees=related(),
        deny=404,
        body=lambda w, v: {"action": "submit_response"},
    ),
    "maturity:consensus": _ve("open_assessment", reach(CD), sees=related(), deny=404),
    "maturity:consensus-submit": Rule(
        "open_assessment",
        {"view": reach(CD), "transition": reach(CD)},
        sees=related(),
        deny=404,
        body=lambda w, v: {"improvement_priority": "", "action": "submit_assessment"},
    ),
    "maturity:reopen": _ve("submitted_assessment", reach(CD, *MANAGER_ROLES), sees=related()),
    "maturity:results": (
        _v(related(), kind="submitted_assessment"),
        _v(reach(CD), kind="open_assessment", sees=related(), note="not submitted: its CDs only"),
    ),
    # Committee paper: anyone who sees the place. Its recommendation table lists every place of the system (list
    # sizes and funding), also to a place lead: reported for a product decision, allowed here by name.
    "papers:place": _v(reach(), kind="programme_place", shows_system_places=True),
    "papers:docx": Rule("programme_place", {"export": reach()}, shows_system_places=True),
    "papers:pdf": Rule("programme_place", {"export": reach()}, shows_system_places=True),
    "papers:prepare": Rule("programme_place", {"edit": reach()}, note="POST only: queue the PDF or DOCX"),
    "papers:prepared": Rule("prepared_paper", {"export": reach()}, ok=REDIRECTS, shows_system_places=True),
    # Support plans: read by whoever sees the PCN; changed by its parties only (CD, place lead, system lead).
    "plans:index": _v(ANYONE, kind="global"),
    "plans:awaiting": _v(ANYONE, kind="global"),
    "plans:list": _v(ANYONE, kind="programme"),
    "plans:start": Rule("programme_pcn", {"view": reach(), "edit": reach(CD)}, ok=frozenset({302})),
    "plans:committee": _ve("programme_place", reach(PLACE_LEAD), sees=reach()),
    "plans:cd-list": _v(ANYONE, kind="programme"),
    "plans:cd-director": Rule("director_plan", {"view": reach(), "edit": reach(CD)}),
    "plans:cd-place": Rule("programme_place", {"view": reach(), "edit": reach(PLACE_LEAD)}),
    "plans:version": _v(reach(), kind="version"),
    "plans:version-edit": _ve("revision", reach(CD), sees=reach()),
    "plans:action": (
        _ve("action_submit", reach(CD), sees=reach()),
        _ve("action_agree", reach(CD, PLACE_LEAD), sees=reach()),
        _ve("action_request_changes", reach(PLACE_LEAD, SYSTEM_LEAD), sees=reach()),
        _ve("action_close", reach(PLACE_LEAD), sees=reach()),
    ),
    "plans:release": _ve("approved_version", reach(PLACE_LEAD), sees=reach()),
    "plans:initiative-new": _ve("revision", reach(CD), sees=reach()),
    "plans:initiative-edit": _ve("initiative", reach(CD), sees=reach()),
    "plans:initiative-delete": _ve("initiative", reach(CD), sees=reach()),
    "plans:override": _ve("override", reach(PLACE_LEAD), sees=reach()),
    # Delivery
    "delivery:index": _v(ANYONE, kind="global"),
    "delivery:timetable": _v(ANYONE, kind="programme"),
    "delivery:timetable-edit": _ve("timetable_place", reach(PLACE_LEAD), sees=reach(), deny=404),
    "delivery:journey": _v(ANYONE, kind="programme"),
    "delivery:pcn-journey": _v(reach(), kind="programme_pcn"),
    "delivery:overdue": _v(ANYONE, kind="programme"),
    "delivery:review-schedule": Rule(
        "programme", {"view": ANYONE, "edit": NATIONAL}, body=lambda w, v: SCHEDULE
    ),
    "delivery:pcn-reviews": _v(reach(), kind="programme_pcn"),
    "delivery:review": Rule("review_due", {"view": reach(), "edit": reach(CD, PLACE_LEAD)}),
    "delivery:cd-reviews": _v(reach(), kind="cd_plan_reviews"),
    "delivery:cd-review": Rule("cd_review_due", {"view": reach(), "edit": reach(CD, PLACE_LEAD)}),
    "delivery:rollover": Rule("programme", {"view": ANYONE, "edit": NATIONAL}),
    "delivery:multi-year": _v(reach(), kind="pcn"),
    # Dashboards: a node inside the role's reach, at place level or above.
    "dashboards:index": _v(ANYONE, kind="global", ok=REDIRECTS),
    "dashboards:programme": _v(ANYONE, kind="programme", ok=REDIRECTS),
    "dashboards:national": _v(NATIONAL, kind="programme"),
    "dashboards:node": tuple(_v(reach(), kind=f"dashboard_{x}") for x in ("region", "system", "place")),
}
