"""The self-assessment API's request and response schemas, and the refusals every module returns."""

import datetime

from ninja import Schema
from ninja.responses import Status
from pydantic import Field

from pcndev.accounts.permissions import Decision
from pcndev.maturity import permissions as perms

MAX_PENCE = 2**63 - 1


class RatingFieldProblem(Schema):
    element: str = Field(description="The element's code, or empty for the whole record")
    field: str
    message: str


class MaturityProblem(Schema):
    detail: str
    reasons: list[str] = []
    problems: list[RatingFieldProblem] = []


class DecisionOut(Schema):
    allowed: bool
    reason: str


class ElementOut(Schema):
    code: str
    title: str
    tag: str
    descriptors: list[str]


class AreaOut(Schema):
    code: str
    title: str
    tag: str
    elements: list[ElementOut]


class TemplateOut(Schema):
    id: int
    name: str
    version: int
    description: str
    based_on: int | None
    in_use: bool


class TemplateDetailOut(TemplateOut):
    stages: list[str]
    areas: list[AreaOut]


class TemplateIn(Schema):
    yaml: str = Field(
        description="The matrix as YAML, in the format GET /maturity/templates/{id}/yaml returns"
    )


class CopyIn(Schema):
    name: str = Field(
        description="The copy's name: a new name for a local variant, or the same for a new version"
    )


class ElementIn(Schema):
    title: str = Field(description="The element's title")
    tag: str = Field(description="internal or external")
    descriptors: list[str] = Field(description="What each stage looks like, one per stage in order")


class RoundIn(Schema):
    name: str
    template: int = Field(description="The matrix template's id")
    financial_year: int = Field(description="The April it starts: 2019 means 2019/20")
    opens_on: datetime.date | None = Field(None, description="Defaults to 1 September")
    closes_on: datetime.date | None = Field(None, description="Defaults to 30 September")
    scope: str = Field("national", description="national, system:CODE or place:CODE")
    baseline: int | None = Field(None, description="The id of the earlier round this one re-assesses")


class RoundOut(Schema):
    id: int
    name: str
    template: int
    template_name: str
    financial_year: int
    year_label: str
    opens_on: datetime.date
    closes_on: datetime.date
    scope: str
    baseline: int | None


class RoundPCNOut(Schema):
    code: str
    name: str
    place: str
    status: str = Field(description="not_started, in_progress or submitted")
    submitted_at: datetime.datetime | None
    practices_submitted: int


class RoundDetailOut(RoundOut):
    submitted: int
    can_compare: bool
    reassessment: int | None = Field(
        None, description="The id of this round's year-end re-assessment, if any"
    )
    start_reassessment: DecisionOut = Field(
        description="Whether you may start this round's year-end re-assessment, and if not why"
    )
    pcns: list[RoundPCNOut]


class ReassessmentIn(Schema):
    name: str = Field(
        "", description="Defaults to 'Year-end re-assessment 2019/20' (with the scope if local)"
    )
    opens_on: datetime.date | None = Field(None, description="Defaults to the year-end phase (1 March)")
    closes_on: datetime.date | None = Field(None, description="Defaults to the year-end phase (31 March)")


class PracticeStatusOut(Schema):
    code: str
    name: str
    ratings: str = Field(description="not_started, draft or submitted")
    may_view: bool
    is_mine: bool


class AssessmentOut(Schema):
    round: int
    pcn: str
    pcn_name: str
    status: str
    submitted_at: datetime.datetime | None
    improvement_priority: str | None = Field(description="Only for those who may see the consensus")
    is_cd: bool
    practices: list[PracticeStatusOut]
    lead: DecisionOut
    consensus: DecisionOut
    reopen: DecisionOut


class RatingIn(Schema):
    element: str = Field(description="The element's code")
    current_stage: int | None = Field(None, description="0-based position in the template's stages")
    target_stage: int | None = None
    priority: str = Field("", description="high, medium, low or empty")
    support_needed: str = ""
    cost_pence: int | None = Field(None, le=MAX_PENCE)
    comment: str = Field("", description="Evidence for a rating; the note for a consensus rating")


