"""Entries people post by hand: commitments, releases to the payee, spend, returned underspend and reversals.

These rules sit on top of the ledger's balance rules (funding/ledger_rules.py): the UI and the API both post
through here, so the same refusals, with the same reasons, apply everywhere. Nothing is written when refused.
"""

import datetime

from django.utils import timezone

from pcndev.funding.ledger import LedgerRefused, post
from pcndev.funding.models import LedgerEntry, Programme
from pcndev.orgs.models import PCN

Kind = LedgerEntry.Kind
MANUAL_KINDS = (Kind.COMMITMENT, Kind.RELEASE, Kind.SPEND, Kind.RETURN)
REVERSIBLE_KINDS = (Kind.TOP_UP, Kind.COMMITMENT, Kind.RELEASE, Kind.SPEND, Kind.RETURN)

MOU_REQUIRED = "Enter the MOU reference for this release, like MOU-RBD-2019-001"
REASON_REQUIRED = "Say why this entry is being reversed"
FUTURE_DATE = "The date cannot be in the future"


def posting_refusals(
    pcn: PCN, kind: str, reference: str, entry_date: datetime.date | None, today: datetime.date
) -> list[str]:
    """Why a hand-posted entry may not be made, before the balances are looked at; empty when it may."""
    if kind not in Kind.values:
        return [f"Unknown kind of ledger entry: {kind}"]
    if kind not in MANUAL_KINDS:
        return [
            "Allocations come from allocation runs, top-ups from the top-up form and reversals from the entry "
            "they reverse"
        ]
    problems = []
    if kind == Kind.RELEASE:
        if pcn.payee_id is None:
            problems.append(f"Name a payee for {pcn.name} before releasing money to it")
        if not reference.strip():
            problems.append(MOU_REQUIRED)
    if entry_date is not None and entry_date > today:
        problems.append(FUTURE_DATE)
    return problems


def reversal_refusals(entry: LedgerEntry) -> list[str]:
    """Why an entry may not be reversed by hand (the ledger then checks the balances)."""
    if entry.kind == Kind.ALLOCATION:
        return ["Allocations are corrected by saving a new allocation run, not by reversing an entry"]
    if entry.kind == Kind.REVERSAL:
        return ["A reversal cannot itself be reversed; post a new entry instead"]
    if LedgerEntry.objects.filter(reverses=entry).exists():
        return [f"Entry {entry.pk} has already been reversed"]
    return []


def record(
    programme: Programme,
    pcn: PCN,
    kind: str,
    amount_pence: int,
    user=None,
    *,
    entry_date: datetime.date | None = None,
    reference: str = "",
    fund: str = LedgerEntry.Fund.NATIONAL,
    note: str = "",
) -> LedgerEntry:
    """Post a commitment, release, spend or return; a release is paid to the PCN's payee under an MOU."""
    problems = posting_refusals(pcn, kind, reference, entry_date, timezone.localdate())
    if fund not in LedgerEntry.Fund.values:
        problems.append("Choose national development money or a local top-up")
    if problems:
        raise LedgerRefused(problems)
    payee = pcn.payee.name if kind == Kind.RELEASE else ""
    return post(
        programme,
        pcn,
        kind,
        amount_pence,
        user,
        fund=fund,
        entry_date=entry_date,
        reference=reference.strip(),
        payee=payee,
        note=note.strip(),
    )


def reverse_entry(
    programme: Programme,
    entry: LedgerEntry,
    note: str,
    user=None,
    *,
    entry_date: datetime.date | None = None,
) -> LedgerEntry:
    """Take an entry's whole amount back out of its bucket, saying why; the ledger refuses it if that breaks a rule."""
    problems = reversal_refusals(entry)
    if not note.strip():
        problems.append(REASON_REQUIRED)
    if entry_date is not None and entry_date > timezone.localdate():
        problems.append(FUTURE_DATE)
    if problems:
        raise LedgerRefused(problems)
    return post(
        programme,
        entry.pcn,
        Kind.REVERSAL,
        entry.amount_pence,
        user,
        reverses=entry,
        entry_date=entry_date,
        reference=entry.reference,
        note=note.strip(),
    )
