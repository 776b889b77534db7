"""Dashboard pages: the user's landing dashboard, a node's dashboard and its tables as CSV or XLSX. Thin: the
figures come from dashboards.service.build, the tables and charts from their own modules."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from pcndev.accounts.scope import visible
from pcndev.dashboards import charts, tables
from pcndev.dashboards.nodes import LEVELS, NATIONAL, ancestors, home_nodes, node_or_404, node_url
from pcndev.dashboards.service import build
from pcndev.exports import FORMATS, download
from pcndev.funding.models import Programme
from pcndev.orgs.models import PCN

SHOWN_ACTIONS = 10  # overdue items listed on the page; the download has every one


def bad_request(request, message: str):
    return render(
        request, "dashboards/bad_request.jinja", {"message": message, "nav": "dashboards"}, status=400
    )


def _programme(pk) -> Programme:
    programme = Programme.objects.filter(pk=pk).first()
    if programme is None:
        raise Http404("No such programme")
    return programme


@login_required
def index(request):
    """/dashboards/ (optionally ?programme=ID, and ?level=… with ?code=… for a node): off to the clean address."""
    raw, level, code = (request.GET.get(k, "").strip() for k in ("programme", "level", "code"))
    if raw and not raw.isdigit():
        return bad_request(request, f"“{raw}” is not a programme number. Choose a programme from the list.")
    if level and level not in LEVELS:
        return bad_request(request, "Choose national, region, system or place as the level.")
    if level and level != NATIONAL and not code:
        return bad_request(request, f"Give the ODS code of the {level} whose dashboard you want.")
    programme = _programme(raw) if raw else Programme.objects.first()
    if programme is None:
        return render(request, "dashboards/no_programme.jinja", {"nav": "dashboards"})
    if level == NATIONAL:
        return redirect("dashboards:national", programme.pk)
    if level:
        return redirect("dashboards:node", programme.pk, level, code)
    return redirect("dashboards:programme", programme.pk)


@login_required
def programme_home(request, pk: int):
    """The user lands on the dashboard for their highest scope; with several, they choose."""
    programme = _programme(pk)
    nodes = home_nodes(request.user)
    if len(nodes) == 1:
        return redirect(node_url(programme.pk, nodes[0]))
    context = {"programme": programme, "programmes": Programme.objects.all(), "nav": "dashboards"}
    if nodes:
        rows = [(n, node_url(programme.pk, n)) for n in nodes]
        return render(request, "dashboards/choose.jinja", {**context, "rows": rows})
    pcns = visible(request.user, PCN).select_related("place").order_by("name")[:50]
    return render(request, "dashboards/pcn_pages.jinja", {**context, "pcns": pcns})


@login_required
def national(request, pk: int):
    return _dashboard(request, pk, NATIONAL, "")


@login_required
def node(request, pk: int, level: str, code: str):
    if level == NATIONAL:
        raise Http404("No such dashboard")
    return _dashboard(request, pk, level, code)


def _dashboard(request, pk: int, level: str, code: str):
    programme = _programme(pk)
    node = node_or_404(request.user, level, code)
    fmt, table = request.GET.get("format"), request.GET.get("table")
    if (fmt or table) and (fmt not in FORMATS or table not in tables.BUILDERS):
        return bad_request(
            request,
            "To download a table, choose one of the dashboard's tables and CSV or XLSX "
            "(use the download links under each table).",
        )
    d = build(request.user, programme, node, timezone.localdate())
    if table:
        t = tables.BUILDERS[table](d)
        name = f"{programme.financial_year}-{node.code or 'england'}-{table}".lower()
        return download(fmt, name, t.caption, t.columns, tables.export_rows(t))
    crumbs = [{"href": reverse("home"), "text": "Home"}]
    crumbs += [{"href": node_url(programme.pk, a), "text": a.name} for a in ancestors(request.user, node)]
    return render(
        request,
        "dashboards/dashboard.jinja",
        {
            "d": d,
            "programme": programme,
            "node": node,
            "tables": tables.all_tables(d),
            "charts": charts.all_charts(d),
            "programmes": Programme.objects.all(),
            "shown_actions": SHOWN_ACTIONS,
            "crumbs": crumbs,
            "nav": "dashboards",
        },
    )
