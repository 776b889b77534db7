"""Forms for the place editor. Errors are shown with the NHS error summary."""

from django import forms

from pcndev.forms import NHSForm
from pcndev.orgs.places import CODE_PATTERN


class PlaceForm(NHSForm):
    name = forms.CharField(
        max_length=200, error_messages={"required": "Enter a name for the place, like Kingston"}
    )
    code = forms.CharField(
        max_length=20,
        error_messages={"required": "Enter a short code for the place, like KINGSTON"},
    )
    pcns = forms.MultipleChoiceField(
        required=False, choices=(), error_messages={"invalid_choice": "Choose PCNs from this system only"}
    )

    def __init__(self, *args, pcn_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pcns"].choices = pcn_choices

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError(
                "Code must be 2 to 20 capital letters, digits or hyphens, like SWL-KIN"
            )
        return code
