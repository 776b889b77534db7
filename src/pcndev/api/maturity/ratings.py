"""A practice's or CD's ratings, and the PCN's consensus beside the individual ratings the user may see."""

from django.db import transaction
from django.http import Http404
from ninja import Router

from pcndev.api.maturity.schemas import (
    ConsensusIn,
    ConsensusOut,
    MaturityProblem,
    RatingIn,
    RatingsOut,
    _consensus_visible,
    _decision,
    _problems,
    _refused,
)
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
from pcndev.maturity.lookup import assessment_or_404, member_practices
from pcndev.maturity.models import ConsensusRating, Element, PCNAssessment, Rating, Response
from pcndev.maturity.privacy import visible_responses
from pcndev.maturity.scoring import spread
from pcndev.maturity.workflow import available

router = Router()
TEXT_LIMIT = 5000  # support needed and comments, as on the rating pages


def _elements(template) -> list[Element]:
    return list(template.elements.select_related("area").order_by("area__position", "position"))


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


@router.get(
    "/maturity/rounds/{pk}/pcns/{code}/ratings/{who}",
    response=RatingsOut,
    operation_id="pcndev_api_maturity_get_ratings",
)
def get_ratings(request, pk: int, code: str, who: str):
    """A practice's ratings (`who` = its code) or your own as clinical director (`who` = cd), every element in
    matrix order. Only the practice's members and the PCN's clinical directors see a practice's ratings."""
    assessment = assessment_or_404(request.user, pk, code)
    return _ratings_out(request.user, _response(request.user, assessment, who), today())


@router.put(
    "/maturity/rounds/{pk}/pcns/{code}/ratings/{who}",
    response={200: RatingsOut, 400: MaturityProblem, 403: MaturityProblem},
    operation_id="pcndev_api_maturity_put_ratings",
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
    operation_id="pcndev_api_maturity_submit_ratings",
)
def submit_ratings(request, pk: int, code: str, who: str):
    """Submit the ratings: every element needs where you are now and where you want to be."""
    return _rating_transition(request, pk, code, who, "submit_response", "The ratings are not complete")


@router.post(
    "/maturity/rounds/{pk}/pcns/{code}/ratings/{who}/reopen",
    response={200: RatingsOut, 400: MaturityProblem, 403: MaturityProblem},
    operation_id="pcndev_api_maturity_reopen_ratings",
)
def reopen_ratings(request, pk: int, code: str, who: str):
    """Change submitted ratings (back to a draft), until the PCN submits its self-assessment."""
    return _rating_transition(request, pk, code, who, "reopen_response", "The ratings cannot be reopened")


@router.get(
    "/maturity/rounds/{pk}/pcns/{code}/consensus",
    response={200: ConsensusOut, 403: MaturityProblem},
    operation_id="pcndev_api_maturity_get_consensus",
)
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
    operation_id="pcndev_api_maturity_put_consensus",
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
    operation_id="pcndev_api_maturity_submit_consensus",
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
