"""Initiatives (add, replace, remove), each one's eligibility, and the place lead's override of a blocked
one."""

from django.http import Http404
from ninja import Router
from ninja.responses import Status

from pcndev.accounts.scope import visible
from pcndev.api.plans.payloads import (
    _eligibility,
    _initiative_or_404,
    _initiative_out,
    _initiatives,
    _version_or_404,
)
from pcndev.api.plans.schemas import (
    EligibilityOut,
    InitiativeIn,
    InitiativeSavedOut,
    LockOut,
    OverrideIn,
    PlanProblem,
    _problems,
    _refused,
)
from pcndev.orgs.models import PCN
from pcndev.plans.editing import (
    InitiativeData,
    Measure,
    NotAllowed,
    PlanProblems,
    StaleEdit,
    delete_initiative,
    override_block,
    save_initiative,
)
from pcndev.plans.models import Initiative, PlanVersion

router = Router()


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
    operation_id="pcndev_api_plans_add_initiative",
)
def add_initiative(request, pk: int, body: InitiativeIn):
    """Add an initiative with its output measures and eligibility answers (the plan's clinical directors)."""
    return _save(request, pk, body, None, 201)


@router.put(
    "/plans/versions/{pk}/initiatives/{iid}",
    response={200: InitiativeSavedOut, 400: PlanProblem, 403: PlanProblem, 409: PlanProblem},
    operation_id="pcndev_api_plans_put_initiative",
)
def put_initiative(request, pk: int, iid: int, body: InitiativeIn):
    """Replace an initiative (its measures too). An override stays only while it is still blocked."""
    return _save(request, pk, body, iid, 200)


@router.delete(
    "/plans/versions/{pk}/initiatives/{iid}",
    response={200: LockOut, 403: PlanProblem, 409: PlanProblem},
    operation_id="pcndev_api_plans_delete_initiative_endpoint",
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


@router.get(
    "/plans/versions/{pk}/eligibility",
    response=list[EligibilityOut],
    operation_id="pcndev_api_plans_get_eligibility",
)
def get_eligibility(request, pk: int):
    """Each initiative's eligibility: pass, warn or block, with every rule that applies and any override."""
    version = _version_or_404(request.user, pk)
    return [_eligibility(i) for i in _initiatives(version)]


@router.post(
    "/plans/initiatives/{iid}/override",
    response={201: EligibilityOut, 400: PlanProblem, 403: PlanProblem},
    operation_id="pcndev_api_plans_override_endpoint",
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
