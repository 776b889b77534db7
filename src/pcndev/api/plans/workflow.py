"""The workflow: each version's actions with the reasons, taking one, what is awaiting you, committee
decisions and releases to the payee."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router
from ninja.responses import Status

from pcndev.accounts.scope import visible
from pcndev.api.plans.payloads import _signoffs, _version_or_404
from pcndev.api.plans.schemas import (
    ActionIn,
    ActionOut,
    AwaitingOut,
    CommitteeIn,
    CommitteeOut,
    PlanProblem,
    ReleaseIn,
    ReleaseOut,
    StateOut,
    _decision,
    _problems,
    _refused,
)
from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, Place
from pcndev.plans import permissions as perms
from pcndev.plans import workflow
from pcndev.plans.awaiting import awaiting_for
from pcndev.plans.editing import NotAllowed, PlanProblems
from pcndev.plans.models import CommitteeDecision, PlanVersion
from pcndev.plans.transitions import record_committee_decision, release_funds, transition

router = Router()


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


@router.get(
    "/plans/versions/{pk}/actions", response=list[ActionOut], operation_id="pcndev_api_plans_list_actions"
)
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
    operation_id="pcndev_api_plans_act",
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


@router.get("/me/awaiting", response=list[AwaitingOut], operation_id="pcndev_api_plans_awaiting")
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
    operation_id="pcndev_api_plans_list_committee_decisions",
)
def list_committee_decisions(request, pk: int, code: str):
    """The place's committee decisions in the programme, newest meeting first, with what each approved."""
    programme = get_object_or_404(Programme, pk=pk)
    place = get_visible_or_404(request.user, Place, code=code)
    return [_committee_out(d) for d in _decisions(programme, place)]


@router.post(
    "/programmes/{pk}/places/{code}/committee-decisions",
    response={201: CommitteeOut, 400: PlanProblem, 403: PlanProblem},
    operation_id="pcndev_api_plans_record_committee_decision_endpoint",
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
    operation_id="pcndev_api_plans_release_endpoint",
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
