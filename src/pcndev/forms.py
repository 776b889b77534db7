"""Shared form behaviour: errors listed for the NHS error summary, each linking to its field."""

from django import forms


class NHSForm(forms.Form):
    # Fields whose first input has an id other than the field name (e.g. a date input's day box).
    anchors: dict[str, str] = {}

    def error_list(self) -> list[dict]:
        items = []
        for name, errors in self.errors.items():
            anchor = self.anchors.get(name) or (f"#{name}" if name in self.fields else "#maincontent")
            items.extend({"text": str(e), "href": anchor} for e in errors)
        return items
