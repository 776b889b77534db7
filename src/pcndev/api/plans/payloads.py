"""Lookups and the payloads more than one module returns: a plan version in full, with its budget, needs,
sign-offs and each initiative with its eligibility."""

from django.http import Http404

from pcndev.accounts.scope import visible
from pcndev.api.plans.schemas import _decision
from pcndev.orgs.models import PCN
from pcndev.plans import permissions as perms
from pcndev.plans.budget import budget_for
from pcndev.plans.eligibility import evaluate
from pcndev.plans.models import Initiative, PlanVersion, SignOff

VERSION_RELATED = (
    "plan__pcn__place__system",
    "plan__pcn__payee",
    "plan__programme",
    "updated_by",
    "assessment__round",
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
