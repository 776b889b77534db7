"""Support plan endpoints: plans and their versions, initiatives and eligibility, overrides, workflow actions,
committee decisions, releases to the payee, and what is awaiting your action.

Every endpoint starts from the PCNs your roles reach (as the pages do): a plan, initiative or place outside them
is a 404. Everything else is the plan services' own work: a refusal is a 403 with the permission's reason, a
problem with the input a 400 listing every problem, and a save over someone else's a 409 with who saved since.
"""

import datetime

from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from pcndev.accounts.permissions import Decision
from pcndev.accounts.scope import visible
from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, Place
from pcndev.plans import permissions as perms
from pcndev.plans import workflow
from pcndev.plans.awaiting import awaiting_for, current_versions
from pcndev.plans.budget import budget_for
from pcndev.plans.editing import (
    InitiativeData,
    Measure,
    NotAllowed,
    PlanProblems,
    StaleEdit,
    delete_initiative,
    override_block,
    save_initiative,
    start_plan,
    update_plan,
)
from pcndev.plans.eligibility import evaluate
from pcndev.plans.models import CommitteeDecision, Initiative, PlanVersion, SignOff, SupportPlan
from pcndev.plans.transitions import record_committee_decision, release_funds, transition

router = Router(tags=["support plans"])
MAX_PENCE = 2**63 - 1
VERSION_RELATED = (
    "plan__pcn__place__system",
    "plan__pcn__payee",
    "plan__programme",
    "updated_by",
    "assessment__round",
)


# --- Schemas -------------------------------------------------------------------------------------------------


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


# --- Helpers -------------------------------------------------------------------------------------------------


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


def _version_or_404(user, pk: int) -> PlanVersion:
    version = (
        PlanVersion.objects.filter(pk=pk, plan__pcn__in=visible(user, PCN).values("pk"))
        .select_related(*VERSION_RELATED)
        .first()
    )
    if version is None:
        raise Http404("No plan found")
    return version


def _initiative_or_404(version: PlanVersion, iid: int) -> Initiative:
    initiative = Initiative.objects.filter(pk=iid, version=version).first()
    if initiative is None:
        raise Http404("No initiative found")
    return initiative


def _initiatives(version) -> list[Initiative]:
    return list(
        version.initiatives.select_related("area", "domain", "override__by").prefetch_related(
            "measures", "priorities", "elements"
        )
    )


def _eligibility(i: Initiative) -> dict:
    result = evaluate(i.answers())
    override = getattr(i, "override", None)
    return {
        "initiative": i.id,
        "title": i.title,
        "outcome": result.outcome,
        "findings": [
            {
                "rule_id": f.rule_id,
                "outcome": f.outcome,
                "reason": f.reason,
                "guidance": f.guidance,
                "source": f.source,
            }
            for f in result.findings
        ],
        "override": {"justification": override.justification, "by": str(override.by), "at": override.at}
        if override
        else None,
        "needs_override": result.blocked and override is None,
    }


def _initiative_out(i: Initiative) -> dict:
    return {
        **{
            f: getattr(i, f)
            for f in (
                "id",
                "position",
                "title",
                "description",
                "tag",
                "support_required",
                "provider_type",
                "funding_source",
                "cost_pence",
                "start_month",
                "end_month",
                "category",
                "already_funded",
                "in_contract",
                "pcn_related",
                "transformation",
                "existing_funds_checked",
            )
        },
        "area": {"id": i.area.id, "code": i.area.code, "title": i.area.title} if i.area_id else None,
        "elements": [{"id": e.id, "code": e.code, "title": e.title} for e in i.elements.all()],
        "domain": {"code": i.domain.code, "title": i.domain.title} if i.domain_id else None,
        "priorities": [{"code": p.code, "title": p.title} for p in i.priorities.all()],
        "measures": [
            {"description": m.description, "target": m.target, "due": m.due} for m in i.measures.all()
        ],
        "eligibility": _eligibility(i),
    }


def _need_out(n) -> dict:
    return {
        "id": n.id,
        "rank": n.rank,
        "element": n.element.code,
        "title": n.element.title,
        "tag": n.tag,
        "gap": n.gap,
        "priority": n.priority,
        "support_needed": n.support_needed,
        "cost_pence": n.cost_pence,
    }


