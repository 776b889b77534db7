"""The rollover form: the new programme's name, national total and list-size date, and whether to open rounds."""

import datetime

from django import forms

from pcndev.forms import NHSForm
from pcndev.funding.forms import clean_pounds
from pcndev.orgs.models import ListSize


def list_size_dates() -> list[datetime.date]:
    """The dates list sizes are held for, newest first."""
    return list(ListSize.objects.order_by("-as_of").values_list("as_of", flat=True).distinct())


class RolloverForm(NHSForm):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter a name for the new programme"})
    national_total = forms.CharField(
        error_messages={"required": "Enter the national total in pounds, like 43,700,000"}
    )
    list_size_date = forms.ChoiceField(
        error_messages={
            "required": "Choose the date of the list sizes to use",
            "invalid_choice": "Choose a date for which list sizes are held",
        }
    )
    open_rounds = forms.BooleanField(required=False)

    def __init__(self, *args, dates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["list_size_date"].choices = [(d.isoformat(), f"{d.day} {d:%B %Y}") for d in dates]

    def clean_national_total(self):
        pence = clean_pounds(self.cleaned_data["national_total"])
        if pence <= 0:
            raise forms.ValidationError("Enter a national total of more than £0, like 43,700,000")
        return pence

    def clean_list_size_date(self):
        return datetime.date.fromisoformat(self.cleaned_data["list_size_date"])
