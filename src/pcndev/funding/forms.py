"""Forms for setting up money. Errors go to the NHS error summary, each linking to its field."""

import datetime

from django import forms

from pcndev.forms import NHSForm
from pcndev.funding.models import Programme
from pcndev.funding.programmes import ProgrammeError, percent_to_bp, pounds_to_pence

BASIS_CHOICES = [
    ("list-size", "By list size"),
    ("equal", "Equally per PCN"),
    ("blend:50", "50% equal, 50% by list size"),
]


def clean_pounds(value: str) -> int:
    try:
        return pounds_to_pence(value)
    except ProgrammeError as exc:
        raise forms.ValidationError(str(exc)) from None


class ProgrammeForm(NHSForm):
    anchors = {"list_size_date": "#list_size_date-day"}
    name = forms.CharField(max_length=200, error_messages={"required": "Enter a name for the programme"})
    financial_year = forms.IntegerField(
        min_value=2019,
        max_value=2100,
        error_messages={
            "required": "Enter the year the programme starts, like 2019 for 2019/20",
            "invalid": "Enter the year as 4 digits, like 2019",
            "min_value": "The programme must start in 2019 or later",
            "max_value": "Enter a year before 2100",
        },
    )
    national_total = forms.CharField(
        error_messages={"required": "Enter the national total in pounds, like 43,500,000"}
    )
    cd_share = forms.CharField(
        initial="10", error_messages={"required": "Enter the CD development share, like 10"}
    )
    cd_split = forms.ChoiceField(choices=Programme.CdSplit.choices, initial="per-pcn")
    basis = forms.ChoiceField(choices=BASIS_CHOICES, initial="list-size")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.list_size_date = None

    def clean_national_total(self):
        return clean_pounds(self.cleaned_data["national_total"])

    def clean_cd_share(self):
        try:
            return percent_to_bp(self.cleaned_data["cd_share"])
        except ProgrammeError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        parts = [self.data.get(f"list_size_date[{p}]", "").strip() for p in ("day", "month", "year")]
        if not all(parts):
            self.add_error(None, "Enter the date of the list sizes used, like 1 4 2019")
            self.errors["list_size_date"] = self.errors.pop("__all__")
        else:
            try:
                day, month, year = (int(p) for p in parts)
                self.list_size_date = datetime.date(year, month, day)
            except (ValueError, OverflowError):  # OverflowError: a number too big for a date's parts
                self.errors["list_size_date"] = self.error_class(
                    ["The list-size date must be a real date, like 1 4 2019"]
                )
        return data


class AllocationForm(NHSForm):
    scope = forms.ChoiceField(
        choices=(), error_messages={"invalid_choice": "Choose a system or place you manage"}
    )
    total = forms.CharField(error_messages={"required": "Enter the amount to allocate, like 1,134,000"})
    basis = forms.ChoiceField(choices=BASIS_CHOICES, initial="list-size")

    def __init__(self, *args, scope_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scope_choices

    def clean_total(self):
        return clean_pounds(self.cleaned_data["total"])


class TopUpForm(NHSForm):
    amount = forms.CharField(error_messages={"required": "Enter the amount of the top-up, like 20,000"})
    source = forms.CharField(
        max_length=200,
        error_messages={"required": "Say where the money comes from, like the CCG's primary care budget"},
    )
    note = forms.CharField(required=False, widget=forms.Textarea)
    spread = forms.ChoiceField(
        choices=[("list-size", "By list size"), ("equal", "Equally per PCN")], initial="list-size"
    )

    def clean_amount(self):
        pence = clean_pounds(self.cleaned_data["amount"])
        if pence <= 0:
            raise forms.ValidationError("Enter an amount of more than £0.00")
        return pence