def _signoffs(version) -> list[dict]:
    return [
        {
            "party": s.party,
            "party_label": s.get_party_display(),
            "decision": s.decision,
            "by": str(s.by) if s.by_id else None,
            "at": s.at,
            "comment": s.comment,
        }
        for s in SignOff.objects.filter(version=version).select_related("by")
    ]


def _budget_out(version) -> dict:
    b = budget_for(version)
    return {
        **{
            f: getattr(b, f)
            for f in (
                "development_pence",
                "cd_pence",
                "top_ups_pence",
                "available_pence",
                "programme_cost_pence",
                "top_up_cost_pence",
                "existing_cost_pence",
                "plan_cost_pence",
                "headroom_pence",
                "over_budget",
            )
        },
        "problems": b.problems(),
    }


def _version_out(user, version: PlanVersion) -> dict:
    pcn = version.plan.pcn
    assessment_needs = []
    if version.assessment_id:
        assessment_needs = [_need_out(n) for n in version.assessment.needs.select_related("element")]
    return {
        "id": version.id,
        "plan": version.plan_id,
        "programme": version.plan.programme_id,
        "pcn": pcn.code,
        "pcn_name": pcn.name,
        "place": pcn.place.code,
        "number": version.number,
        "state": version.state,
        "state_label": version.get_state_display(),
        "editable": version.editable,
        "improvement_priority": version.improvement_priority,
        "summary": version.summary,
        "assessment": version.assessment_id,
        "needs": [_need_out(n) for n in version.needs.select_related("element")],
        "assessment_needs": assessment_needs,
        "lock_version": version.lock_version,
        "updated_at": version.updated_at,
        "updated_by": str(version.updated_by) if version.updated_by_id else None,
        "submitted_at": version.submitted_at,
        "budget": _budget_out(version),
        "initiatives": [_initiative_out(i) for i in _initiatives(version)],
        "signoffs": _signoffs(version),
        "can_edit": _decision(perms.can_edit(user, version)),
        "can_override": _decision(perms.can_override(user, version)),
    }


def _fresh(user, pk: int) -> dict:
    return _version_out(user, _version_or_404(user, pk))


def _state_out(version_pk: int) -> dict:
    version = PlanVersion.objects.get(pk=version_pk)
    return {
        "id": version.id,
        "number": version.number,
        "state": version.state,
        "state_label": version.get_state_display(),
        "signoffs": _signoffs(version),
    }


def _action_path(version: PlanVersion, action: str) -> str:
    if action == "approve":
        return reverse(
            "api:plan-committee-decisions",
            kwargs={"pk": version.plan.programme_id, "code": version.plan.pcn.place.code},
        )
    if action == "release":
        return reverse("api:plan-releases", kwargs={"pk": version.pk})
    return reverse("api:plan-action", kwargs={"pk": version.pk, "action": action})


def _data(body: InitiativeIn) -> InitiativeData:
    return InitiativeData(
        title=body.title,
        domain_code=body.domain,
        cost_pence=body.cost_pence,
        description=body.description,
        area_id=body.area,
        element_ids=list(body.elements),
        priority_codes=list(body.priorities),
        tag=body.tag,
        support_required=body.support_required,
        provider_type=body.provider_type,
        funding_source=body.funding_source,
        start_month=body.start_month,
        end_month=body.end_month,
        category=body.category,
        already_funded=body.already_funded,
        in_contract=body.in_contract,
        pcn_related=body.pcn_related,
        transformation=body.transformation,
        existing_funds_checked=body.existing_funds_checked,
        measures=[Measure(m.description, m.target, m.due) for m in body.measures],
    )


def _saved_initiative(version_pk: int, initiative_pk: int) -> dict:
    version = PlanVersion.objects.get(pk=version_pk)
    initiative = next(i for i in _initiatives(version) if i.pk == initiative_pk)
    return {**_initiative_out(initiative), "lock_version": version.lock_version}


