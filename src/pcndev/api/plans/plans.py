"""Plans: a programme's plans, starting one, and reading or changing a version."""

from django.db.models import Sum
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.responses import Status

from pcndev.api.plans.payloads import _fresh, _version_or_404
from pcndev.api.plans.schemas import PlanIn, PlanProblem, PlanRowOut, StartIn, VersionOut, _problems, _refused
from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN
from pcndev.plans.awaiting import current_versions
from pcndev.plans.editing import NotAllowed, PlanProblems, StaleEdit, start_plan, update_plan
from pcndev.plans.models import Initiative, SupportPlan

router = Router()


@router.get("/programmes/{pk}/plans", response=list[PlanRowOut], operation_id="pcndev_api_plans_list_plans")
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


@router.post(
    "/programmes/{pk}/plans",
    response={200: VersionOut, 201: VersionOut, 403: PlanProblem},
    operation_id="pcndev_api_plans_start_plan_endpoint",
)
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


@router.get("/plans/versions/{pk}", response=VersionOut, operation_id="pcndev_api_plans_get_version")
def get_version(request, pk: int):
    """A plan version: its priority, summary and needs, the budget panel, and each initiative with its output
    measures and eligibility (every rule that applies, with the guidance, and any override)."""
    return _fresh(request.user, pk)


@router.patch(
    "/plans/versions/{pk}",
    response={200: VersionOut, 400: PlanProblem, 403: PlanProblem, 409: PlanProblem},
    operation_id="pcndev_api_plans_patch_version",
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
