"""Ledger forms: the history filters (a GET form), and posting a release, spend, return or reversal.

Dates come from an NHS date input (`name[day]`, `name[month]`, `name[year]`) or, from the API, as YYYY-MM-DD.
"""

import datetime
from collections.abc import Mapping

from django import forms

from pcndev.forms import NHSForm
from pcndev.funding.forms import clean_pounds
from pcndev.funding.ledger_history import LedgerFilter, resolve_scope
from pcndev.funding.models import LedgerEntry
from pcndev.funding.postings import MOU_REQUIRED, REASON_REQUIRED

DATE_PARTS = ("day", "month", "year")

# What each hand-posted kind is called on its page.
ENTRY_TEXT = {
    "release": {
        "title": "Record a release to the payee",
        "date": "Date paid",
        "reference": "MOU reference",
        "reference_hint": "The memorandum of understanding the payment is made under, like MOU-RBD-2019-001",
        "button": "Record release",
        "done": "The release of {amount} to {payee} was recorded",
    },
    "spend": {
        "title": "Record spend",
        "date": "Date of the spend report",
        "reference": "Reference (optional)",
        "reference_hint": "An invoice, report or minute, if there is one",
        "button": "Record spend",
        "done": "Spend of {amount} was recorded",
    },
    "return": {
        "title": "Record underspend returned",
        "date": "Date returned",
        "reference": "Reference (optional)",
        "reference_hint": "A remittance or credit note, if there is one",
        "button": "Record return",
        "done": "The return of {amount} of underspend was recorded",
    },
}


def read_date(data: Mapping, name: str, label: str, required: bool) -> datetime.date | None:
    """The date in an NHS date input called `name` (or an ISO date under `name`); ValidationError if malformed."""
    parts = [str(data.get(f"{name}[{p}]", "")).strip() for p in DATE_PARTS]
    iso = str(data.get(name, "") or "").strip()
    if not any(parts):
        if iso:
            try:
                return datetime.date.fromisoformat(iso)
            except ValueError:
                raise forms.ValidationError(f"{label} must be a real date, like 2020-01-15") from None
        if required:
            raise forms.ValidationError(f"Enter the {label.lower()}, like 15 1 2020")
        return None
    missing = [p for p, v in zip(DATE_PARTS, parts, strict=True) if not v]
    if missing:
        raise forms.ValidationError(f"{label} must include a {' and a '.join(missing)}")
    try:
        day, month, year = (int(p) for p in parts)
        if year < 1000:
            raise ValueError
        return datetime.date(year, month, day)
    except (ValueError, OverflowError):  # OverflowError: a number too big for a date's parts
        raise forms.ValidationError(f"{label} must be a real date, like 15 1 2020") from None


class LedgerFilterForm(NHSForm):
    anchors = {"date_from": "#date_from-day", "date_to": "#date_to-day"}
    scope = forms.CharField(required=False)
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "All kinds of entry"), *LedgerEntry.Kind.choices],
        error_messages={"invalid_choice": "Choose a kind of entry from the list"},
    )
    fund = forms.ChoiceField(
        required=False,
        choices=[("", "National and local"), *LedgerEntry.Fund.choices],
        error_messages={"invalid_choice": "Choose national development money or local top-ups"},
    )
    date_from = forms.CharField(required=False)
    date_to = forms.CharField(required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user

    def clean_scope(self):
        value = self.cleaned_data["scope"].strip()
        if not value:
            return None
        try:
            return resolve_scope(self.user, value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_date_from(self):
        return read_date(self.data, "date_from", "From date", required=False)

    def clean_date_to(self):
        return read_date(self.data, "date_to", "To date", required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "To date must be the same as or after the from date")
        return data

    def to_filter(self) -> LedgerFilter:
        d = self.cleaned_data
        level, node_id = d["scope"] or (None, None)
        return LedgerFilter(
            level, node_id, d["kind"] or None, d["fund"] or None, d["date_from"], d["date_to"]
        )


class EntryForm(NHSForm):
    """A release, spend or return for one PCN. The ledger service decides whether it may be posted."""

    anchors = {"entry_date": "#entry_date-day"}
    amount = forms.CharField(error_messages={"required": "Enter the amount, like 20,000"})
    entry_date = forms.CharField(required=False)
    fund = forms.ChoiceField(
        choices=LedgerEntry.Fund.choices,
        initial=LedgerEntry.Fund.NATIONAL,
        error_messages={
            "required": "Choose national development money or a local top-up",
            "invalid_choice": "Choose national development money or a local top-up",
        },
    )
    reference = forms.CharField(max_length=100, required=False)
    note = forms.CharField(required=False, widget=forms.Textarea)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.text = ENTRY_TEXT[kind]
        if kind == "release":
            self.fields["reference"].required = True
            self.fields["reference"].error_messages["required"] = MOU_REQUIRED

    def clean_amount(self):
        pence = clean_pounds(self.cleaned_data["amount"])
        if pence <= 0:
            raise forms.ValidationError("Enter an amount of more than £0.00")
        return pence

    def clean_entry_date(self):
        return read_date(self.data, "entry_date", self.text["date"], required=True)


class ReversalForm(NHSForm):
    note = forms.CharField(widget=forms.Textarea, error_messages={"required": REASON_REQUIRED})
