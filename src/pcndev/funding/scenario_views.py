"""Allocation runs with what changed since the last version, and side-by-side scenarios."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from pcndev.accounts.scope import visible
from pcndev.config.views import forbidden
from pcndev.exports import FORMATS, Column, download
from pcndev.funding.allocating import preview
from pcndev.funding.allocation import Allocation, AllocationRow, Basis, diff
from pcndev.funding.models import AllocationLine, AllocationRun, Programme
from pcndev.funding.programmes import ProgrammeError, pounds_to_pence
from pcndev.orgs.models import PCN, Place, System


def _as_allocation(run: AllocationRun, lines) -> Allocation:
    rows = tuple(
        AllocationRow(
            level=x.level,
            code=x.code,
            name=x.name,
            parent_code=x.parent_code or None,
            list_size=x.list_size,
            pcn_count=x.pcn_count,
            development_pence=x.development_pence,
            cd_pence=x.cd_pence,
            total_pence=x.total_pence,
        )
        for x in lines
    )
    return Allocation(
        total_pence=run.total_pence,
        basis=Basis.parse(run.basis),
        cd_share_bp=run.cd_share_bp,
        cd_split=run.cd_split,
        rows=rows,
    )


@login_required
def run_detail(request, pk, run_pk):
    run = get_object_or_404(AllocationRun, pk=run_pk, programme_id=pk)
    pcn_ids = set(visible(request.user, PCN).values_list("id", flat=True))
    lines = [
        x
        for x in AllocationLine.objects.filter(run=run, level="pcn").order_by("position")
        if x.pcn_id in pcn_ids
    ]
    if not lines:
        raise Http404("No allocation you can see")
    previous = AllocationRun.objects.filter(
        programme=run.programme, scope=run.scope, scope_code=run.scope_code, version=run.version - 1
    ).first()
    changes = []
    if previous:
        old = [x for x in AllocationLine.objects.filter(run=previous, level="pcn") if x.pcn_id in pcn_ids]
        changes = diff(_as_allocation(previous, old), _as_allocation(run, lines))
    if request.GET.get("format") in FORMATS:
        columns = [
            Column("PCN"),
            Column("ODS code"),
            Column("Registered patients"),
            *(Column(t, money=True) for t in ("Development", "CD development", "Total")),
        ]
        data = [[x.name, x.code, x.list_size, x.development_pence, x.cd_pence, x.total_pence] for x in lines]
        name = f"{run.programme.financial_year}-allocation-v{run.version}-{run.scope_code or 'england'}"
        return download(request.GET["format"], name, f"Allocation v{run.version}", columns, data)
    return render(
        request,
        "funding/run.jinja",
        {
            "programme": run.programme,
            "run": run,
            "lines": lines,
            "previous": previous,
            "changes": changes,
            "nav": "funding",
        },
    )


SCENARIOS = ("list-size", "equal", "blend:50")


@login_required
def compare(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    scopes = list(visible(request.user, System).order_by("name")) + list(
        visible(request.user, Place).order_by("name")
    )
    if not scopes:
        reason = "Scenarios compare a system's or place's PCNs; your roles do not cover a system or place."
        return forbidden(request, reason)
    codes = {s.code for s in scopes}
    scope = request.GET.get("scope") or (scopes[0].code if scopes else "")
    errors, table = [], []
    try:
        total = pounds_to_pence(request.GET.get("total") or "100000")
    except ProgrammeError as exc:
        errors.append(str(exc))
        total = None
    if scope and scope not in codes:
        errors.append("Choose a system or place you can see")
    if total is not None and not errors and scope:
        results = [
            preview(total, scope, basis, programme.list_size_date, programme.cd_share_bp, programme.cd_split)
            for basis in SCENARIOS
        ]
        by_basis = [{r.code: r for r in res.allocation.by_level("pcn")} for res in results]
        for row in results[0].allocation.by_level("pcn"):
            base = row.total_pence
            others = [by_basis[i][row.code].total_pence for i in (1, 2)]
            table.append(
                {
                    "row": row,
                    "list_size": base,
                    "others": [(v, v - base, (v - base) * 100 / base if base else None) for v in others],
                }
            )
    if table and request.GET.get("format") in FORMATS:
        columns = [
            Column("PCN"),
            Column("ODS code"),
            Column("Registered patients"),
            Column("By list size", money=True),
        ]
        columns += [
            Column("Equal per PCN", money=True),
            Column("Difference", money=True),
            Column("50% equal, 50% list size", money=True),
            Column("Difference ", money=True),
        ]
        data = [
            [
                t["row"].name,
                t["row"].code,
                t["row"].list_size,
                t["list_size"],
                *(x for v, c, _ in t["others"] for x in (v, c)),
            ]
            for t in table
        ]
        return download(
            request.GET["format"], f"{programme.financial_year}-scenarios-{scope}", "Scenarios", columns, data
        )
    return render(
        request,
        "funding/compare.jinja",
        {
            "programme": programme,
            "scopes": scopes,
            "scope": scope,
            "total": request.GET.get("total") or "100000",
            "errors": errors,
            "table": table,
            "nav": "funding",
        },
        status=400 if errors else 200,
    )
