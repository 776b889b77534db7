"""Running the allocation engine on the register, and storing a run: immutable, versioned, into the ledger."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from pcndev.audit.services import record
from pcndev.config.formatting import format_pence
from pcndev.funding.allocation import Allocation, Basis, allocate, unallocated_report
from pcndev.funding.inputs import build_inputs, resolve_scope
from pcndev.funding.ledger import LedgerRefused, balances_by, post_many
from pcndev.funding.models import AllocationLine, AllocationRun, LedgerEntry, Programme
from pcndev.orgs.models import PCN, Place, System


@dataclass(frozen=True)
class Preview:
    level: str
    code: str
    as_of: datetime.date
    allocation: Allocation
    unallocated: dict


def preview(
    total_pence: int, scope: str, basis: str, as_of, cd_share_bp: int = 1000, cd_split: str = "per-pcn"
) -> Preview:
    """The allocation for a scope without writing anything. Raises ValueError with a clear message."""
    if total_pence < 0:
        raise ValueError("The total must not be negative")
    if not 0 <= cd_share_bp <= 10000:
        raise ValueError("The CD share must be between 0% and 100%")
    level, code, node = resolve_scope(scope)
    inputs, loose = build_inputs(level, node, as_of)
    result = allocate(total_pence, inputs, Basis.parse(basis), cd_share_bp=cd_share_bp, cd_split=cd_split)
    allocated = sum(p.list_size for p in inputs)
    report = unallocated_report(total_pence, allocated, loose["patients"], loose["practices"])
    return Preview(level, code, as_of, result, report)


def as_json(p: Preview) -> dict:
    return {
        "total_pence": p.allocation.total_pence,
        "as_of": p.as_of.isoformat(),
        "basis": str(p.allocation.basis),
        "unallocated_practices": p.unallocated["practices"],
        "unallocated_patients": p.unallocated["patients"],
        "unallocated_would_draw_pence": p.unallocated["would_draw_pence"],
        "rows": [
            {
                "level": r.level,
                "code": r.code,
                "name": r.name,
                "list_size": r.list_size,
                "development_pence": r.development_pence,
                "cd_pence": r.cd_pence,
                "total_pence": r.total_pence,
            }
            for r in p.allocation.rows
        ],
    }


@transaction.atomic
def save_run(programme: Programme, p: Preview, user=None) -> AllocationRun:
    """Store the run as the next version for its scope; its PCN amounts replace earlier allocations in the ledger."""
    scope = {
        "national": AllocationRun.Scope.NATIONAL,
        "system": AllocationRun.Scope.SYSTEM,
        "place": AllocationRun.Scope.PLACE,
    }[p.level]
    last = AllocationRun.objects.filter(programme=programme, scope=scope, scope_code=p.code).aggregate(
        v=Max("version")
    )["v"]
    a = p.allocation
    run = AllocationRun.objects.create(
        programme=programme,
        version=(last or 0) + 1,
        scope=scope,
        scope_code=p.code,
        total_pence=a.total_pence,
        basis=str(a.basis),
        cd_share_bp=a.cd_share_bp,
        cd_split=a.cd_split,
        list_size_date=p.as_of,
        unallocated_practices=p.unallocated["practices"],
        unallocated_patients=p.unallocated["patients"],
        unallocated_would_draw_pence=p.unallocated["would_draw_pence"],
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    pcns = {
        x.code: x
        for x in PCN.objects.filter(code__in=[r.code for r in a.by_level("pcn")]).select_related("place")
    }
    places = {x.code: x for x in Place.objects.filter(code__in=[r.code for r in a.by_level("place")])}
    systems = {x.code: x for x in System.objects.filter(code__in=[r.code for r in a.by_level("system")])}
    lines = []
    for position, r in enumerate(a.rows):
        pcn = pcns.get(r.code) if r.level == "pcn" else None
        place = pcn.place if pcn else places.get(r.code) if r.level == "place" else None
        system = systems[r.code] if r.level == "system" else (place.system if place else None)
        lines.append(
            AllocationLine(
                run=run,
                level=r.level,
                position=position,
                code=r.code,
                name=r.name,
                parent_code=r.parent_code or "",
                system=system,
                place=place,
                pcn=pcn,
                list_size=r.list_size,
                pcn_count=r.pcn_count,
                development_pence=r.development_pence,
                cd_pence=r.cd_pence,
                total_pence=r.total_pence,
            )
        )
    AllocationLine.objects.bulk_create(lines)
    _replace_ledger_allocations(programme, run, pcns, a, user)
    record(
        user,
        "allocation.saved",
        run,
        None,
        {
            "version": run.version,
            "scope": p.level,
            "code": p.code,
            "total_pence": a.total_pence,
            "basis": run.basis,
        },
    )
    return run


def _replace_ledger_allocations(programme, run, pcns, allocation: Allocation, user) -> None:
    """Post the new allocations, then reverse the old ones, so only the final state has to satisfy the rules."""
    new = {r.code: r.total_pence for r in allocation.by_level("pcn")}
    committed = balances_by(programme, "pcn", [p.id for p in pcns.values()])
    short = [
        f"{pcn.name}: the new allocation of {format_pence(new[code])} is less than the "
        f"{format_pence(committed[pcn.id].committed - committed[pcn.id].topped_up)} of national money already committed"
        for code, pcn in sorted(pcns.items())
        if committed[pcn.id].committed > new[code] + committed[pcn.id].topped_up
    ]
    if short:
        raise LedgerRefused(short)
    active = LedgerEntry.objects.filter(
        programme=programme, kind=LedgerEntry.Kind.ALLOCATION, pcn__in=pcns.values(), reversed_by__isnull=True
    ).select_related("pcn")
    specs = [
        dict(pcn=pcns[code], kind="allocation", amount_pence=amount, allocation_run=run, note=str(run))
        for code, amount in new.items()
        if amount > 0
    ]
    specs += [
        dict(
            pcn=e.pcn,
            kind="reversal",
            amount_pence=e.amount_pence,
            reverses=e,
            allocation_run=run,
            note=f"Replaced by {run}",
        )
        for e in active
    ]
    post_many(programme, specs, user)
