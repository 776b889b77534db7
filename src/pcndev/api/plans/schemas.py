"""The support plans API's request and response schemas, and the refusals every module returns."""

import datetime

from ninja import Schema
from ninja.responses import Status
from pydantic import Field

from pcndev.accounts.permissions import Decision
from pcndev.plans.editing import PlanProblems

MAX_PENCE = 2**63 - 1


class FieldProblem(Schema):
    field: str
    message: str


class PlanProblem(Schema):
    detail: str
    reasons: list[str] = []
    problems: list[FieldProblem] = []


class DecisionOut(Schema):
    allowed: bool
    reason: str


class CodeTitleOut(Schema):
    code: str
    title: str


class MatrixPartOut(Schema):
    id: int
    code: str
    title: str


class PlanRowOut(Schema):
    plan: int
    pcn: str
    pcn_name: str
    place: str
    version: int = Field(description="The current version's id")
    number: int = Field(description="The current version's number")
    state: str
    state_label: str
    programme_cost_pence: int
    top_up_cost_pence: int
    existing_cost_pence: int
    plan_cost_pence: int = Field(description="What the plan draws: programme and top-up costs")


class StartIn(Schema):
    pcn: str = Field(description="The PCN's ODS code")


class NeedOut(Schema):
    id: int
    rank: int
    element: str
    title: str
    tag: str
    gap: int
    priority: str
    support_needed: str
    cost_pence: int


class BudgetOut(Schema):
    development_pence: int = Field(description="The PCN's development money (the CD slice excluded)")
    cd_pence: int = Field(description="The CD development slice, for CD development plans")
    top_ups_pence: int
    available_pence: int
    programme_cost_pence: int
    top_up_cost_pence: int
    existing_cost_pence: int = Field(description="Paid from existing funds: shown, but draws nothing")
    plan_cost_pence: int
    headroom_pence: int
    over_budget: bool
    problems: list[str]


class FindingOut(Schema):
    rule_id: str
    outcome: str = Field(description="warn or block")
    reason: str
    guidance: str
    source: str


class OverrideOut(Schema):
    justification: str
    by: str
    at: datetime.datetime


class EligibilityOut(Schema):
    initiative: int
    title: str
    outcome: str = Field(description="pass, warn or block")
    findings: list[FindingOut]
    override: OverrideOut | None = Field(description="A place lead's decision to allow a blocked initiative")
    needs_override: bool = Field(description="Blocked with no override: the plan cannot be submitted")


class MeasureIn(Schema):
    description: str
    target: str
    due: datetime.date | None = None


class MeasureOut(MeasureIn):
    pass


class InitiativeIn(Schema):
    lock_version: int = Field(description="The plan version's lock_version when you read it")
    title: str
    domain: str = Field(description="The code of one of the programme's support domains")
    cost_pence: int = Field(le=MAX_PENCE)
    description: str = ""
    area: int | None = Field(None, description="The id of a maturity area from the PCN's matrix")
    elements: list[int] = Field([], description="Ids of elements from the PCN's matrix")
    priorities: list[str] = Field([], description="Codes of the programme's priorities")
    tag: str = "internal"
    support_required: str = ""
    provider_type: str = "nhs_family"
    funding_source: str = Field("programme", description="existing, programme or top_up")
    start_month: datetime.date | None = None
    end_month: datetime.date | None = None
    category: str = Field("development", description="What the money is for")
    already_funded: bool = False
    in_contract: bool = False
    pcn_related: bool = True
    transformation: bool = True
    existing_funds_checked: bool = False
    measures: list[MeasureIn] = []


class InitiativeOut(Schema):
    id: int
    position: int
    title: str
    description: str
    area: MatrixPartOut | None
    elements: list[MatrixPartOut]
    domain: CodeTitleOut | None
    priorities: list[CodeTitleOut]
    tag: str
    support_required: str
    provider_type: str
    funding_source: str
    cost_pence: int
    start_month: datetime.date | None
    end_month: datetime.date | None
    category: str
    already_funded: bool
    in_contract: bool
    pcn_related: bool
    transformation: bool
    existing_funds_checked: bool
    measures: list[MeasureOut]
    eligibility: EligibilityOut


class InitiativeSavedOut(InitiativeOut):
    lock_version: int = Field(description="The plan version's new lock_version")


class LockOut(Schema):
    lock_version: int


class SignOffOut(Schema):
    party: str
    party_label: str
    decision: str = Field(description="agree, decline or empty while waiting")
    by: str | None
    at: datetime.datetime | None
    comment: str


class VersionOut(Schema):
    id: int
    plan: int
    programme: int
    pcn: str
    pcn_name: str
    place: str
    number: int
    state: str
    state_label: str
    editable: bool
    improvement_priority: str
    summary: str
    assessment: int | None
    needs: list[NeedOut]
    assessment_needs: list[NeedOut] = Field(description="The needs you may choose from")
    lock_version: int = Field(description="Send it back with every change; a stale one is refused (409)")
    updated_at: datetime.datetime
    updated_by: str | None
    submitted_at: datetime.datetime | None
    budget: BudgetOut
    initiatives: list[InitiativeOut]
    signoffs: list[SignOffOut]
    can_edit: DecisionOut
    can_override: DecisionOut


class PlanIn(Schema):
    lock_version: int
    improvement_priority: str | None = Field(None, description="Left out: unchanged")
    summary: str | None = Field(None, description="Left out: unchanged")
    needs: list[int] | None = Field(None, description="Ids from assessment_needs; left out: unchanged")


class OverrideIn(Schema):
    justification: str


class ActionIn(Schema):
    comment: str = Field("", description="Needed to decline or to request changes")


class ActionOut(Schema):
    action: str
    label: str
    source: str
    target: str
    needs_comment: bool
    allowed: bool
    reason: str
    path: str = Field(description="Where to POST it")


class StateOut(Schema):
    id: int
    number: int
    state: str
    state_label: str
    signoffs: list[SignOffOut]


class ApprovalOut(Schema):
    version: int
    pcn: str
    amount_pence: int
    ledger_entries: list[int]


class CommitteeIn(Schema):
    committee: str
    meeting_date: datetime.date
    minute_reference: str
    versions: list[int] = Field(description="Ids of the agreed plan versions the committee approved")


class CommitteeOut(Schema):
    id: int
    programme: int
    place: str
    committee: str
    meeting_date: datetime.date
    minute_reference: str
    approved_pence: int
    by: str
    at: datetime.datetime
    approvals: list[ApprovalOut]


class ReleaseIn(Schema):
    amount_pence: int = Field(le=MAX_PENCE)
    mou_reference: str
    release_date: datetime.date


class ReleaseOut(Schema):
    id: int
    version: int
    state: str
    mou_reference: str
    payee: str
    amount_pence: int
    release_date: datetime.date
    by: str
    at: datetime.datetime
    ledger_entries: list[int]


class AwaitingActionOut(Schema):
    action: str
    label: str
    path: str


class AwaitingOut(Schema):
    version: int
    number: int
    plan: int
    programme: int
    programme_name: str
    pcn: str
    pcn_name: str
    place: str
    state: str
    state_label: str
    actions: list[AwaitingActionOut]


# --- Refusals and problems ----------------------------------------------------------------------------------


def _decision(d: Decision) -> dict:
    return {"allowed": bool(d), "reason": d.reason}


def _refused(reason: str):
    return Status(403, {"detail": reason})


def _problems(exc: PlanProblems):
    return Status(
        400,
        {
            "detail": str(exc),
            "reasons": [m for _, m in exc.problems],
            "problems": [{"field": f, "message": m} for f, m in exc.problems],
        },
    )
