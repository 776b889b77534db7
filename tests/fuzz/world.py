"""The world the fuzzer runs in: the demo data (a funded programme, plans in every state, an open round with
ratings, progress reviews), an API token for a user of each role, and the real ids and codes each path parameter
can take, so that generated requests reach real objects as well as missing ones."""

import datetime
from dataclasses import dataclass, field

from pcndev.accounts.models import ApiToken, Role, User
from pcndev.accounts.roles import grant_role
from pcndev.delivery import timetable
from pcndev.demo.build import build_demo, ensure_users
from pcndev.demo.maturity import build_maturity
from pcndev.demo.money import build_money
from pcndev.demo.plans import build_plans
from pcndev.orgs.models import PCN
from pcndev.plans import workflow

# The demo users, one per role (the region lead too: it is a role like the others).
ROLE_USERS = {
    Role.NATIONAL_ADMIN: "admin@pcndev.example",
    Role.REGION_LEAD: "region.lead@pcndev.example",
    Role.SYSTEM_LEAD: "system.lead@pcndev.example",
    Role.PLACE_LEAD: "place.lead@pcndev.example",
    Role.PCN_CD: "cd@pcndev.example",
    Role.PRACTICE_MEMBER: "practice@pcndev.example",
    Role.VIEWER: "viewer@pcndev.example",
}
LEVELS = ["national", "region", "system", "place", "pcn", "practice"]
PER_KIND = 6  # real values kept per kind of object: enough variety, a small strategy


@dataclass
class FuzzWorld:
    tokens: dict[str, str]  # role → raw bearer token
    values: dict[str, list] = field(default_factory=dict)  # kind of path value → real values
    fields: dict[str, list] = field(default_factory=dict)  # body or query field name → real values
    # Values that belong together (one plan version, or the CD's PCN): its programme, PCN, place, rounds, …
    stories: list[dict[str, list]] = field(default_factory=list)
    emails: dict[str, str] = field(default_factory=dict)  # role (or CD of a PCN) → the user's email

    def users(self) -> dict[str, User]:
        by_email = {u.email: u for u in User.objects.filter(email__in=self.emails.values())}
        return {identity: by_email[email] for identity, email in self.emails.items()}

    def path_values(self, path: str, name: str, story: dict | None = None) -> list:
        """Real values for the path parameter `name` of the operation at `path` (empty: none known)."""
        kind = _kind(path, name)
        return (story or {}).get(kind) or self.values.get(kind, [])

    def field_values(self, name: str, story: dict | None = None) -> list:
        return (story or {}).get("field:" + name) or self.fields.get(name, [])

    def live_lock(self, path: str, params: dict) -> int | None:
        """The lock version the object at this path has now (what a client that just read it would send)."""
        from pcndev.delivery.review_models import ProgressReview
        from pcndev.plans.models import PlanVersion

        try:
            if path.startswith("/api/v1/plans/versions/{pk}"):
                return PlanVersion.objects.filter(pk=int(params["pk"])).values_list(
                    "lock_version", flat=True
                )[0]
            if "/reviews/{code}/{due}" in path:
                row = ProgressReview.objects.filter(
                    plan__programme_id=int(params["pk"]), plan__pcn__code=params["code"], due=params["due"]
                ).first()
                return row.lock_version if row else 0
        except (IndexError, KeyError, OverflowError, TypeError, ValueError):
            return None
        return None


def _draft_plan() -> None:
    """A plan being written (the demo's are all past draft): a PCN with a submitted self-assessment and no
    plan yet gets a draft with one initiative, started by its clinical director."""
    from pcndev.funding.models import Programme, ProgrammePriority
    from pcndev.maturity.models import PCNAssessment
    from pcndev.plans.editing import InitiativeData, Measure, save_initiative, start_plan

    programme = Programme.objects.order_by("financial_year", "pk").first()
    if programme is None:
        return
    year = programme.financial_year
    submitted = PCNAssessment.objects.filter(status="submitted", round__financial_year=year)
    pcn = PCN.objects.filter(assessments__in=submitted, plans__isnull=True).order_by("code").first()
    if pcn is None:
        return
    user = User.objects.create_user(email=f"cd.{pcn.code.lower()}@fuzz.example", full_name=f"CD {pcn.code}")
    grant_role(user, Role.PCN_CD, pcn)
    version = start_plan(programme, pcn, user)
    domain = ProgrammePriority.objects.filter(programme=programme, kind="domain").order_by("pk").first()
    data = InitiativeData(
        "Coaching for the clinical director",
        domain.code,
        2_000_00,
        support_required="Six sessions",
        existing_funds_checked=True,
        measures=[Measure("Sessions held", "6", datetime.date(2020, 3, 31))],
    )
    save_initiative(version, version.lock_version, user, data)


