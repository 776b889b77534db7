"""Posting to the ledger: lock the PCN's fund, check the rules, append the entry, audit it.

Balances for any set of PCNs, places or systems come from one grouped query.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from pcndev.audit.services import Change, record_many
from pcndev.config.formatting import format_pence
from pcndev.funding.ledger_rules import Balances, refusals
from pcndev.funding.models import CarryForward, LedgerEntry, PcnFund, Programme
from pcndev.orgs.models import PCN

GROUP_PATH = {"pcn": "pcn_id", "place": "pcn__place_id", "system": "pcn__place__system_id"}


class LedgerRefused(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def balances_by(programme: Programme, level: str, ids=None, fund: str | None = None) -> dict[int, Balances]:
    """Balances per node id at `level` (pcn/place/system); all nodes with entries when ids is None."""
    key = GROUP_PATH[level]
    entries = LedgerEntry.objects.filter(programme=programme)
    if ids is not None:
        entries = entries.filter(**{f"{key}__in": list(ids)})
    if fund:
        entries = entries.filter(fund=fund)
    out: dict[int, Balances] = defaultdict(Balances)
    for row in entries.values(key, "kind", "reverses__kind").annotate(total=Sum("amount_pence")):
        if row["kind"] == "reversal":
            out[row[key]] = out[row[key]].plus(row["reverses__kind"], -row["total"])
        else:
            out[row[key]] = out[row[key]].plus(row["kind"], row["total"])
    return out


def lock_funds(programme: Programme, pcn_ids) -> None:
    """Serialise ledger writes per PCN: create the fund rows if needed, then lock them."""
    pcn_ids = sorted(set(pcn_ids))
    existing = set(
        PcnFund.objects.filter(programme=programme, pcn_id__in=pcn_ids).values_list("pcn_id", flat=True)
    )
    missing = [PcnFund(programme=programme, pcn_id=i) for i in pcn_ids if i not in existing]
    PcnFund.objects.bulk_create(missing, ignore_conflicts=True)
    list(
        PcnFund.objects.select_for_update().filter(programme=programme, pcn_id__in=pcn_ids).order_by("pcn_id")
    )


def _entry_after(entry: LedgerEntry) -> dict:
    return {
        "kind": entry.kind,
        "fund": entry.fund,
        "amount_pence": entry.amount_pence,
        "pcn": entry.pcn.code,
        "reverses": entry.reverses_id,
        "reference": entry.reference,
        "payee": entry.payee,
        "entry_date": entry.entry_date.isoformat(),
    }


@transaction.atomic
def post(
    programme: Programme,
    pcn: PCN,
    kind: str,
    amount_pence: int,
    user=None,
    *,
    reverses: LedgerEntry | None = None,
    fund: str = LedgerEntry.Fund.NATIONAL,
    entry_date: datetime.date | None = None,
    **details,
) -> LedgerEntry:
    """Append one entry, or raise LedgerRefused with every reason and write nothing."""
    return post_many(
        programme,
        [
            dict(
                pcn=pcn,
                kind=kind,
                amount_pence=amount_pence,
                reverses=reverses,
                fund=fund,
                entry_date=entry_date,
                **details,
            )
        ],
        user,
    )[0]


@transaction.atomic
def post_many(programme: Programme, specs: list[dict], user=None) -> list[LedgerEntry]:
    """Append several entries atomically: all are checked (in order, per PCN) before any is written."""
    lock_funds(programme, [s["pcn"].id for s in specs])
    balances = balances_by(programme, "pcn", [s["pcn"].id for s in specs])
    problems, entries = [], []
    closed = _rolled_over_to(programme)
    today = timezone.localdate()
    for spec in specs:
        pcn, kind, amount, reverses = spec["pcn"], spec["kind"], spec["amount_pence"], spec.get("reverses")
        reasons = _reversal_problems(programme, pcn, amount, reverses) if kind == "reversal" else []
        reasons = reasons or refusals(balances[pcn.id], kind, amount, reverses.kind if reverses else None)
        if closed and kind in CLOSED_KINDS:
            reasons = [
                f"{programme.year_label} has been rolled over into {closed.year_label}: new money is "
                f"committed, released or added in {closed.year_label}"
            ]
        if reasons:
            problems += [f"{pcn.name}: {r}" for r in reasons]
            continue
        bucket_kind = reverses.kind if kind == "reversal" else kind
        balances[pcn.id] = balances[pcn.id].plus(bucket_kind, -amount if kind == "reversal" else amount)
        entries.append(
            LedgerEntry(
                programme=programme,
                created_by=user if getattr(user, "is_authenticated", False) else None,
                entry_date=spec.get("entry_date") or today,
                fund=reverses.fund if reverses else spec.get("fund") or LedgerEntry.Fund.NATIONAL,
                **{k: v for k, v in spec.items() if k not in ("entry_date", "fund")},
            )
        )
    if problems:
        raise LedgerRefused(problems)
    LedgerEntry.objects.bulk_create(entries)
    record_many(user, [Change(f"ledger.{e.kind}", e, None, _entry_after(e), e.note) for e in entries])
    return entries


# After a year is rolled over it only takes spend reports and returns (its carried money has moved on).
CLOSED_KINDS = ("allocation", "top_up", "commitment", "release")


def _rolled_over_to(programme: Programme):
    return Programme.objects.filter(rolled_over_from=programme).first()


def _reversal_problems(programme, pcn, amount, reverses) -> list[str]:
    if reverses is None:
        return ["Choose the entry to reverse"]
    if reverses.programme_id != programme.id or reverses.pcn_id != pcn.id:
        return ["The entry to reverse belongs to another programme or PCN"]
    if reverses.kind == LedgerEntry.Kind.REVERSAL:
        return ["A reversal cannot itself be reversed; post a new entry instead"]
    if LedgerEntry.objects.filter(reverses=reverses).exists():
        return [f"Entry {reverses.pk} has already been reversed"]
    if amount != reverses.amount_pence:
        return ["A reversal must be for the whole amount of the entry it reverses"]
    return _carry_forward_problems(reverses)


def _carry_forward_problems(reverses: LedgerEntry) -> list[str]:
    """Money carried into the next year is returned in one year and added in the other as a pair; reversing one
    half alone would drop it from both years (or count it in both), so neither half is reversed on its own."""
    carried = (
        CarryForward.objects.filter(top_up_id=reverses.top_up_id).select_related("from_programme").first()
        if reverses.top_up_id
        else None
    )
    if carried:
        return [
            f"This top-up carries {format_pence(carried.amount_pence)} forward from "
            f"{carried.from_programme.year_label}, where the same money was returned: it cannot be reversed "
            "on its own. Post a return in this year instead if the PCN no longer needs it."
        ]
    carried = reverses.carried_forward_by.select_related("to_programme").first()
    if carried:
        return [
            f"This return moved the money into {carried.to_programme.year_label} as a carried-forward top-up: "
            "it cannot be reversed on its own."
        ]
    return []