def _committee_out(d: CommitteeDecision) -> dict:
    return {
        "id": d.id,
        "programme": d.programme_id,
        "place": d.place.code,
        "committee": d.committee,
        "meeting_date": d.meeting_date,
        "minute_reference": d.minute_reference,
        "approved_pence": d.approved_pence,
        "by": str(d.by),
        "at": d.at,
        "approvals": [
            {
                "version": a.version_id,
                "pcn": a.version.plan.pcn.code,
                "amount_pence": a.amount_pence,
                "ledger_entries": sorted(e.id for e in a.ledger_entries.all()),
            }
            for a in d.approvals.all()
        ],
    }


def _decisions(programme, place):
    return (
        CommitteeDecision.objects.filter(programme=programme, place=place)
        .select_related("place", "by")
        .prefetch_related("approvals__version__plan__pcn", "approvals__ledger_entries")
    )


# --- Plans ---------------------------------------------------------------------------------------------------


@router.get("/programmes/{pk}/plans", response=list[PlanRowOut])
def list_plans(request, pk: int):
    """The programme's plans for the PCNs you can see, each with its current version and what it costs."""
    programme = get_object_or_404(Programme, pk=pk)
    versions = list(
        current_versions(request.user, programme).order_by("plan__pcn__place__name", "plan__pcn__name")
    )
    costs: dict[int, dict[str, int]] = {}
    for row in (
        Initiative.objects.filter(version__in=[v.id for v in versions])
        .values("version_id", "funding_source")
        .annotate(total=Sum("cost_pence"))
    ):
        costs.setdefault(row["version_id"], {})[row["funding_source"]] = row["total"] or 0
    out = []
    for v in versions:
        c = costs.get(v.id, {})
        programme_cost = c.get(Initiative.Source.PROGRAMME, 0)
        top_up_cost = c.get(Initiative.Source.TOP_UP, 0)
        out.append(
            {
                "plan": v.plan_id,
                "pcn": v.plan.pcn.code,
                "pcn_name": v.plan.pcn.name,
                "place": v.plan.pcn.place.code,
                "version": v.id,
                "number": v.number,
                "state": v.state,
                "state_label": v.get_state_display(),
                "programme_cost_pence": programme_cost,
                "top_up_cost_pence": top_up_cost,
                "existing_cost_pence": c.get(Initiative.Source.EXISTING, 0),
                "plan_cost_pence": programme_cost + top_up_cost,
            }
        )
    return out


@router.post("/programmes/{pk}/plans", response={200: VersionOut, 201: VersionOut, 403: PlanProblem})
def start_plan_endpoint(request, pk: int, body: StartIn):
    """Start the PCN's plan from its submitted self-assessment (its clinical directors only).

    201 with the first version; 200 with the current version if the PCN already has a plan.
    """
    programme = get_object_or_404(Programme, pk=pk)
    pcn = get_visible_or_404(request.user, PCN, ("place__system",), code=body.pcn)
    existed = SupportPlan.objects.filter(programme=programme, pcn=pcn).exists()
    try:
        version = start_plan(programme, pcn, request.user)
    except NotAllowed as exc:
        return _refused(exc.reason)
    return Status(200 if existed else 201, _fresh(request.user, version.pk))


@router.get("/plans/versions/{pk}", response=VersionOut)
def get_version(request, pk: int):
    """A plan version: its priority, summary and needs, the budget panel, and each initiative with its output
    measures and eligibility (every rule that applies, with the guidance, and any override)."""
    return _fresh(request.user, pk)


@router.patch(
    "/plans/versions/{pk}", response={200: VersionOut, 400: PlanProblem, 403: PlanProblem, 409: PlanProblem}
)
def patch_version(request, pk: int, body: PlanIn):
    """Change the priority, summary or chosen needs. Send the lock_version you read: if someone has saved since,
    nothing is saved and the 409 says who and when."""
    user = request.user
    version = _version_or_404(user, pk)
    try:
        update_plan(
            version,
            body.lock_version,
            user,
            version.improvement_priority if body.improvement_priority is None else body.improvement_priority,
            version.summary if body.summary is None else body.summary,
            list(version.needs.values_list("id", flat=True)) if body.needs is None else list(body.needs),
        )
    except NotAllowed as exc:
        return _refused(exc.reason)
    except StaleEdit as exc:
        return Status(409, {"detail": exc.message})
    except PlanProblems as exc:
        return _problems(exc)
    return Status(200, _fresh(user, pk))