def cd_identity(code: str) -> str:
    return f"{Role.PCN_CD}:{code}"


def _kind(path: str, name: str) -> str:
    """Which kind of object a path parameter names, from where it sits in the path."""
    segments = path.strip("/").split("/")
    before = ""
    for i, s in enumerate(segments):
        if s == "{" + name + "}":
            before = segments[i - 1] if i else ""
            break
    if name == "pk":
        return {
            "runs": "run",
            "templates": "template",
            "rounds": "round",
            "versions": "version",
        }.get(before, "programme")
    if name == "code":
        if before in ("regions", "systems", "places", "practices"):
            return before
        if "{level}" in path:
            return "node"
        return "pcns"
    return name


def build_world() -> FuzzWorld:
    """Build the demo data in the current database and issue a token for each role's user."""
    build_demo()
    ensure_users()
    build_money()
    build_maturity()
    build_plans()
    tokens, emails = {}, dict(ROLE_USERS)
    for role, email in ROLE_USERS.items():
        _, raw = ApiToken.objects.issue(User.objects.get(email=email), "fuzz")
        tokens[role] = raw
    _draft_plan()
    for pcn in PCN.objects.filter(plans__isnull=False).distinct().order_by("code")[:PER_KIND]:
        # the demo's plans belong to PCNs whose clinical directors have no log-in: give each one
        email = f"cd.{pcn.code.lower()}@fuzz.example"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, full_name=f"CD {pcn.code}")
            grant_role(user, Role.PCN_CD, pcn)
        tokens[cd_identity(pcn.code)] = ApiToken.objects.issue(user, "fuzz")[1]
        emails[cd_identity(pcn.code)] = user.email
    values = collect_values()
    return FuzzWorld(tokens, values, collect_fields(values), collect_stories(values), emails)


def _some(qs, *fields) -> list:
    rows = qs.values_list(*fields, flat=True) if len(fields) == 1 else qs.values_list(*fields)
    return list(rows[:PER_KIND])


def collect_values() -> dict[str, list]:
    from pcndev.delivery.review_models import ProgressReview
    from pcndev.funding.models import AllocationRun, Programme
    from pcndev.maturity.models import AssessmentRound, MatrixTemplate
    from pcndev.orgs.models import Place, Practice, Region, System
    from pcndev.plans.models import Initiative, PlanVersion

    cd_pcn = User.objects.get(email=ROLE_USERS[Role.PCN_CD]).role_memberships.first().pcn
    pcns = [cd_pcn.code] + _some(PCN.objects.exclude(pk=cd_pcn.pk).order_by("code"), "code")
    practices = _some(Practice.objects.filter(memberships__pcn=cd_pcn).order_by("code"), "code")
    practices += _some(Practice.objects.order_by("-code"), "code")[:2]
    places = _some(Place.objects.order_by("code"), "code")
    systems = _some(System.objects.order_by("code"), "code")
    regions = _some(Region.objects.order_by("code"), "code")
    versions = _some(PlanVersion.objects.order_by("-plan__pcn_id", "state"), "pk")
    dues = sorted({d.isoformat() for d in ProgressReview.objects.values_list("due", flat=True)})
    dues += [datetime.date(2019, m, 30).isoformat() for m in (11, 9)] + ["2020-03-31"]
    return {
        "programme": _some(Programme.objects.order_by("pk"), "pk"),
        "run": _some(AllocationRun.objects.order_by("pk"), "pk"),
        "template": _some(MatrixTemplate.objects.order_by("pk"), "pk"),
        "round": _some(AssessmentRound.objects.order_by("pk"), "pk"),
        "version": versions,
        "iid": _some(Initiative.objects.filter(version__pk__in=versions).order_by("pk"), "pk"),
        "pcns": pcns,
        "practices": practices,
        "places": places,
        "systems": systems,
        "regions": regions,
        "node": pcns[:2] + places[:2] + systems[:2] + regions[:1],
        "who": ["cd"] + practices[:3],
        "level": LEVELS,
        "kind": list(timetable.KINDS),
        "action": [t.action for t in workflow.TRANSITIONS],
        "due": dues,
    }


