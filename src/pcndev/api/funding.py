"""Funding endpoints: programmes, allocation runs (preview, save, read), balances, the ledger and top-ups."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.responses import Status

from pcndev.accounts.scope import scope_for, visible
from pcndev.api.funding_schemas import (
    BalanceOut,
    EntryIn,
    EntryOut,
    Problem,
    ProgrammeIn,
    ProgrammeOut,
    RunIn,
    RunOut,
    TopUpIn,
    TopUpOut,
)
from pcndev.api.pagination import MAX_OFFSET
from pcndev.funding.allocating import as_json, preview, save_run
from pcndev.funding.inputs import resolve_scope
from pcndev.funding.ledger import LedgerRefused, balances_by
from pcndev.funding.ledger_forms import LedgerFilterForm
from pcndev.funding.ledger_history import entries_for
from pcndev.funding.models import AllocationLine, AllocationRun, LedgerEntry, Programme
from pcndev.funding.permissions import can_create_programme, can_manage_money
from pcndev.funding.postings import record, reverse_entry
from pcndev.funding.programmes import create_programme
from pcndev.funding.top_ups import add_top_up
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, Place, System

router = Router(tags=["funding"])
LEVEL_MODEL = {"system": System, "place": Place, "pcn": PCN}
LEDGER_LIMIT = 1000


def _programme_out(p: Programme) -> dict:
    return {
        **{
            f: getattr(p, f)
            for f in (
                "id",
                "name",
                "financial_year",
                "year_label",
                "national_total_pence",
                "list_size_date",
                "cd_share_bp",
                "cd_split",
                "basis",
            )
        },
        "priorities": [{"kind": x.kind, "code": x.code, "title": x.title} for x in p.priorities.all()],
    }


def _entry_out(e: LedgerEntry) -> dict:
    return {
        "id": e.id,
        "pcn": e.pcn.code,
        "kind": e.kind,
        "fund": e.fund,
        "amount_pence": e.amount_pence,
        "reverses": e.reverses_id,
        "reference": e.reference,
        "payee": e.payee,
        "entry_date": e.entry_date,
        "note": e.note,
    }


@router.get("/programmes", response=list[ProgrammeOut])
def list_programmes(request):
    return [_programme_out(p) for p in Programme.objects.prefetch_related("priorities")]


@router.post("/programmes", response={201: ProgrammeOut, 403: Problem, 422: Problem})
def create_programme_endpoint(request, body: ProgrammeIn):
    decision = can_create_programme(request.user)
    if not decision:
        return Status(403, {"detail": decision.reason})
    try:
        programme = create_programme(**body.dict(), user=request.user)
    except ValueError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(201, _programme_out(programme))


@router.get("/programmes/{pk}", response=ProgrammeOut)
def get_programme(request, pk: int):
    return _programme_out(get_object_or_404(Programme, pk=pk))


@router.post(
    "/programmes/{pk}/runs",
    response={200: RunOut, 201: RunOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
)
def allocate_endpoint(request, pk: int, body: RunIn):
    programme = get_object_or_404(Programme, pk=pk)
    try:
        level, code, node = resolve_scope(body.scope)
        if node is not None:  # a system or place outside the user's reach: no hint that it exists
            get_visible_or_404(request.user, type(node), pk=node.pk)
        decision = can_manage_money(request.user, node)
        if not decision:
            return Status(403, {"detail": decision.reason})
        result = preview(
            body.total_pence,
            body.scope,
            body.basis,
            body.as_of or programme.list_size_date,
            programme.cd_share_bp if body.cd_share_bp is None else body.cd_share_bp,
            body.cd_split or programme.cd_split,
        )
        if not body.save:
            return Status(200, as_json(result))
        run = save_run(programme, result, request.user)
    except LedgerRefused as exc:
        return Status(
            409, {"detail": "The allocation would break the ledger's rules", "reasons": exc.reasons}
        )
    except ValueError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(201, {**as_json(result), "id": run.id, "version": run.version})


@router.get("/runs/{pk}", response={200: RunOut, 404: Problem})
def get_run(request, pk: int):
    run = get_object_or_404(AllocationRun, pk=pk)
    lines = list(
        AllocationLine.objects.filter(run=run).filter(_visible_lines(request.user)).order_by("position")
    )
    if not lines:  # as on the run's page: a run with no line the user may see does not exist for them
        raise Http404("No allocation you can see")
    return {
        "id": run.id,
        "version": run.version,
        "total_pence": run.total_pence,
        "as_of": run.list_size_date,
        "basis": run.basis,
        "unallocated_practices": run.unallocated_practices,
        "unallocated_patients": run.unallocated_patients,
        "unallocated_would_draw_pence": run.unallocated_would_draw_pence,
        "rows": [
            {
                f: getattr(line, f)
                for f in (
                    "level",
                    "code",
                    "name",
                    "list_size",
                    "development_pence",
                    "cd_pence",
                    "total_pence",
                )
            }
            for line in lines
        ],
    }


def _visible_lines(user):
    scope = scope_for(user)
    return (
        (Q(level="system") & scope.systems("system__"))
        | (Q(level="place") & scope.places("place__"))
        | (Q(level="pcn") & scope.pcns("pcn__"))
    )


@router.get("/programmes/{pk}/balances", response=list[BalanceOut])
def balances(request, pk: int, level: str = "system"):
    programme = get_object_or_404(Programme, pk=pk)
    model = LEVEL_MODEL.get(level)
    if model is None:
        return []
    nodes = list(visible(request.user, model).order_by("code"))
    by_id = balances_by(programme, level, [n.id for n in nodes])
    out = []
    for n in nodes:
        b = by_id[n.id]
        out.append(
            {
                "level": level,
                "code": n.code,
                "name": n.name,
                "available": b.available,
                **{
                    f: getattr(b, f)
                    for f in ("allocated", "topped_up", "committed", "released", "spent", "returned")
                },
            }
        )
    return out


@router.get("/programmes/{pk}/ledger", response={200: list[EntryOut], 422: Problem})
def ledger(
    request,
    pk: int,
    scope: str | None = None,
    pcn: str | None = None,
    place: str | None = None,
    system: str | None = None,
    kind: str | None = None,
    fund: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    offset: int = 0,
    limit: int = LEDGER_LIMIT,
):
    """Entries of the PCNs you can see, newest first, with the ledger page's filters.

    Narrow to one organisation with `scope` (`system:CODE`, `place:CODE` or `pcn:CODE`) or with one of `pcn`,
    `place` or `system`; dates are YYYY-MM-DD and inclusive. At most 1,000 entries per call: page with `offset`.
    """
    programme = get_object_or_404(Programme, pk=pk)
    named = [(level, code) for level, code in (("pcn", pcn), ("place", place), ("system", system)) if code]
    if len(named) + bool(scope) > 1:
        return Status(422, {"detail": "Give only one of scope, pcn, place or system"})
    data = {
        "scope": scope or (f"{named[0][0]}:{named[0][1]}" if named else ""),
        "kind": kind or "",
        "fund": fund or "",
        "date_from": date_from or "",
        "date_to": date_to or "",
    }
    form = LedgerFilterForm(data, user=request.user)
    if not form.is_valid():
        return Status(422, {"detail": "Check the filters", "reasons": [e["text"] for e in form.error_list()]})
    offset, limit = min(max(offset, 0), MAX_OFFSET), min(max(limit, 1), LEDGER_LIMIT)
    entries = entries_for(programme, request.user, form.to_filter())[offset : offset + limit]
    return Status(200, [_entry_out(e) for e in entries])


@router.post(
    "/programmes/{pk}/ledger",
    response={201: EntryOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
)
def post_entry(request, pk: int, body: EntryIn):
    programme = get_object_or_404(Programme, pk=pk)
    pcn = get_visible_or_404(request.user, PCN, ("payee",), code=body.pcn)
    decision = can_manage_money(request.user, pcn)
    if not decision:
        return Status(403, {"detail": decision.reason})
    if body.kind in ("allocation", "top_up"):
        return Status(
            422, {"detail": "Allocations come from allocation runs and top-ups from the top-up endpoint"}
        )
    try:
        if body.kind == "reversal":
            if body.reverses is None:
                return Status(422, {"detail": "Give the id of the entry to reverse in `reverses`"})
            reverses = LedgerEntry.objects.filter(pk=body.reverses, programme=programme, pcn=pcn).first()
            if reverses is None:
                return Status(
                    404, {"detail": f"No ledger entry {body.reverses} for {pcn.code} in this programme"}
                )
            if body.amount_pence not in (None, reverses.amount_pence):
                raise LedgerRefused(["A reversal must be for the whole amount of the entry it reverses"])
            entry = reverse_entry(programme, reverses, body.note, request.user, entry_date=body.entry_date)
        else:
            if body.amount_pence is None:
                return Status(422, {"detail": "Give the amount in pence in `amount_pence`"})
            entry = record(
                programme,
                pcn,
                body.kind,
                body.amount_pence,
                request.user,
                entry_date=body.entry_date,
                reference=body.reference,
                fund=body.fund,
                note=body.note,
            )
    except LedgerRefused as exc:
        return Status(409, {"detail": "Refused", "reasons": exc.reasons})
    return Status(201, _entry_out(entry))


@router.post("/programmes/{pk}/top-ups", response={201: TopUpOut, 403: Problem, 404: Problem, 422: Problem})
def top_up(request, pk: int, body: TopUpIn):
    programme = get_object_or_404(Programme, pk=pk)
    model = LEVEL_MODEL.get(body.level)
    if model is None:
        return Status(422, {"detail": "level must be system, place or pcn"})
    node = get_visible_or_404(request.user, model, code=body.code)
    decision = can_manage_money(request.user, node)
    if not decision:
        return Status(403, {"detail": decision.reason})
    try:
        made = add_top_up(
            programme, node, body.amount_pence, body.source, body.note, body.spread, request.user
        )
    except ValueError as exc:
        return Status(422, {"detail": str(exc)})
    return Status(201, {"id": made.id, "amount_pence": made.amount_pence, "entries": made.entries.count()})