# --- Initiatives and eligibility -----------------------------------------------------------------------------


def _save(request, pk: int, body: InitiativeIn, iid: int | None, status: int):
    user = request.user
    version = _version_or_404(user, pk)
    initiative = None if iid is None else _initiative_or_404(version, iid)
    try:
        saved = save_initiative(version, body.lock_version, user, _data(body), initiative)
    except NotAllowed as exc:
        return _refused(exc.reason)
    except StaleEdit as exc:
        return Status(409, {"detail": exc.message})
    except PlanProblems as exc:
        return _problems(exc)
    return Status(status, _saved_initiative(pk, saved.pk))


@router.post(
    "/plans/versions/{pk}/initiatives",
    response={201: InitiativeSavedOut, 400: PlanProblem, 403: PlanProblem, 409: PlanProblem},
)
def add_initiative(request, pk: int, body: InitiativeIn):
    """Add an initiative with its output measures and eligibility answers (the plan's clinical directors)."""
    return _save(request, pk, body, None, 201)


@router.put(
    "/plans/versions/{pk}/initiatives/{iid}",
    response={200: InitiativeSavedOut, 400: PlanProblem, 403: PlanProblem, 409: PlanProblem},
)
def put_initiative(request, pk: int, iid: int, body: InitiativeIn):
    """Replace an initiative (its measures too). An override stays only while it is still blocked."""
    return _save(request, pk, body, iid, 200)


@router.delete(
    "/plans/versions/{pk}/initiatives/{iid}", response={200: LockOut, 403: PlanProblem, 409: PlanProblem}
)
def delete_initiative_endpoint(request, pk: int, iid: int, lock_version: int):
    """Remove an initiative; `lock_version` (in the query) is the version's lock_version when you read it."""
    user = request.user
    version = _version_or_404(user, pk)
    initiative = _initiative_or_404(version, iid)
    try:
        delete_initiative(version, lock_version, user, initiative)
    except NotAllowed as exc:
        return _refused(exc.reason)
    except StaleEdit as exc:
        return Status(409, {"detail": exc.message})
    return Status(200, {"lock_version": PlanVersion.objects.get(pk=pk).lock_version})


@router.get("/plans/versions/{pk}/eligibility", response=list[EligibilityOut])
def get_eligibility(request, pk: int):
    """Each initiative's eligibility: pass, warn or block, with every rule that applies and any override."""
    version = _version_or_404(request.user, pk)
    return [_eligibility(i) for i in _initiatives(version)]


@router.post(
    "/plans/initiatives/{iid}/override", response={201: EligibilityOut, 400: PlanProblem, 403: PlanProblem}
)
def override_endpoint(request, iid: int, body: OverrideIn):
    """The place lead allows a blocked initiative, saying why (before the plan is agreed)."""
    user = request.user
    initiative = (
        Initiative.objects.filter(pk=iid, version__plan__pcn__in=visible(user, PCN).values("pk"))
        .select_related("version")
        .first()
    )
    if initiative is None:
        raise Http404("No initiative found")
    try:
        override_block(initiative, user, body.justification)
    except NotAllowed as exc:
        return _refused(exc.reason)
    except PlanProblems as exc:
        return _problems(exc)
    saved = next(i for i in _initiatives(initiative.version) if i.pk == iid)
    return Status(201, _eligibility(saved))


# --- Workflow ------------------------------------------------------------------------------------------------


@router.get("/plans/versions/{pk}/actions", response=list[ActionOut])
def list_actions(request, pk: int):
    """Every step in the workflow, whether you may take it on this version now and, if not, why."""
    version = _version_or_404(request.user, pk)
    signoffs = dict(version.signoffs.values_list("party", "decision"))
    return [
        {
            "action": t.action,
            "label": t.label,
            "source": t.source,
            "target": t.target,
            "needs_comment": t.needs_comment,
            **_decision(perms.can_act(request.user, version, t.action, signoffs)),
            "path": _action_path(version, t.action),
        }
        for t in workflow.TRANSITIONS
    ]


