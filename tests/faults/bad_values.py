"""The bad values every input gets, and how a form's fields are grouped so that each kind of field gets each one."""

import re

BAD_VALUES = {
    "oversized text": "x" * 10_000,
    "oversized number": "9" * 40,
    "unicode": "Ŝ̷ 😀 مرحبا עברית \u202e txet",
    "nul": "a\x00b",
    "negative": "-1",
    "empty": "",
}
TEXT_KINDS = ("text", "textarea", "number", "search", "email", "tel", "url", "password")
# Which bad values each kind of field gets: a choice gets what is not one of its options; a checkbox only says
# whether it is ticked, so it gets none.
FOR_KIND = {
    "number": ("oversized number", "negative", "unicode", "nul", "empty"),
    "select": ("unicode", "nul", "empty", "negative"),
    "radio": ("unicode", "nul", "empty", "negative"),
    "checkbox": (),
}
FOR_TEXT = ("oversized text", "oversized number", "unicode", "nul", "empty")


def applies(bad: str, kind: str) -> bool:
    return bad in FOR_KIND.get(kind, FOR_TEXT)


def never_accepted(bad: str, kind: str) -> bool:
    """Whether a form that accepts this value in this kind of field (and saves) has failed to validate it:
    NUL in anything typed, a 40-digit number where a number belongs."""
    return (bad == "nul" and kind in TEXT_KINDS) or (bad == "oversized number" and kind == "number")


def field_class(name: str, kind: str) -> str:
    """What kind of field a name is, ignoring which row or element it belongs to.

    'leadership-vision-current' and 'data-prevention-current' are both 'current'; 'i-3-spend' is 'spend';
    'opens_on[day]' is 'opens_on[day]'.
    """
    if "[" in name:
        return name.split("[", 1)[1]  # a date's day, month or year box
    return f"{kind}:{re.split(r'[-_]', name)[-1]}" if re.search(r"\d|-", name) else f"{kind}:{name}"


def representatives(fields: list[str], kinds: dict[str, str]) -> list[str]:
    """The first field of each kind, in form order."""
    chosen, seen = [], set()
    for name in fields:
        cls = field_class(name, kinds.get(name, "text"))
        if cls not in seen:
            seen.add(cls)
            chosen.append(name)
    return chosen


def plausible(fields: dict[str, str], kinds: dict[str, str], choices: dict[str, list[str]]) -> dict[str, str]:
    """The form's values with its empty boxes filled as a user might, so that a bad value in one field is
    checked with the others complete (a blank date box would stop a date being read at all)."""
    filled = dict(fields)
    for name, kind in kinds.items():
        if filled.get(name) or kind in ("hidden", "checkbox", "submit", "button", "file"):
            continue
        if name.endswith("[day]"):
            filled[name] = "1"
        elif name.endswith("[month]"):
            filled[name] = "4"
        elif name.endswith("[year]"):
            filled[name] = "2019"
        elif kind in ("select", "radio"):
            options = [c for c in choices.get(name, []) if c]
            if options:
                filled[name] = options[0]
        elif kind == "number":
            filled[name] = "1"
        else:
            filled[name] = "Checked by the fault suite"
    return filled
