"""Funding pages: programmes, balances drilled down system → place → PCN, a PCN's money and its ledger."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from pcndev.accounts.scope import visible
from pcndev.exports import FORMATS, Column, download
from pcndev.funding.allocation import AllocationRow, practice_shares
from pcndev.funding.inputs import practice_inputs
from pcndev.funding.ledger import balances_by
from pcndev.funding.ledger_rules import Balances
from pcndev.funding.models import AllocationLine, AllocationRun, LedgerEntry, Programme
from pcndev.funding.permissions import can_create_programme, can_manage_money
from pcndev.funding.postings import REVERSIBLE_KINDS
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, Place, System

LEDGER_PAGE = 200


BALANCE_COLUMNS = [
    Column("Organisation"),
    Column("ODS code"),
    *(
        Column(t, money=True)
        for t in ("Allocated", "Top-ups", "Committed", "Released", "Spent", "Returned", "Available")
    ),
]


def _export_balances(request, programme, name: str, rows, total):
    def line(label, code, b):
        return [
            label,
            code,
            b.allocated,
            b.topped_up,
            b.committed,
            b.released,
            b.spent,
            b.returned,
            b.available,
        ]

    data = [line(n.name, n.code, b) for n, b, _ in rows] + [line("Total", "", total)]
    return download(
        request.GET["format"],
        f"{programme.financial_year}-{name}-money",
        f"{name} money",
        BALANCE_COLUMNS,
        data,
    )


def _wants_export(request) -> bool:
    return request.GET.get("format") in FORMATS


def _practice_shares(programme, pcn) -> list[tuple]:
    """The latest allocation line for the PCN, split among its practices by list size (for information)."""
    line = (
        AllocationLine.objects.filter(run__programme=programme, level="pcn", pcn=pcn)
        .select_related("run")
        .order_by("-run__created_at", "-id")
        .first()
    )
    if line is None:
        return []
    practices = practice_inputs(pcn, line.run.list_size_date)
    row = AllocationRow(
        "pcn",
        line.code,
        line.name,
        line.parent_code,
        line.list_size,
        1,
        line.development_pence,
        line.cd_pence,
        line.total_pence,
    )
    amounts = dict(practice_shares(row, practices))
    return [(p, amounts[p.code]) for p in practices]


def _table(programme, level: str, nodes):
    nodes = list(nodes)
    national = balances_by(programme, level, [n.id for n in nodes], fund=LedgerEntry.Fund.NATIONAL)
    local = balances_by(programme, level, [n.id for n in nodes], fund=LedgerEntry.Fund.LOCAL)
    rows = [
        (n, national[n.id] + local[n.id], reverse(f"funding:{level}", args=[programme.pk, n.code]))
        for n in nodes
    ]
    total = sum((b for _, b, _ in rows), Balances())
    return rows, total


def _top_level(user):
    """The highest level of the tree the user can see: systems, else places, else PCNs."""
    for level, model in (("system", System), ("place", Place), ("pcn", PCN)):
        nodes = list(visible(user, model).order_by("name"))
        if nodes:
            return level, nodes
    return "pcn", []


PROGRAMME_COLUMNS = [
    Column("Programme"),
    Column("Year"),
    Column("National total", money=True),
    Column("List sizes used"),
    Column("CD development share (%)"),
    Column("CD split"),
    Column("Allocation basis"),
]


@login_required
def programme_list(request):
    programmes = Programme.objects.all()
    if _wants_export(request):
        data = [
            [
                p.name,
                p.year_label,
                p.national_total_pence,
                p.list_size_date,
                f"{p.cd_share_bp // 100}.{p.cd_share_bp % 100:02d}",
                p.get_cd_split_display(),
                p.basis,
            ]
            for p in programmes
        ]
        return download(request.GET["format"], "funding-programmes", "Programmes", PROGRAMME_COLUMNS, data)
    return render(
        request,
        "funding/programmes.jinja",
        {"programmes": programmes, "can_create": can_create_programme(request.user), "nav": "funding"},
    )


@login_required
def programme_detail(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    level, nodes = _top_level(request.user)
    rows, total = _table(programme, level, nodes)
    if _wants_export(request):
        return _export_balances(request, programme, "programme", rows, total)
    runs = AllocationRun.objects.filter(programme=programme).order_by("-created_at")[:10]
    return render(
        request,
        "funding/programme.jinja",
        {
            "programme": programme,
            "rows": rows,
            "total": total,
            "runs": runs,
            "level": level,
            "priorities": programme.priorities.all(),
            "nav": "funding",
        },
    )


@login_required
def system_money(request, pk, code):
    programme = get_object_or_404(Programme, pk=pk)
    system = get_visible_or_404(request.user, System, code=code)
    rows, total = _table(
        programme, "place", system.places.filter(pcns__isnull=False).distinct().order_by("name")
    )
    if _wants_export(request):
        return _export_balances(request, programme, system.code, rows, total)
    return render(
        request,
        "funding/node.jinja",
        {
            "programme": programme,
            "node": system,
            "child_level": "place",
            "rows": rows,
            "total": total,
            "nav": "funding",
        },
    )


@login_required
def place_money(request, pk, code):
    programme = get_object_or_404(Programme, pk=pk)
    place = get_visible_or_404(request.user, Place, ("system",), code=code)
    rows, total = _table(programme, "pcn", place.pcns.order_by("name"))
    if _wants_export(request):
        return _export_balances(request, programme, place.code, rows, total)
    return render(
        request,
        "funding/node.jinja",
        {
            "programme": programme,
            "node": place,
            "parent": place.system,
            "child_level": "pcn",
            "rows": rows,
            "total": total,
            "nav": "funding",
        },
    )


@login_required
def pcn_money(request, pk, code):
    programme = get_object_or_404(Programme, pk=pk)
    pcn = get_visible_or_404(request.user, PCN, ("place__system", "payee"), code=code)
    national = balances_by(programme, "pcn", [pcn.id], fund=LedgerEntry.Fund.NATIONAL)[pcn.id]
    local = balances_by(programme, "pcn", [pcn.id], fund=LedgerEntry.Fund.LOCAL)[pcn.id]
    entries = LedgerEntry.objects.filter(programme=programme, pcn=pcn).select_related(
        "reverses", "created_by", "reversed_by"
    )
    kind = request.GET.get("kind")
    if kind in LedgerEntry.Kind.values:
        entries = entries.filter(kind=kind)
    if _wants_export(request):
        columns = [
            Column("Date"),
            Column("Entry"),
            Column("Fund"),
            Column("Amount", money=True),
            Column("Reference"),
            Column("Note"),
        ]
        data = [
            [e.entry_date, e.get_kind_display(), e.get_fund_display(), e.amount_pence, e.reference, e.note]
            for e in entries
        ]
        return download(
            request.GET["format"], f"{programme.financial_year}-{pcn.code}-ledger", "Ledger", columns, data
        )
    return render(
        request,
        "funding/pcn.jinja",
        {
            "programme": programme,
            "pcn": pcn,
            "national": national,
            "local": local,
            "total": national + local,
            "entries": entries[:LEDGER_PAGE],
            "kind": kind,
            "kinds": LedgerEntry.Kind.choices,
            "practice_shares": _practice_shares(programme, pcn),
            "can_manage": can_manage_money(request.user, pcn),
            "reversible": REVERSIBLE_KINDS,
            "nav": "funding",
        },
    )