@router.post(
    "/plans/versions/{pk}/actions/{action}",
    response={200: StateOut, 400: PlanProblem, 403: PlanProblem},
    url_name="plan-action",
)
def act(request, pk: int, action: str, body: ActionIn | None = None):
    """Take a workflow step: submit, agree, decline, request_changes, revise, start_delivery or close.

    Declining and requesting changes need a comment. Committee approval and releases have their own endpoints.
    """
    version = _version_or_404(request.user, pk)
    if action not in workflow.BY_ACTION:
        raise Http404("No such action")
    try:
        transition(version, action, request.user, comment=body.comment if body else "")
    except NotAllowed as exc:
        return _refused(exc.reason)
    except PlanProblems as exc:
        return _problems(exc)
    return Status(200, _state_out(pk))


@router.get("/me/awaiting", response=list[AwaitingOut])
def awaiting(request):
    """The current plan versions with a step waiting for you, and which steps."""
    return [
        {
            "version": v.id,
            "number": v.number,
            "plan": v.plan_id,
            "programme": v.plan.programme_id,
            "programme_name": str(v.plan.programme),
            "pcn": v.plan.pcn.code,
            "pcn_name": v.plan.pcn.name,
            "place": v.plan.pcn.place.code,
            "state": v.state,
            "state_label": v.get_state_display(),
            "actions": [
                {"action": t.action, "label": t.label, "path": _action_path(v, t.action)} for t in actions
            ],
        }
        for v, actions in awaiting_for(request.user)
    ]


# --- Committee decisions and releases ------------------------------------------------------------------------


@router.get(
    "/programmes/{pk}/places/{code}/committee-decisions",
    response=list[CommitteeOut],
    url_name="plan-committee-decisions",
)
def list_committee_decisions(request, pk: int, code: str):
    """The place's committee decisions in the programme, newest meeting first, with what each approved."""
    programme = get_object_or_404(Programme, pk=pk)
    place = get_visible_or_404(request.user, Place, code=code)
    return [_committee_out(d) for d in _decisions(programme, place)]


@router.post(
    "/programmes/{pk}/places/{code}/committee-decisions",
    response={201: CommitteeOut, 400: PlanProblem, 403: PlanProblem},
)
def record_committee_decision_endpoint(request, pk: int, code: str, body: CommitteeIn):
    """Record a committee's approval of agreed plans from the place: each becomes approved by committee and its
    costs become ledger commitments (programme costs from national money, top-up costs from local money)."""
    user = request.user
    programme = get_object_or_404(Programme, pk=pk)
    place = get_visible_or_404(user, Place, ("system",), code=code)
    if not (decision := perms.can_record_committee(user, place)):
        return _refused(decision.reason)
    ids = list(dict.fromkeys(body.versions))
    versions = list(PlanVersion.objects.filter(pk__in=ids, plan__pcn__in=visible(user, PCN).values("pk")))
    if len(versions) != len(ids):
        raise Http404("No plan found")
    try:
        made = record_committee_decision(
            user, place, programme, versions, body.committee, body.meeting_date, body.minute_reference
        )
    except NotAllowed as exc:
        return _refused(exc.reason)
    except PlanProblems as exc:
        return _problems(exc)
    return Status(201, _committee_out(_decisions(programme, place).get(pk=made.pk)))


@router.post(
    "/plans/versions/{pk}/releases",
    response={201: ReleaseOut, 400: PlanProblem, 403: PlanProblem},
    url_name="plan-releases",
)
def release_endpoint(request, pk: int, body: ReleaseIn):
    """Release funds to the PCN's payee under an MOU: no more than the committee committed."""
    user = request.user
    version = _version_or_404(user, pk)
    try:
        release = release_funds(user, version, body.amount_pence, body.mou_reference, body.release_date)
    except NotAllowed as exc:
        return _refused(exc.reason)
    except PlanProblems as exc:
        return _problems(exc)
    return Status(
        201,
        {
            "id": release.id,
            "version": pk,
            "state": PlanVersion.objects.get(pk=pk).state,
            "mou_reference": release.mou_reference,
            "payee": release.payee,
            "amount_pence": release.amount_pence,
            "release_date": release.release_date,
            "by": str(release.by),
            "at": release.at,
            "ledger_entries": sorted(e.id for e in release.ledger_entries.all()),
        },
    )
