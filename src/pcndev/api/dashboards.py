"""Dashboards in the API: the same figures as the pages (dashboards.service.build), scoped the same way (a node
outside the user's reach is a 404). Money is integer pence."""

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema

from pcndev.dashboards import figures as fg
from pcndev.dashboards.nodes import NATIONAL, home_nodes, node_or_404, node_url
from pcndev.dashboards.service import build
from pcndev.funding.models import Programme

router = Router(tags=["dashboards"])


class CountOut(Schema):
    key: str
    label: str
    count: int


class MoneyOut(Schema):
    allocated: int
    topped_up: int
    funds: int = Field(description="Allocated and local top-ups")
    committed: int
    released: int
    spent: int
    returned: int
    available: int = Field(description="Funds not yet committed")
    underspend: int = Field(description="Funds not spent: funds − spent")
    released_unspent: int = Field(description="Released and not spent: released − spent")


class FiguresOut(Schema):
    pcns: int
    assessed: int = Field(description="PCNs with a submitted self-assessment for the programme's year")
    not_assessed: int
    plans: list[CountOut] = Field(description="PCNs by their latest plan version's state ('none': no plan)")
    journey: list[CountOut] = Field(description="PCNs at each current step 1–6, then 'done' (every step)")
    rag: list[CountOut] = Field(description="Initiatives by RAG in each plan's latest submitted review")
    reviewed_pcns: int = Field(description="PCNs whose plan has a submitted progress review")
    overdue: int = Field(description="Overdue actions")
    overdue_pcns: int
    money: MoneyOut


class ChildOut(Schema):
    level: str
    code: str
    name: str
    figures: FiguresOut


class DashboardActionOut(Schema):
    pcn: str
    pcn_name: str
    key: str
    what: str
    due: datetime.date | None
    holder: str
    days_overdue: int
    href: str = Field(description="The page where it is done")


class DashboardAreaChangeOut(Schema):
    area: str
    title: str
    compared: int = Field(
        description="PCNs with a submitted consensus in both rounds and a score for the area"
    )
    baseline_mean: float | None
    current_mean: float | None
    change: float | None = Field(
        description="current_mean − baseline_mean, as the round's change page shows it"
    )
    improved: int
    unchanged: int
    fell: int


class MaturityOut(Schema):
    rounds: list[int] = Field(description="The re-assessment rounds compared with their baselines")
    compared: int = Field(description="PCNs with a submitted consensus in a re-assessment and its baseline")
    areas: list[DashboardAreaChangeOut]


class DashboardOut(Schema):
    programme: int
    programme_name: str
    year: str
    level: str
    code: str
    name: str
    on: datetime.date
    figures: FiguresOut
    child_level: str
    children: list[ChildOut]
    overdue: list[DashboardActionOut] = Field(description="Overdue actions, oldest first")
    awaiting: list[DashboardActionOut] = Field(description="Plan steps and self-assessment work awaiting you")
    maturity: MaturityOut | None = Field(description="None when the programme has no re-assessment round")


class HomeOut(Schema):
    level: str
    code: str
    name: str
    url: str


def figures_out(t: fg.Tally) -> dict:
    m = t.money
    return {
        "pcns": t.pcns,
        "assessed": t.assessed,
        "not_assessed": t.not_assessed,
        "plans": [{"key": k, "label": label, "count": n} for k, label, n in t.plan_counts()],
        "journey": [
            {"key": str(i + 1) if i < len(fg.STEP_LABELS) - 1 else "done", "label": label, "count": n}
            for i, (label, n) in enumerate(zip(fg.STEP_LABELS, t.steps, strict=True))
        ],
        "rag": [{"key": k or "not_rated", "label": label, "count": n} for k, label, n in t.rag_counts()],
        "reviewed_pcns": t.reviewed,
        "overdue": t.overdue,
        "overdue_pcns": t.overdue_pcns,
        "money": {
            **{k: getattr(m, k) for k in ("allocated", "topped_up", "funds", "committed", "released")},
            **{k: getattr(m, k) for k in ("spent", "returned", "available")},
            "underspend": t.underspend,
            "released_unspent": t.released_unspent,
        },
    }


def _action(a) -> dict:
    return {
        "pcn": a.pcn.code,
        "pcn_name": a.pcn.name,
        "key": a.key,
        "what": a.what,
        "due": a.due,
        "holder": a.holder,
        "days_overdue": a.days_overdue,
        "href": a.href,
    }


def _area(a) -> dict:
    return {
        "area": a.code,
        "title": a.title,
        "compared": a.compared,
        "baseline_mean": a.baseline_mean,
        "current_mean": a.current_mean,
        "change": a.change,
        "improved": a.improved,
        "unchanged": a.unchanged,
        "fell": a.fell,
    }


def dashboard_out(d) -> dict:
    m = d.maturity
    return {
        "programme": d.programme.pk,
        "programme_name": d.programme.name,
        "year": d.programme.year_label,
        "level": d.node.level,
        "code": d.node.code,
        "name": d.node.name,
        "on": d.today,
        "figures": figures_out(d.total),
        "child_level": d.node.child_level,
        "children": [
            {"level": d.node.child_level, "code": c.code, "name": c.name, "figures": figures_out(t)}
            for c, t in d.children
        ],
        "overdue": [_action(a) for a in d.overdue],
        "awaiting": [_action(a) for a in d.awaiting],
        "maturity": None
        if m is None
        else {
            "rounds": [r.pk for r in m.rounds],
            "compared": m.compared,
            "areas": [_area(a) for a in m.areas],
        },
    }


def _dashboard(request, pk: int, level: str, code: str, on: datetime.date | None):
    programme = get_object_or_404(Programme, pk=pk)
    node = node_or_404(request.user, level, code)
    return dashboard_out(build(request.user, programme, node, on or timezone.localdate()))


@router.get("/dashboards/{pk}", response=list[HomeOut], operation_id="pcndev_api_dashboards_home")
def home(request, pk: int):
    """The dashboards the user lands on for the programme (their roles' nodes); empty for a PCN or practice role."""
    programme = get_object_or_404(Programme, pk=pk)
    return [
        {"level": n.level, "code": n.code, "name": n.name, "url": node_url(programme.pk, n)}
        for n in home_nodes(request.user)
    ]


@router.get("/dashboards/{pk}/national", response=DashboardOut, operation_id="pcndev_api_dashboards_national")
def national(request, pk: int, on: datetime.date | None = None):
    """England's dashboard (national administrators); `on` is the day overdue items are worked out for."""
    return _dashboard(request, pk, NATIONAL, "", on)


@router.get(
    "/dashboards/{pk}/{level}/{code}", response=DashboardOut, operation_id="pcndev_api_dashboards_node"
)
def node(request, pk: int, level: str, code: str, on: datetime.date | None = None):
    """A region's, system's or place's dashboard, for users whose roles reach it."""
    if level == NATIONAL:
        raise Http404("No such dashboard")
    return _dashboard(request, pk, level, code, on)
