"""Shared form behaviour: errors listed for the NHS error summary, each linking to its field."""

import datetime

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


NUL_MESSAGE = "Null characters are not allowed."  # Django's own, as its forms' fields say it


def has_nul(*texts: str) -> bool:
    """Whether any text carries a NUL character (PostgreSQL can neither store nor compare one)."""
    return any("\x00" in (t or "") for t in texts)


def nul_problems(post) -> list[tuple[str, str]]:
    """(field, message) for each posted field with a NUL character, for forms read without a Django form."""
    return [(name, NUL_MESSAGE) for name in post if has_nul(*post.getlist(name))]


def date_from_parts(data, name: str, parts=("day", "month", "year")):
    """An NHS date input's boxes (`name[day]`, `name[month]`, `name[year]`) as a date.

    None when every box is empty, "invalid" when they do not make a real date. With parts=("month", "year")
    it reads a month and returns its first day.
    """
    values = {p: (data.get(f"{name}[{p}]") or "").strip() for p in parts}
    if not any(values.values()):
        return None
    try:
        return datetime.date(int(values["year"]), int(values["month"]), int(values.get("day") or 1))
    except (ValueError, OverflowError):  # OverflowError: a number too big for a date's parts
        return "invalid"
