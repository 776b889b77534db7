"""Forms for self-assessment. Rating pages have one group of fields per element, named `<element code>-<field>`."""

import datetime

from django import forms

from pcndev.forms import NUL_MESSAGE, NHSForm, date_from_parts, has_nul
from pcndev.funding.programmes import ProgrammeError, pounds_to_pence
from pcndev.maturity.assessing import Entry
from pcndev.maturity.models import Priority, Tag
from pcndev.maturity.scoring import RatingInput, rating_problems
from pcndev.maturity.template_spec import MAX_BYTES

RATING_INPUTS = ("current", "target", "priority", "support", "cost", "comment")


def _stage(raw: str, stages: int) -> int | None | str:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) >= stages:
        return "invalid"
    return int(raw)


def parse_entries(data, elements, stages: int) -> tuple[list[Entry], list[tuple[str, str, str]]]:
    """Entries for the elements on the page, and (element code, field, message) for values that do not parse."""
    entries, problems = [], []
    for element in elements:
        key = element.code
        current = _stage(data.get(f"{key}-current"), stages)
        target = _stage(data.get(f"{key}-target"), stages)
        cost_raw = (data.get(f"{key}-cost") or "").strip()
        cost = None
        bad = False
        for field, value in (("current", current), ("target", target)):
            if value == "invalid":
                problems.append((key, field, f"{element.title}: select a stage from the list"))
                bad = True
        if cost_raw:
            try:
                cost = pounds_to_pence(cost_raw)
            except ProgrammeError:
                problems.append(
                    (key, "cost", f"{element.title}: enter the estimated cost in pounds, like 2,500")
                )
                bad = True
        priority = (data.get(f"{key}-priority") or "").strip()
        if priority and priority not in Priority.values:
            problems.append((key, "priority", f"{element.title}: select high, medium or low priority"))
            bad = True
        support = (data.get(f"{key}-support") or "").strip()
        comment = (data.get(f"{key}-comment") or "").strip()
        for field, text in (("support", support), ("comment", comment)):
            if len(text) > 5000:
                problems.append((key, field, f"{element.title}: keep this to 5,000 characters or fewer"))
                bad = True
            elif has_nul(text):
                problems.append((key, field, f"{element.title}: {NUL_MESSAGE.lower()}"))
                bad = True
        if not bad:  # the service checks again; checking here too reports every problem on the page at once
            rating = RatingInput(current, target, priority, cost)
            found = [
                (key, f, f"{element.title}: {m}") for f, m in rating_problems(rating, stages, complete=False)
            ]
            problems += found
            if not found:
                entries.append(Entry(element.id, current, target, priority, support, cost, comment))
    return entries, problems


def error_items(problems) -> tuple[list[dict], dict[str, str]]:
    """Error-summary items linking to each field, and field id -> message for the inline errors."""
    items, inline = [], {}
    for code, field, message in problems:
        anchor = f"{code}-{field}" if code else field
        items.append({"text": message, "href": f"#{anchor}"})
        inline.setdefault(anchor, message)
    return items, inline


def values_from(data, elements) -> dict[str, str]:
    return {f"{e.code}-{f}": data.get(f"{e.code}-{f}", "") for e in elements for f in RATING_INPUTS}


def values_of(rows, elements) -> dict[str, str]:
    """The form values for saved ratings (a Rating or ConsensusRating per element id)."""
    out = {}
    for e in elements:
        r = rows.get(e.id)
        if r is None:
            continue
        out[f"{e.code}-current"] = "" if r.current_stage is None else str(r.current_stage)
        out[f"{e.code}-target"] = "" if r.target_stage is None else str(r.target_stage)
        out[f"{e.code}-priority"] = r.priority
        out[f"{e.code}-support"] = r.support_needed
        out[f"{e.code}-cost"] = "" if r.cost_pence is None else f"{r.cost_pence / 100:.2f}"
        out[f"{e.code}-comment"] = getattr(r, "evidence", None) or getattr(r, "note", "")
    return out


class RoundForm(NHSForm):
    anchors = {"opens_on": "#opens_on-day", "closes_on": "#closes_on-day", "scope": "#scope"}
    name = forms.CharField(max_length=200, error_messages={"required": "Enter a name for the round"})
    template = forms.TypedChoiceField(
        coerce=int,
        error_messages={
            "required": "Select a matrix template",
            "invalid_choice": "Select a matrix template from the list",
        },
    )
    financial_year = forms.IntegerField(
        min_value=2019,
        max_value=2100,
        error_messages={
            "required": "Enter the financial year, like 2019 for 2019/20",
            "invalid": "Enter the year as 4 digits, like 2019",
            "min_value": "The year must be 2019 or later",
            "max_value": "Enter a year before 2100",
        },
    )
    scope = forms.ChoiceField(
        error_messages={
            "required": "Select who the round is for",
            "invalid_choice": "Select a place, system or England that your role covers",
        }
    )
    baseline = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Select an earlier round from the list"},
    )

    def __init__(self, *args, templates=(), scopes=(), baselines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.pk, str(t)) for t in templates]
        self.fields["scope"].choices = list(scopes)
        self.fields["baseline"].choices = [("", "None: this is a first assessment")] + [
            (r.pk, str(r)) for r in baselines
        ]
        self.dates: dict[str, datetime.date | None] = {}

    def clean(self):
        data = super().clean()
        _clean_window(self)
        return data


def _clean_window(form) -> None:
    """Read the opening and closing date inputs into form.dates, adding an error for each missing or bad one."""
    for name, label in (("opens_on", "opening"), ("closes_on", "closing")):
        value = date_from_parts(form.data, name)
        if value is None:
            form.errors.setdefault(name, form.error_class([f"Enter the {label} date"]))
        elif value == "invalid":
            form.errors.setdefault(name, form.error_class([f"The {label} date must be a real date"]))
        else:
            form.dates[name] = value


class ReassessmentForm(NHSForm):
    """Start a year-end re-assessment: its name and window (defaults: the year-end phase)."""

    anchors = {"opens_on": "#opens_on-day", "closes_on": "#closes_on-day"}
    name = forms.CharField(max_length=200, error_messages={"required": "Enter a name for the re-assessment"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dates: dict[str, datetime.date | None] = {}

    def clean(self):
        data = super().clean()
        _clean_window(self)
        opens, closes = self.dates.get("opens_on"), self.dates.get("closes_on")
        if opens and closes and closes < opens:
            self.errors.setdefault(
                "closes_on", self.error_class(["The closing date must be on or after the opening date"])
            )
        return data


class UploadTemplateForm(NHSForm):
    file = forms.FileField(error_messages={"required": "Select a YAML file to upload"})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file must be smaller than {MAX_BYTES // 1024} KB")
        if not upload.name.lower().endswith((".yaml", ".yml")):
            raise forms.ValidationError("The file must be a YAML file ending .yaml or .yml")
        return upload


class CopyTemplateForm(NHSForm):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter a name for the new template"})


class ReasonForm(NHSForm):
    reason = forms.CharField(
        max_length=2000, error_messages={"required": "Enter why the self-assessment is being reopened"}
    )


class ElementForm(NHSForm):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter the element's title"})
    tag = forms.ChoiceField(
        choices=Tag.choices,
        error_messages={
            "required": "Select internal or external",
            "invalid_choice": "Select internal or external",
        },
    )

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        for i, name in enumerate(stages):
            self.fields[f"descriptor_{i}"] = forms.CharField(
                max_length=600, label=name, error_messages={"required": f"Describe what {name} looks like"}
            )