class RatingOut(Schema):
    element: str
    area: str
    current_stage: int | None
    target_stage: int | None
    priority: str
    support_needed: str
    cost_pence: int | None
    comment: str


class AssessmentActionOut(Schema):
    action: str
    label: str
    allowed: bool
    reason: str


class RatingsOut(Schema):
    practice: str | None
    rater: str
    status: str = Field(description="not_started, draft or submitted")
    submitted_at: datetime.datetime | None
    actions: list[AssessmentActionOut]
    ratings: list[RatingOut]
    changed: int | None = None


class RaterOut(Schema):
    rater: str
    status: str
    current_stage: int | None
    target_stage: int | None


class ConsensusElementOut(RatingOut):
    raters: list[RaterOut] = Field(
        description="The individual ratings you may see (the PCN's CDs see them all)"
    )
    lowest: int | None
    highest: int | None
    diverges: bool


class ConsensusIn(Schema):
    entries: list[RatingIn] = []
    improvement_priority: str | None = None
    priority_note: str | None = None


class ConsensusOut(Schema):
    round: int
    pcn: str
    status: str
    submitted_at: datetime.datetime | None
    improvement_priority: str
    priority_note: str
    elements: list[ConsensusElementOut]
    changed: int | None = None


class ReasonIn(Schema):
    reason: str = ""


class AssessmentNeedOut(Schema):
    rank: int
    element: str
    title: str
    area: str
    tag: str
    current_stage: int
    target_stage: int
    gap: int
    priority: str
    support_needed: str
    cost_pence: int


class AreaResultOut(Schema):
    area: str
    title: str
    tag: str
    current_stage: int | None
    target_stage: int | None
    current_score: float | None
    target_score: float | None


class BenchmarkOut(Schema):
    area: str
    title: str
    pcn_score: float | None
    place_median: float | None
    system_median: float | None
    national_median: float | None
    place_count: int
    system_count: int
    national_count: int


class ChangeOut(Schema):
    area: str
    baseline_score: float | None
    current_score: float | None
    change: float | None


class ResultsOut(Schema):
    round: int
    pcn: str
    status: str
    stages: list[str]
    areas: list[AreaResultOut]
    benchmark: list[BenchmarkOut] | None = Field(description="Medians and counts only, once submitted")
    change: list[ChangeOut] | None = Field(description="Against the baseline round, when there is one")


class RoundAreaChangeOut(Schema):
    area: str
    title: str
    compared: int = Field(description="PCNs that submitted both assessments with a score for the area")
    baseline_mean: float | None
    current_mean: float | None
    change: float | None
    improved: int
    unchanged: int
    fell: int


class PCNChangeOut(Schema):
    pcn: str
    name: str
    place: str
    compared: bool = Field(description="Whether the PCN submitted both the baseline and this round")
    changes: list[float | None] = Field(description="Change in mean stage per area, in the order of `areas`")


class RoundChangeOut(Schema):
    round: int
    baseline: int
    areas: list[RoundAreaChangeOut]
    pcns: list[PCNChangeOut]


class PlaceOut(Schema):
    code: str
    name: str


class HeatmapAreaOut(Schema):
    code: str
    title: str
    tag: str


class HeatmapRowOut(Schema):
    pcn: str
    name: str
    place: str
    submitted: bool
    cells: list[AreaResultOut]


class HeatmapOut(Schema):
    round: int
    stages: list[str]
    areas: list[HeatmapAreaOut]
    places: list[PlaceOut]
    place: str | None
    submitted: int
    rows: list[HeatmapRowOut]


# --- Helpers -------------------------------------------------------------------------------------------------


def _decision(d: Decision) -> dict:
    return {"allowed": bool(d), "reason": d.reason}


def _refused(reason: str):
    return Status(403, {"detail": reason})


def _problems(detail: str, problems: list[tuple[str, str, str]]):
    return Status(
        400,
        {
            "detail": detail,
            "reasons": [m for _, _, m in problems],
            "problems": [{"element": c, "field": f, "message": m} for c, f, m in problems],
        },
    )


def _consensus_visible(user, assessment):
    decision = perms.can_view_consensus(user, assessment)
    return None if decision else _refused(decision.reason)
