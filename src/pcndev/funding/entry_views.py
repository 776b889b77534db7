"""Posting to a PCN's ledger from the UI: a release to the payee, spend, returned underspend, a reversal.

The views only collect input: the postings service and the ledger decide, and their reasons go to the error summary.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from pcndev.config.formatting import format_pence
from pcndev.config.views import forbidden
from pcndev.funding.ledger import LedgerRefused, balances_by
from pcndev.funding.ledger_forms import ENTRY_TEXT, EntryForm, ReversalForm
from pcndev.funding.ledger_history import describe
from pcndev.funding.models import LedgerEntry, Programme
from pcndev.funding.permissions import can_manage_money
from pcndev.funding.postings import record, reversal_refusals, reverse_entry
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN


def _managed_pcn(request, pk, code):
    """The programme and PCN, or a 404 (PCN out of sight) or a 403 with the reason (may see, may not change)."""
    programme = get_object_or_404(Programme, pk=pk)
    pcn = get_visible_or_404(request.user, PCN, ("place", "payee"), code=code)
    decision = can_manage_money(request.user, pcn)
    return programme, pcn, (None if decision else forbidden(request, decision.reason))


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@login_required
def entry_new(request, pk, code, kind):
    if kind not in ENTRY_TEXT:
        raise Http404("No such kind of entry")
    programme, pcn, refusal = _managed_pcn(request, pk, code)
    if refusal:
        return refusal
    form = EntryForm(request.POST if request.method == "POST" else None, kind=kind)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        try:
            entry = record(
                programme,
                pcn,
                kind,
                d["amount"],
                request.user,
                entry_date=d["entry_date"],
                reference=d["reference"],
                fund=d["fund"],
                note=d["note"],
            )
        except LedgerRefused as exc:
            for reason in exc.reasons:
                form.add_error(None, reason)
        else:
            done = form.text["done"].format(amount=format_pence(entry.amount_pence), payee=entry.payee)
            messages.success(request, done)
            return redirect("funding:pcn", pk=programme.pk, code=pcn.code)
    return render(
        request,
        "funding/entry_new.jinja",
        {
            "programme": programme,
            "pcn": pcn,
            "kind": kind,
            "form": form,
            "balances": balances_by(programme, "pcn", [pcn.id])[pcn.id],
            "nav": "funding",
        },
        status=_status(form),
    )


@login_required
def reversal_new(request, pk, code, entry_pk):
    programme, pcn, refusal = _managed_pcn(request, pk, code)
    if refusal:
        return refusal
    entry = get_object_or_404(
        LedgerEntry.objects.select_related("pcn", "reverses"), pk=entry_pk, programme=programme, pcn=pcn
    )
    form = ReversalForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            reverse_entry(programme, entry, form.cleaned_data["note"], request.user)
        except LedgerRefused as exc:
            for reason in exc.reasons:
                form.add_error(None, reason)
        else:
            what = f"{describe(entry).lower()}, {format_pence(entry.amount_pence)}"
            messages.success(request, f"Entry {entry.pk} ({what}) was reversed")
            return redirect("funding:pcn", pk=programme.pk, code=pcn.code)
    return render(
        request,
        "funding/reversal_new.jinja",
        {
            "programme": programme,
            "pcn": pcn,
            "entry": entry,
            "describe": describe,
            "blocked": reversal_refusals(entry),
            "form": form,
            "nav": "funding",
        },
        status=_status(form),
    )