def collect_fields(values: dict[str, list]) -> dict[str, list]:
    """Real values for the body and query fields that name objects (by field name, whatever the operation)."""
    from pcndev.funding.models import LedgerEntry, ProgrammePriority
    from pcndev.maturity.models import Area, DevelopmentNeed, Element
    from pcndev.plans.models import OutputMeasure, PlanVersion

    template = values["template"][0] if values["template"] else None
    elements = Element.objects.filter(area__template_id=template).order_by("pk")
    areas = _some(Area.objects.filter(template_id=template).order_by("pk"), "pk")
    locks = sorted(set(PlanVersion.objects.values_list("lock_version", flat=True)) | {0, 1})
    nodes = values["places"][:2] + values["systems"][:2]
    return {
        "pcn": values["pcns"],
        "place": values["places"],
        "system": values["systems"],
        "region": values["regions"],
        "code": values["pcns"][:3] + nodes,
        "scope": ["national", *nodes, *(f"pcn:{c}" for c in values["pcns"][:2])],
        "level": ["system", "place", "pcn"],
        "kind": [k for k, _ in LedgerEntry.Kind.choices],
        "fund": [f for f, _ in LedgerEntry.Fund.choices],
        "template": values["template"],
        "baseline": values["round"],
        "element": _some(elements, "code"),
        "elements": [_some(elements, "pk")[:2]],
        "area": areas,
        "support_area_ids": [areas[:2]],
        "domain": _some(ProgrammePriority.objects.filter(kind="domain").order_by("pk"), "code"),
        "priorities": [_some(ProgrammePriority.objects.filter(kind="priority").order_by("pk"), "code")[:2]],
        "versions": [values["version"][:2], values["version"][:1]],
        "needs": [_some(DevelopmentNeed.objects.order_by("pk"), "pk")[:2]],
        "initiative_id": values["iid"],
        "measure_id": _some(OutputMeasure.objects.filter(initiative__in=values["iid"]).order_by("pk"), "pk"),
        "reverses": _some(LedgerEntry.objects.order_by("-pk"), "pk"),
        "lock_version": locks[:PER_KIND],
    }


def collect_stories(values: dict[str, list]) -> list[dict[str, list]]:
    """One story per plan version (its programme, PCN, place, system, initiatives, review dates, rounds), and
    one for the CD's PCN, so that every path parameter of an operation can name the same PCN's things."""
    from pcndev.delivery.review_models import ProgressReview
    from pcndev.delivery.reviewing import due_dates_for
    from pcndev.maturity.models import PCNAssessment
    from pcndev.orgs.models import Practice
    from pcndev.plans.models import OutputMeasure, PlanVersion

    def about(pcn) -> dict[str, list]:
        practices = _some(Practice.objects.filter(memberships__pcn=pcn).order_by("code"), "code")
        rounds = _some(PCNAssessment.objects.filter(pcn=pcn).order_by("round_id"), "round_id")
        return {
            "pcns": [pcn.code],
            "places": [pcn.place.code],
            "systems": [pcn.place.system.code],
            # a level and a code go together position by position (the first of each, the second of each…)
            "level": ["place", "system", "pcn"],
            "node": [pcn.place.code, pcn.place.system.code, pcn.code],
            "field:level": ["pcn", "place"],
            "round": rounds,
            "who": ["cd", *practices[:2]],
            "field:pcn": [pcn.code],
            "field:code": [pcn.code, pcn.place.code],
            "field:place": [pcn.place.code],
            "field:system": [pcn.place.system.code],
        }

    cd_pcn = PCN.objects.select_related("place__system").get(code=values["pcns"][0])
    stories = [{**about(cd_pcn), "roles": [Role.PCN_CD, Role.PRACTICE_MEMBER, Role.PLACE_LEAD]}]
    versions = PlanVersion.objects.filter(pk__in=values["version"]).select_related("plan__pcn__place__system")
    for v in versions.order_by("pk"):
        iids = _some(v.initiatives.order_by("position", "pk"), "pk")
        submitted = set(
            ProgressReview.objects.filter(plan=v.plan, state="submitted").values_list("due", flat=True)
        )
        scheduled = [d for d in due_dates_for(v.plan.programme) if d not in submitted]
        dues = [d.isoformat() for d in [*scheduled[-2:], *sorted(submitted)]] or values["due"][:3]
        stories.append(
            {
                **about(v.plan.pcn),
                "roles": [cd_identity(v.plan.pcn.code), Role.PLACE_LEAD, Role.SYSTEM_LEAD],
                "programme": [v.plan.programme_id],
                "version": [v.pk],
                "iid": iids,
                "due": dues,
                "field:versions": [[v.pk]],
                "field:initiative_id": iids,
                "field:measure_id": _some(
                    OutputMeasure.objects.filter(initiative__in=iids).order_by("pk"), "pk"
                ),
            }
        )
    return stories
