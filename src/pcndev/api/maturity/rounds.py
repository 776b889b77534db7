"""Rounds (list, open, read, start the year-end re-assessment) and a PCN's assessment in one: its progress and
reopening it."""

from ninja import Router
from ninja.responses import Status

from pcndev.api.maturity.schemas import (
    AssessmentOut,
    MaturityProblem,
    ReasonIn,
    ReassessmentIn,
    RoundDetailOut,
    RoundIn,
    RoundOut,
    _decision,
    _problems,
    _refused,
)
from pcndev.funding.models import Programme
from pcndev.maturity import permissions as perms
from pcndev.maturity.assessing import NotAllowed, Problems, today, transition
from pcndev.maturity.lookup import assessment_or_404, member_practices, round_or_404
from pcndev.maturity.models import AssessmentRound, MatrixTemplate, PCNAssessment, Response
from pcndev.maturity.privacy import involved_pcns, visible_rounds
from pcndev.maturity.progress import progress_by_pcn
from pcndev.maturity.rounds import (
    ReassessmentRefused,
    RoundError,
    can_start_reassessment,
    create_round,
    default_window,
    reassessment_of,
    start_reassessment,
)

router = Router()


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


@router.get("/maturity/rounds", response=list[RoundOut], operation_id="pcndev_api_maturity_list_rounds")
def list_rounds(request):
    """Rounds with at least one PCN you have a part in."""
    return [_round_out(r) for r in visible_rounds(request.user)]


@router.post(
    "/maturity/rounds",
    response={201: RoundOut, 400: MaturityProblem, 403: MaturityProblem},
    operation_id="pcndev_api_maturity_create_round_endpoint",
)
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
        if baseline is not None and not perms.in_round(request.user, baseline):
            baseline = (
                None  # a round the user has no part in: as if there were none (the form offers only theirs)
            )
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


@router.get("/maturity/rounds/{pk}", response=RoundDetailOut, operation_id="pcndev_api_maturity_get_round")
def get_round(request, pk: int):
    """The round and its PCNs that you have a part in, with each one's progress."""
    rnd = round_or_404(request.user, pk)
    pcns = list(involved_pcns(request.user, rnd).select_related("place").order_by("place__name", "name"))
    progress = progress_by_pcn(rnd, [p.id for p in pcns])
    rows = [
        {
            "code": p.code,
            "name": p.name,
            "place": p.place.code,
            "status": progress[p.id].status,
            "submitted_at": progress[p.id].submitted_at,
            "practices_submitted": progress[p.id].practices_submitted,
        }
        for p in pcns
    ]
    reassessment = reassessment_of(rnd)
    return {
        **_round_out(rnd),
        "submitted": sum(1 for r in rows if r["status"] == PCNAssessment.Status.SUBMITTED),
        "can_compare": bool(perms.can_view_comparisons(request.user)),
        "reassessment": reassessment.pk if reassessment else None,
        "start_reassessment": _decision(can_start_reassessment(request.user, rnd)),
        "pcns": rows,
    }


@router.post(
    "/maturity/rounds/{pk}/reassessment",
    response={201: RoundOut, 400: MaturityProblem, 403: MaturityProblem},
    operation_id="pcndev_api_maturity_start_reassessment",
)
def start_reassessment_endpoint(request, pk: int, body: ReassessmentIn):
    """Start the round's year-end re-assessment: a new round for the same PCNs, year and template version, dated
    in the year-end phase, with this round as its baseline. 403 with the reason when you may not, or when the
    round already has one."""
    rnd = round_or_404(request.user, pk)
    if not (decision := can_start_reassessment(request.user, rnd)):  # who may, before what they sent
        return _refused(decision.reason)
    if len(body.name.strip()) > 200:
        return _problems(
            "Check the re-assessment", [("", "name", "The name must be 200 characters or fewer")]
        )
    try:
        new = start_reassessment(request.user, rnd, body.name, body.opens_on, body.closes_on)
    except ReassessmentRefused as exc:
        return _refused(exc.reason)
    except RoundError as exc:
        return _problems("Check the re-assessment", [("", f, m) for f, m in exc.problems])
    return Status(201, _round_out(new))


@router.get(
    "/maturity/rounds/{pk}/pcns/{code}",
    response=AssessmentOut,
    operation_id="pcndev_api_maturity_get_assessment",
)
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


@router.post(
    "/maturity/rounds/{pk}/pcns/{code}/reopen",
    response={200: AssessmentOut, 400: MaturityProblem, 403: MaturityProblem},
    operation_id="pcndev_api_maturity_reopen_assessment",
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
