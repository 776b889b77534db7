"""Plan forms: errors go to the NHS error summary, each linking to its field. They build the services' inputs."""

import datetime

from django import forms

from pcndev.forms import NUL_MESSAGE, NHSForm, date_from_parts, has_nul
from pcndev.funding.forms import clean_pounds
from pcndev.maturity.models import Tag
from pcndev.plans.editing import InitiativeData, Measure
from pcndev.plans.eligibility import CATEGORIES
from pcndev.plans.models import Initiative

MEASURE_ROWS = 3
YES_NO = [("yes", "Yes"), ("no", "No")]


def _month(data, name: str):
    return date_from_parts(data, name, ("month", "year"))


def _day(data, name: str):
    return date_from_parts(data, name)


class PlanForm(NHSForm):
    improvement_priority = forms.CharField(
        max_length=300,
        required=False,
        error_messages={"max_length": "The service-improvement priority must be 300 characters or fewer"},
    )
    summary = forms.CharField(required=False, max_length=5000)
    needs = forms.MultipleChoiceField(
        required=False, error_messages={"invalid_choice": "Choose needs from the PCN's self-assessment"}
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, need_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = list(need_choices)


class InitiativeForm(NHSForm):
    anchors = {"start_month": "#start_month-month", "end_month": "#end_month-month"}
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title for the initiative"})
    description = forms.CharField(required=False, max_length=5000)
    area = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    elements = forms.TypedMultipleChoiceField(coerce=int, required=False)
    domain = forms.ChoiceField(
        error_messages={"required": "Select the support domain the initiative belongs to"}
    )
    priorities = forms.MultipleChoiceField(required=False)
    tag = forms.ChoiceField(
        choices=Tag.choices, initial="internal", error_messages={"required": "Select internal or external"}
    )
    support_required = forms.CharField(required=False, max_length=5000)
    provider_type = forms.ChoiceField(choices=Initiative.Provider.choices, initial="nhs_family")
    funding_source = forms.ChoiceField(choices=Initiative.Source.choices, initial="programme")
    cost = forms.CharField(error_messages={"required": "Enter the cost in pounds, like 2,500"})
    category = forms.ChoiceField(
        choices=list(CATEGORIES.items()),
        initial="development",
        error_messages={"required": "Select what the money is for"},
    )
    already_funded = forms.ChoiceField(choices=YES_NO, initial="no")
    in_contract = forms.ChoiceField(choices=YES_NO, initial="no")
    pcn_related = forms.ChoiceField(choices=YES_NO, initial="yes")
    transformation = forms.ChoiceField(choices=YES_NO, initial="yes")
    existing_funds_checked = forms.ChoiceField(choices=YES_NO, initial="yes")
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, domains=(), priorities=(), areas=(), elements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elements"].choices = list(elements)
        self.fields["domain"].choices = list(domains)
        self.fields["priorities"].choices = list(priorities)
        self.fields["area"].choices = [("", "Not linked to an area")] + list(areas)
        self.months: dict[str, datetime.date | None] = {}
        self.measures: list[Measure] = []

    def clean_cost(self):
        return clean_pounds(self.cleaned_data["cost"])

    def clean(self):
        data = super().clean()
        for name, label in (("start_month", "start"), ("end_month", "end")):
            value = _month(self.data, name)
            if value == "invalid":
                self.errors.setdefault(
                    name, self.error_class([f"The {label} month must be a real month, like 10 2019"])
                )
            else:
                self.months[name] = value
        for i in range(MEASURE_ROWS):
            description = (self.data.get(f"measure-{i}-description") or "").strip()
            target = (self.data.get(f"measure-{i}-target") or "").strip()
            due = _day(self.data, f"measure-{i}-due")
            if not (description or target or due):
                continue
            if due == "invalid":
                self.errors.setdefault(
                    f"measure-{i}-due",
                    self.error_class([f"Output measure {i + 1}: the date must be a real date"]),
                )
                continue
            if has_nul(description, target):
                field = f"measure-{i}-{'description' if has_nul(description) else 'target'}"
                self.errors.setdefault(field, self.error_class([f"Output measure {i + 1}: {NUL_MESSAGE}"]))
                continue
            self.measures.append(Measure(description, target, due))
        return data

    def to_data(self) -> InitiativeData:
        d = self.cleaned_data
        return InitiativeData(
            title=d["title"],
            domain_code=d["domain"],
            cost_pence=d["cost"],
            description=d.get("description", ""),
            area_id=d.get("area"),
            element_ids=list(d.get("elements") or []),
            priority_codes=list(d.get("priorities") or []),
            tag=d["tag"],
            support_required=d.get("support_required", ""),
            provider_type=d["provider_type"],
            funding_source=d["funding_source"],
            start_month=self.months.get("start_month"),
            end_month=self.months.get("end_month"),
            category=d["category"],
            already_funded=d["already_funded"] == "yes",
            in_contract=d["in_contract"] == "yes",
            pcn_related=d["pcn_related"] == "yes",
            transformation=d["transformation"] == "yes",
            existing_funds_checked=d["existing_funds_checked"] == "yes",
            measures=self.measures,
        )


def initiative_initial(i: Initiative) -> dict:
    yes = {True: "yes", False: "no"}
    out = {
        "title": i.title,
        "description": i.description,
        "area": i.area_id,
        "domain": i.domain.code if i.domain_id else "",
        "priorities": [p.code for p in i.priorities.all()],
        "elements": [str(e) for e in i.elements.values_list("id", flat=True)],
        "tag": i.tag,
        "support_required": i.support_required,
        "provider_type": i.provider_type,
        "funding_source": i.funding_source,
        "cost": f"{i.cost_pence / 100:.2f}",
        "category": i.category,
        "already_funded": yes[i.already_funded],
        "in_contract": yes[i.in_contract],
        "pcn_related": yes[i.pcn_related],
        "transformation": yes[i.transformation],
        "existing_funds_checked": yes[i.existing_funds_checked],
    }
    for name, value in (("start_month", i.start_month), ("end_month", i.end_month)):
        if value:
            out[f"{name}[month]"], out[f"{name}[year]"] = str(value.month), str(value.year)
    for n, m in enumerate(i.measures.all()):
        out[f"measure-{n}-description"], out[f"measure-{n}-target"] = m.description, m.target
        if m.due:
            out |= {
                f"measure-{n}-due[day]": str(m.due.day),
                f"measure-{n}-due[month]": str(m.due.month),
                f"measure-{n}-due[year]": str(m.due.year),
            }
    return out


class CommentForm(NHSForm):
    comment = forms.CharField(required=False, max_length=5000)


class OverrideForm(NHSForm):
    justification = forms.CharField(
        max_length=5000,
        error_messages={"required": "Enter why this initiative should be allowed despite the guidance"},
    )


class CommitteeForm(NHSForm):
    anchors = {"meeting_date": "#meeting_date-day", "versions": "#versions"}
    committee = forms.CharField(
        max_length=200,
        error_messages={
            "required": "Enter the committee's name, for example Primary Care Commissioning Committee"
        },
    )
    minute_reference = forms.CharField(
        max_length=100, error_messages={"required": "Enter the minute reference"}
    )
    versions = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": "Select at least one agreed plan",
            "invalid_choice": "Select plans from the list",
        },
    )

    def __init__(self, *args, version_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["versions"].choices = list(version_choices)
        self.meeting_date = None

    def clean(self):
        data = super().clean()
        value = _day(self.data, "meeting_date")
        if value is None:
            self.errors.setdefault("meeting_date", self.error_class(["Enter the date of the meeting"]))
        elif value == "invalid":
            self.errors.setdefault("meeting_date", self.error_class(["The meeting date must be a real date"]))
        else:
            self.meeting_date = value
        return data


class ReleaseForm(NHSForm):
    anchors = {"release_date": "#release_date-day"}
    amount = forms.CharField(error_messages={"required": "Enter the amount to release, like 15,000"})
    mou_reference = forms.CharField(max_length=100, error_messages={"required": "Enter the MOU reference"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.release_date = None

    def clean_amount(self):
        return clean_pounds(self.cleaned_data["amount"])

    def clean(self):
        data = super().clean()
        value = _day(self.data, "release_date")
        if value is None:
            self.errors.setdefault("release_date", self.error_class(["Enter the date of the payment"]))
        elif value == "invalid":
            self.errors.setdefault("release_date", self.error_class(["The payment date must be a real date"]))
        else:
            self.release_date = value
        return data
