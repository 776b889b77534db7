"""Self-assessment endpoints: matrix templates, rounds, practice and CD ratings, the PCN's consensus, needs and results.

Every endpoint starts from the same lookups, permission checks and privacy querysets as the pages:
anything the user's roles do not reach is a 404; a refusal of something they can see is a 403 with its reason.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from pcndev.accounts.permissions import Decision
from pcndev.funding.models import Programme
from pcndev.maturity import permissions as perms
from pcndev.maturity.assessing import (
    Entry,
    NotAllowed,
    Problems,
    action_decision,
    save_consensus,
    save_ratings,
    today,
    transition,
)
from pcndev.maturity.lookup import assessment_or_404, member_practices, round_or_404
from pcndev.maturity.models import (
    AssessmentRound,
    ConsensusRating,
    DevelopmentNeed,
    Element,
    MatrixTemplate,
    PCNAssessment,
    Rating,
    Response,
)
from pcndev.maturity.privacy import involved_pcns, overseen_pcns, visible_responses, visible_rounds
from pcndev.maturity.results import areas_of, benchmark, change_since_baseline, heatmap, pcn_results
from pcndev.maturity.rounds import RoundError, create_round, default_window
from pcndev.maturity.scoring import spread
from pcndev.maturity.template_spec import SpecError, dump_spec, load_spec
from pcndev.maturity.templates import copy_template, create_template, spec_of
from pcndev.maturity.workflow import available
from pcndev.orgs.models import Place

router = Router(tags=["self-assessment"])
TEXT_LIMIT = 5000  # support needed and comments, as on the rating pages
MAX_PENCE = 2**63 - 1


# --- Schemas -------------------------------------------------------------------------------------------------


class FieldProblem(Schema):
    element: str = Field(description="The element's code, or empty for the whole record")
    field: str
    message: str


class MaturityProblem(Schema):
    detail: str
    reasons: list[str] = []
    problems: list[FieldProblem] = []


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
    pcns: list[RoundPCNOut]


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


class ActionOut(Schema):
    action: str
    label: str
    allowed: bool
    reason: str


class RatingsOut(Schema):
    practice: str | None
    rater: str
    status: str = Field(description="not_started, draft or submitted")
    submitted_at: datetime.datetime | None
    actions: list[ActionOut]
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


class NeedOut(Schema):
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


def _template_out(t: MatrixTemplate, in_use: bool | None = None) -> dict:
    return {
        "id": t.id,
        "name": t.name,
        "version": t.version,
        "description": t.description,
        "based_on": t.based_on_id,
        "in_use": t.in_use if in_use is None else in_use,
    }


def _template_detail(t: MatrixTemplate) -> dict:
    spec = spec_of(t)
    return {
        **_template_out(t),
        "stages": spec.stages,
        "areas": [
            {
                "code": a.code,
                "title": a.title,
                "tag": a.tag,
                "elements": [
                    {"code": e.code, "title": e.title, "tag": e.tag, "descriptors": e.descriptors}
                    for e in a.elements
                ],
            }
            for a in spec.areas
        ],
    }


def _round_out(rnd: AssessmentRound) -> dict:
    return {
        "id": rnd.id,
        "name": rnd.name,
        "template": rnd.template_id,
        "template_name": str(rnd.template),
        "financial_year": rnd.financial_year,
        "year_label": rnd.year_label,
        "opens_on": rnd.opens_on,
        "closes_on": rnd.closes_on,
        "scope": rnd.scope_label,
        "baseline": rnd.baseline_id,
    }


def _elements(template) -> list[Element]:
    return list(template.elements.select_related("area").order_by("area__position", "position"))


def _stages(template) -> list[str]:
    return [s.name for s in template.stages.all()]


def _entries(body: list[RatingIn], elements: list[Element]):
    """Entries for the services (by element id), and problems with what the services cannot see (codes, length)."""
    by_code = {e.code: e for e in elements}
    entries, problems, seen = [], [], set()
    for item in body:
        element = by_code.get(item.element)
        if element is None:
            problems.append((item.element, "element", f"There is no element {item.element} in this matrix"))
            continue
        if element.code in seen:
            problems.append((element.code, "element", f"{element.title}: is given more than once"))
            continue
        seen.add(element.code)
        bad = False
        for field, text in (("support_needed", item.support_needed), ("comment", item.comment)):
            if len(text.strip()) > TEXT_LIMIT:
                problems.append(
                    (element.code, field, f"{element.title}: keep this to 5,000 characters or fewer")
                )
                bad = True
        if not bad:
            entries.append(
                Entry(
                    element.id,
                    item.current_stage,
                    item.target_stage,
                    item.priority.strip(),
                    item.support_needed.strip(),
                    item.cost_pence,
                    item.comment.strip(),
                )
            )
    return entries, problems


def _rating_row(element: Element, row, comment_field: str) -> dict:
    return {
        "element": element.code,
        "area": element.area.code,
        "current_stage": row.current_stage if row else None,
        "target_stage": row.target_stage if row else None,
        "priority": row.priority if row else "",
        "support_needed": row.support_needed if row else "",
        "cost_pence": row.cost_pence if row else None,
        "comment": getattr(row, comment_field) if row else "",
    }


def _response(user, assessment: PCNAssessment, who: str) -> Response:
    """The ratings `who` names (a member practice's code, or "cd" for your own), unsaved if not started yet.

    Hidden (404) unless the privacy rule lets the user see them: the practice's members and the PCN's CDs.
    """
    if who == "cd":
        if not perms.is_cd(user, assessment):
            raise Http404("No ratings found")
        response = Response.objects.filter(assessment=assessment, practice=None, respondent=user).first()
        response = response or Response(assessment=assessment, practice=None, respondent=user)
    else:
        practice = member_practices(assessment).filter(code=who).first()
        if practice is None:
            raise Http404("No practice found")
        response = Response.objects.filter(assessment=assessment, practice=practice).first()
        response = response or Response(assessment=assessment, practice=practice)
        response.practice = practice
    response.assessment = assessment
    if not perms.can_view_ratings(user, response):
        raise Http404("No ratings found")
    return response


def _saved(response: Response, user) -> Response:
    """The response in the database, created on the first write (inside the caller's transaction)."""
    if response.pk is not None:
        return response
    if response.practice_id is None:
        saved, _ = Response.objects.get_or_create(
            assessment=response.assessment, practice=None, respondent=user
        )
    else:
        saved, _ = Response.objects.get_or_create(
            assessment=response.assessment, practice=response.practice, defaults={"respondent": user}
        )
    saved.assessment = response.assessment
    return saved


def _ratings_out(user, response: Response, day, changed: int | None = None) -> dict:
    assessment = response.assessment
    elements = _elements(assessment.round.template)
    saved = {r.element_id: r for r in Rating.objects.filter(response=response)} if response.pk else {}
    state = response.status if response.pk else Response.Status.DRAFT
    return {
        "practice": response.practice.code if response.practice_id else None,
        "rater": response.label,
        "status": response.status if response.pk else "not_started",
        "submitted_at": response.submitted_at,
        "actions": [
            {"action": a.name, "label": a.label, **_decision(action_decision(response, a.name, user, day))}
            for a in available("response", state)
        ],
        "ratings": [_rating_row(e, saved.get(e.id), "evidence") for e in elements],
        "changed": changed,
    }


def _consensus_out(user, assessment: PCNAssessment, changed: int | None = None) -> dict:
    assessment.refresh_from_db()
    elements = _elements(assessment.round.template)
    rows = {c.element_id: c for c in ConsensusRating.objects.filter(assessment=assessment)}
    responses = list(
        visible_responses(user).filter(assessment=assessment).select_related("practice", "respondent")
    )
    ratings = {(r.response_id, r.element_id): r for r in Rating.objects.filter(response__in=responses)}
    out = []
    for e in elements:
        cells = [(resp, ratings.get((resp.id, e.id))) for resp in responses]
        s = spread(r.current_stage if r else None for _, r in cells)
        out.append(
            {
                **_rating_row(e, rows.get(e.id), "note"),
                "raters": [
                    {
                        "rater": resp.label,
                        "status": resp.status,
                        "current_stage": r.current_stage if r else None,
                        "target_stage": r.target_stage if r else None,
                    }
                    for resp, r in cells
                ],
                "lowest": s.lowest,
                "highest": s.highest,
                "diverges": s.diverges,
            }
        )
    return {
        "round": assessment.round_id,
        "pcn": assessment.pcn.code,
        "status": assessment.status,
        "submitted_at": assessment.submitted_at,
        "improvement_priority": assessment.improvement_priority,
        "priority_note": assessment.priority_note,
        "elements": out,
        "changed": changed,
    }


def _area_result(r) -> dict:
    return {
        "area": r.area.code,
        "title": r.area.title,
        "tag": r.area.tag,
        "current_stage": r.current_stage,
        "target_stage": r.target_stage,
        "current_score": r.current_score,
        "target_score": r.target_score,
    }


def _consensus_visible(user, assessment):
    decision = perms.can_view_consensus(user, assessment)
    return None if decision else _refused(decision.reason)


# --- Templates -----------------------------------------------------------------------------------------------


@router.get("/maturity/templates", response=list[TemplateOut])
def list_templates(request):
    """Every matrix template version, newest version of each name first."""
    used = set(AssessmentRound.objects.values_list("template_id", flat=True))
    return [_template_out(t, t.id in used) for t in MatrixTemplate.objects.all()]


@router.get("/maturity/templates/{pk}", response=TemplateDetailOut)
def get_template(request, pk: int):
    return _template_detail(get_object_or_404(MatrixTemplate, pk=pk))


@router.get(
    "/maturity/templates/{pk}/yaml",
    openapi_extra={
        "responses": {200: {"description": "The template as YAML", "content": {"application/yaml": {}}}}
    },
)
def get_template_yaml(request, pk: int):
    template = get_object_or_404(MatrixTemplate, pk=pk)
    return HttpResponse(dump_spec(spec_of(template)), content_type="application/yaml; charset=utf-8")


@router.post(
    "/maturity/templates", response={201: TemplateDetailOut, 400: MaturityProblem, 403: MaturityProblem}
)
def create_template_endpoint(request, body: TemplateIn):
    """Add a template (or the next version of one) from YAML; every problem in the file is listed at once."""
    decision = perms.can_manage_templates(request.user)
    if not decision:
        return _refused(decision.reason)
    try:
        template = create_template(load_spec(body.yaml.encode("utf-8")), request.user)
    except SpecError as exc:
        return _problems("Check the matrix template", [("", "yaml", p) for p in exc.problems])
    return Status(201, _template_detail(template))


@router.post(
    "/maturity/templates/{pk}/copy",
    response={201: TemplateDetailOut, 400: MaturityProblem, 403: MaturityProblem},
)
def copy_template_endpoint(request, pk: int, body: CopyIn):
    """Copy and tailor: a new name makes a local variant; the same name makes the next version."""
    template = get_object_or_404(MatrixTemplate, pk=pk)
    decision = perms.can_manage_templates(request.user)
    if not decision:
        return _refused(decision.reason)
    name = body.name.strip()
    if not name:
        return _problems("Check the copy", [("", "name", "Enter a name for the new template")])
    if len(name) > 200:
        return _problems("Check the copy", [("", "name", "The name must be 200 characters or fewer")])
    try:
        copy = copy_template(template, name, request.user)
    except SpecError as exc:
        return _problems("Check the copy", [("", "name", p) for p in exc.problems])
    return Status(201, _template_detail(copy))


# --- Rounds --------------------------------------------------------------------------------------------------


@router.get("/maturity/rounds", response=list[RoundOut])
def list_rounds(request):
    """Rounds with at least one PCN you have a part in."""
    return [_round_out(r) for r in visible_rounds(request.user)]


@router.post("/maturity/rounds", response={201: RoundOut, 400: MaturityProblem, 403: MaturityProblem})
def create_round_endpoint(request, body: RoundIn):
    """Open a round for England (national admins), or a system or place you lead."""
    decision = perms.can_create_round(request.user)
    if not decision:
        return _refused(decision.reason)
    problems = []
    template = MatrixTemplate.objects.filter(pk=body.template).first()
    if template is None:
        problems.append(("", "template", f"There is no matrix template {body.template}"))
    baseline = None
    if body.baseline is not None:
        baseline = AssessmentRound.objects.select_related("template").filter(pk=body.baseline).first()
        if baseline is None:
            problems.append(("", "baseline", f"There is no round {body.baseline}"))
    if len(body.name.strip()) > 200:
        problems.append(("", "name", "The name must be 200 characters or fewer"))
    if not 2019 <= body.financial_year < 2100:
        problems.append(("", "financial_year", "The year must be 2019 or later, before 2100"))
    if problems:
        return _problems("Check the round", problems)
    opens, closes = default_window(body.financial_year)
    programme = Programme.objects.filter(financial_year=body.financial_year).first()
    try:
        rnd = create_round(
            request.user,
            body.name,
            template,
            body.financial_year,
            body.opens_on or opens,
            body.closes_on or closes,
            body.scope,
            programme,
            baseline,
        )
    except RoundError as exc:
        return _problems("Check the round", [("", f, m) for f, m in exc.problems])
    return Status(201, _round_out(rnd))


@router.get("/maturity/rounds/{pk}", response=RoundDetailOut)
def get_round(request, pk: int):
    """The round and its PCNs that you have a part in, with each one's progress."""
    rnd = round_or_404(request.user, pk)
    pcns = list(involved_pcns(request.user, rnd).select_related("place").order_by("place__name", "name"))
    assessments = {
        a.pcn_id: a
        for a in PCNAssessment.objects.filter(round=rnd, pcn__in=[p.id for p in pcns]).annotate(
            practices_submitted=Count(
                "responses",
                filter=Q(responses__status=Response.Status.SUBMITTED, responses__practice__isnull=False),
            )
        )
    }
    rows = []
    for p in pcns:
        a = assessments.get(p.id)
        rows.append(
            {
                "code": p.code,
                "name": p.name,
                "place": p.place.code,
                "status": a.status if a else "not_started",
                "submitted_at": a.submitted_at if a else None,
                "practices_submitted": a.practices_submitted if a else 0,
            }
        )
    return {
        **_round_out(rnd),
        "submitted": sum(1 for r in rows if r["status"] == PCNAssessment.Status.SUBMITTED),
        "can_compare": bool(perms.can_view_comparisons(request.user)),
        "pcns": rows,
    }


@router.get("/maturity/rounds/{pk}/heatmap", response={200: HeatmapOut, 403: MaturityProblem})
def get_heatmap(request, pk: int, place: str | None = None):
    """PCNs × areas for place-level users and above; narrow to one place with `place`."""
    rnd = round_or_404(request.user, pk)
    decision = perms.can_view_comparisons(request.user)
    if not decision:
        return _refused(decision.reason)
    pcns = overseen_pcns(request.user, rnd)
    places = list(Place.objects.filter(pk__in=pcns.values("place_id")).order_by("name"))
    chosen = None
    if place:
        chosen = next((p for p in places if p.code == place), None)
        if chosen is None:
            raise Http404("No place found")
        pcns = pcns.filter(place=chosen)
    areas = areas_of(rnd)
    rows = heatmap(rnd, pcns, areas)
    return {
        "round": rnd.id,
        "stages": _stages(rnd.template),
        "areas": [{"code": a.code, "title": a.title, "tag": a.tag} for a in areas],
        "places": [{"code": p.code, "name": p.name} for p in places],
        "place": chosen.code if chosen else None,
        "submitted": sum(1 for r in rows if r.submitted),
        "rows": [
            {
                "pcn": r.pcn.code,
                "name": r.pcn.name,
                "place": r.pcn.place.code,
                "submitted": r.submitted,
                "cells": [_area_result(c) for c in r.cells],
            }
            for r in rows
        ],
    }


# --- A PCN's assessment --------------------------------------------------------------------------------------


@router.get("/maturity/rounds/{pk}/pcns/{code}", response=AssessmentOut)
def get_assessment(request, pk: int, code: str):
    """The PCN's progress: its status, each member practice's (not their ratings) and what you may do."""
    user, day = request.user, today()
    assessment = assessment_or_404(user, pk, code)
    responses = {
        r.practice_id: r for r in Response.objects.filter(assessment=assessment, practice__isnull=False)
    }
    mine = perms.reach(user).practice_ids
    practices = []
    for p in member_practices(assessment):
        response = responses.get(p.id) or Response(assessment=assessment, practice=p)
        response.assessment = assessment
        practices.append(
            {
                "code": p.code,
                "name": p.name,
                "ratings": response.status if response.pk else "not_started",
                "may_view": bool(perms.can_view_ratings(user, response)),
                "is_mine": p.id in mine,
            }
        )
    consensus = perms.can_view_consensus(user, assessment)
    return {
        "round": assessment.round_id,
        "pcn": assessment.pcn.code,
        "pcn_name": assessment.pcn.name,
        "status": assessment.status,
        "submitted_at": assessment.submitted_at,
        "improvement_priority": assessment.improvement_priority if consensus else None,
        "is_cd": perms.is_cd(user, assessment),
        "practices": practices,
        "lead": _decision(perms.can_lead_assessment(user, assessment, day)),
        "consensus": _decision(consensus),
        "reopen": _decision(perms.can_reopen(user, assessment)),
    }


@router.get("/maturity/rounds/{pk}/pcns/{code}/ratings/{who}", response=RatingsOut)
def get_ratings(request, pk: int, code: str, who: str):
    """A practice's ratings (`who` = its code) or your own as clinical director (`who` = cd), every element in
    matrix order. Only the practice's members and the PCN's clinical directors see a practice's ratings."""
    assessment = assessment_or_404(request.user, pk, code)
    return _ratings_out(request.user, _response(request.user, assessment, who), today())


@router.put(
    "/maturity/rounds/{pk}/pcns/{code}/ratings/{who}",
    response={200: RatingsOut, 400: MaturityProblem, 403: MaturityProblem},
)
def put_ratings(request, pk: int, code: str, who: str, body: list[RatingIn]):
    """Save a draft of some or all elements. Stages are 0-based; a target may not be below the current stage."""
    user, day = request.user, today()
    assessment = assessment_or_404(user, pk, code)
    response = _response(user, assessment, who)
    entries, problems = _entries(body, _elements(assessment.round.template))
    if problems:
        return _problems("Check the ratings", problems)
    try:
        with transaction.atomic():
            response = _saved(response, user)
            changed = save_ratings(response, entries, user, day=day)
    except NotAllowed as exc:
        return _refused(exc.reason)
    except Problems as exc:
        return _problems("Check the ratings", exc.problems)
    response.refresh_from_db()
    return _ratings_out(user, response, day, changed)


def _rating_transition(request, pk: int, code: str, who: str, action: str, detail: str):
    user, day = request.user, today()
    assessment = assessment_or_404(user, pk, code)
    response = _response(user, assessment, who)
    try:
        with transaction.atomic():
            response = transition(_saved(response, user), action, user, day=day)
    except NotAllowed as exc:
        return _refused(exc.reason)
    except Problems as exc:
        return _problems(detail, exc.problems)
    return _ratings_out(user, response, day)


@router.post(
    "/maturity/rounds/{pk}/pcns/{code}/ratings/{who}/submit",
    response={200: RatingsOut, 400: MaturityProblem, 403: MaturityProblem},
)
def submit_ratings(request, pk: int, code: str, who: str):
    """Submit the ratings: every element needs where you are now and where you want to be."""
    return _rating_transition(request, pk, code, who, "submit_response", "The ratings are not complete")


@router.post(
    "/maturity/rounds/{pk}/pcns/{code}/ratings/{who}/reopen",
    response={200: RatingsOut, 400: MaturityProblem, 403: MaturityProblem},
)
def reopen_ratings(request, pk: int, code: str, who: str):
    """Change submitted ratings (back to a draft), until the PCN submits its self-assessment."""
    return _rating_transition(request, pk, code, who, "reopen_response", "The ratings cannot be reopened")


@router.get("/maturity/rounds/{pk}/pcns/{code}/consensus", response={200: ConsensusOut, 403: MaturityProblem})
def get_consensus(request, pk: int, code: str):
    """The PCN's agreed rating of each element, beside the individual ratings you may see.

    The PCN's clinical directors see it always; others whose roles cover the PCN once it is submitted.
    """
    assessment = assessment_or_404(request.user, pk, code)
    if refused := _consensus_visible(request.user, assessment):
        return refused
    return _consensus_out(request.user, assessment)


@router.put(
    "/maturity/rounds/{pk}/pcns/{code}/consensus",
    response={200: ConsensusOut, 400: MaturityProblem, 403: MaturityProblem},
)
def put_consensus(request, pk: int, code: str, body: ConsensusIn):
    """The PCN's clinical directors record the consensus and the service-improvement priority."""
    user = request.user
    assessment = assessment_or_404(user, pk, code)
    entries, problems = _entries(body.entries, _elements(assessment.round.template))
    if problems:
        return _problems("Check the consensus", problems)
    try:
        changed = save_consensus(
            assessment,
            entries,
            user,
            improvement_priority=body.improvement_priority,
            priority_note=body.priority_note,
            day=today(),
        )
    except NotAllowed as exc:
        return _refused(exc.reason)
    except Problems as exc:
        return _problems("Check the consensus", exc.problems)
    return _consensus_out(user, assessment, changed)


@router.post(
    "/maturity/rounds/{pk}/pcns/{code}/consensus/submit",
    response={200: ConsensusOut, 400: MaturityProblem, 403: MaturityProblem},
)
def submit_consensus(request, pk: int, code: str):
    """Submit the PCN's self-assessment: every element agreed and a service-improvement priority named.

    The development needs are written on submission; place, system and national users can then see it.
    """
    user = request.user
    assessment = assessment_or_404(user, pk, code)
    try:
        transition(assessment, "submit_assessment", user, day=today())
    except NotAllowed as exc:
        return _refused(exc.reason)
    except Problems as exc:
        return _problems("The self-assessment is not complete", exc.problems)
    return _consensus_out(user, assessment)


@router.post(
    "/maturity/rounds/{pk}/pcns/{code}/reopen",
    response={200: AssessmentOut, 400: MaturityProblem, 403: MaturityProblem},
)
def reopen_assessment(request, pk: int, code: str, body: ReasonIn):
    """Reopen a submitted self-assessment (its clinical directors or a lead covering the PCN), with a reason."""
    user = request.user
    assessment = assessment_or_404(user, pk, code)
    try:
        transition(assessment, "reopen_assessment", user, reason=body.reason, day=today())
    except NotAllowed as exc:
        return _refused(exc.reason)
    except Problems as exc:
        return _problems("Say why it is being reopened", exc.problems)
    return get_assessment(request, pk, code)


@router.get("/maturity/rounds/{pk}/pcns/{code}/needs", response={200: list[NeedOut], 403: MaturityProblem})
def get_needs(request, pk: int, code: str):
    """The ranked development needs, written when the self-assessment is submitted (internal needs first)."""
    assessment = assessment_or_404(request.user, pk, code)
    if refused := _consensus_visible(request.user, assessment):
        return refused
    needs = DevelopmentNeed.objects.filter(assessment=assessment).select_related("element__area")
    return Status(
        200,
        [
            {
                "rank": n.rank,
                "element": n.element.code,
                "title": n.element.title,
                "area": n.element.area.code,
                "tag": n.tag,
                "current_stage": n.current_stage,
                "target_stage": n.target_stage,
                "gap": n.gap,
                "priority": n.priority,
                "support_needed": n.support_needed,
                "cost_pence": n.cost_pence,
            }
            for n in needs
        ],
    )


@router.get("/maturity/rounds/{pk}/pcns/{code}/results", response={200: ResultsOut, 403: MaturityProblem})
def get_results(request, pk: int, code: str):
    """Stage now and in a year per area; once submitted, the place, system and national medians (no PCN named)."""
    assessment = assessment_or_404(request.user, pk, code)
    if refused := _consensus_visible(request.user, assessment):
        return refused
    rnd = assessment.round
    areas = areas_of(rnd)
    change = change_since_baseline(assessment, areas)
    return Status(
        200,
        {
            "round": rnd.id,
            "pcn": assessment.pcn.code,
            "status": assessment.status,
            "stages": _stages(rnd.template),
            "areas": [_area_result(r) for r in pcn_results(assessment, areas)],
            "benchmark": [
                {
                    "area": b.area.code,
                    "title": b.area.title,
                    "pcn_score": b.pcn_score,
                    "place_median": b.place_median,
                    "system_median": b.system_median,
                    "national_median": b.national_median,
                    "place_count": b.place_count,
                    "system_count": b.system_count,
                    "national_count": b.national_count,
                }
                for b in benchmark(assessment, areas)
            ]
            if assessment.is_submitted
            else None,
            "change": None
            if change is None
            else [
                {
                    "area": c.area_title,
                    "baseline_score": c.baseline_score,
                    "current_score": c.current_score,
                    "change": c.change,
                }
                for c in change
            ],
        },
    )
