"""Starting and editing support plans, with optimistic locking: a stale save is refused and names who saved
since, so nothing is overwritten and the user's input can be shown again."""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pcndev.accounts.permissions import Decision
from pcndev.audit.services import record, snapshot
from pcndev.funding.models import ProgrammePriority
from pcndev.maturity.models import PCNAssessment
from pcndev.plans import permissions as perms
from pcndev.plans.eligibility import CATEGORIES, evaluate
from pcndev.plans.models import EligibilityOverride, Initiative, OutputMeasure, PlanVersion, SupportPlan


class NotAllowed(Exception):
    def __init__(self, decision: Decision):
        self.reason = decision.reason
        super().__init__(decision.reason)


class PlanProblems(Exception):
    """(field, message) for every problem; nothing was written."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(m for _, m in problems))


class StaleEdit(Exception):
    def __init__(self, version: PlanVersion):
        who = version.updated_by or "someone"
        when = timezone.localtime(version.updated_at).strftime("%-d %B %Y at %H:%M")
        self.message = f"This plan was changed by {who} on {when}. Your changes have not been saved: check the plan and make them again."
        super().__init__(self.message)


@dataclass
class Measure:
    description: str
    target: str
    due: datetime.date | None = None


@dataclass
class InitiativeData:
    title: str
    domain_code: str
    cost_pence: int
    description: str = ""
    area_id: int | None = None
    element_ids: list[int] = field(default_factory=list)
    priority_codes: list[str] = field(default_factory=list)
    tag: str = "internal"
    support_required: str = ""
    provider_type: str = "nhs_family"
    funding_source: str = "programme"
    start_month: datetime.date | None = None
    end_month: datetime.date | None = None
    category: str = "development"
    already_funded: bool = False
    in_contract: bool = False
    pcn_related: bool = True
    transformation: bool = True
    existing_funds_checked: bool = False
    measures: list[Measure] = field(default_factory=list)


def latest_assessment(programme, pcn) -> PCNAssessment | None:
    return (
        PCNAssessment.objects.filter(
            pcn=pcn, status=PCNAssessment.Status.SUBMITTED, round__financial_year=programme.financial_year
        )
        .order_by("-submitted_at")
        .first()
    )


@transaction.atomic
def start_plan(programme, pcn, user) -> PlanVersion:
    """The PCN's plan for the programme, starting from its submitted self-assessment's priority and needs."""
    if not (decision := perms.can_start_plan(user, pcn)):
        raise NotAllowed(decision)
    plan, created = SupportPlan.objects.get_or_create(programme=programme, pcn=pcn)
    if not created:
        return plan.versions.order_by("-number").first()
    assessment = latest_assessment(programme, pcn)
    version = PlanVersion.objects.create(
        plan=plan,
        number=1,
        assessment=assessment,
        improvement_priority=assessment.improvement_priority if assessment else "",
        created_by=user,
        updated_by=user,
    )
    if assessment:
        version.needs.set(assessment.needs.all())
    record(
        user,
        "plan.started",
        version,
        None,
        {"pcn": pcn.code, "programme": str(programme), "needs": version.needs.count()},
    )
    return version


def _claim(version: PlanVersion, lock_version: int, user) -> PlanVersion:
    """Lock the row and check nobody saved since the form was loaded; bump the lock."""
    current = (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("plan__pcn__place", "plan__programme", "updated_by")
        .get(pk=version.pk)
    )
    if not (decision := perms.can_edit(user, current)):
        raise NotAllowed(decision)
    if current.lock_version != lock_version:
        raise StaleEdit(current)
    PlanVersion.objects.filter(pk=current.pk).update(
        lock_version=F("lock_version") + 1, updated_by=user, updated_at=timezone.now()
    )
    current.lock_version += 1
    return current


@transaction.atomic
def update_plan(
    version, lock_version: int, user, improvement_priority: str, summary: str, need_ids: list[int]
) -> PlanVersion:
    current = _claim(version, lock_version, user)
    problems = []
    if len(improvement_priority.strip()) > 300:
        problems.append(
            ("improvement_priority", "The service-improvement priority must be 300 characters or fewer")
        )
    allowed_needs = (
        set(current.assessment.needs.values_list("id", flat=True)) if current.assessment else set()
    )
    if set(need_ids) - allowed_needs:
        problems.append(("needs", "Choose needs from the PCN's self-assessment"))
    if problems:
        raise PlanProblems(problems)
    before = snapshot(current, ["improvement_priority", "summary"])
    current.improvement_priority, current.summary = improvement_priority.strip(), summary.strip()
    current.save(update_fields=["improvement_priority", "summary"])
    current.needs.set(need_ids)
    record(
        user,
        "plan.updated",
        current,
        before,
        snapshot(current, ["improvement_priority", "summary"]) | {"needs": sorted(need_ids)},
    )
    return current


def _check(data: InitiativeData, version, domains, priorities) -> list[tuple[str, str]]:
    problems = []
    if not data.title.strip():
        problems.append(("title", "Enter a title for the initiative"))
    elif len(data.title) > 200:
        problems.append(("title", "The title must be 200 characters or fewer"))
    if data.domain_code not in domains:
        problems.append(("domain", "Select the support domain the initiative belongs to"))
    unknown = set(data.priority_codes) - set(priorities)
    if unknown:
        problems.append(("priorities", f"{', '.join(sorted(unknown))} is not a priority of this programme"))
    if data.cost_pence < 0:
        problems.append(("cost", "The cost cannot be negative"))
    if data.start_month and data.end_month and data.end_month < data.start_month:
        problems.append(("end_month", "The end month must be the same as or after the start month"))
    if data.tag not in ("internal", "external"):
        problems.append(("tag", "Select internal or external"))
    if data.provider_type not in Initiative.Provider.values:
        problems.append(("provider_type", "Select who will provide the support"))
    if data.funding_source not in Initiative.Source.values:
        problems.append(("funding_source", "Select where the money comes from"))
    if data.category not in CATEGORIES:
        problems.append(("category", "Select what the money is for"))
    for i, m in enumerate(data.measures):
        if not m.description.strip():
            problems.append(
                (f"measure-{i}-description", f"Output measure {i + 1}: describe what will be measured")
            )
        elif len(m.description.strip()) > 300:
            problems.append(
                (f"measure-{i}-description", f"Output measure {i + 1}: keep it to 300 characters or fewer")
            )
        if not m.target.strip():
            problems.append((f"measure-{i}-target", f"Output measure {i + 1}: enter the target"))
        elif len(m.target.strip()) > 200:
            problems.append(
                (f"measure-{i}-target", f"Output measure {i + 1}: keep the target to 200 characters or fewer")
            )
    template = version.assessment.round.template if version.assessment else None
    if data.area_id is not None and (template is None or not template.areas.filter(pk=data.area_id).exists()):
        problems.append(("area", "Select a maturity area from the PCN's matrix"))
    if data.element_ids and (
        template is None
        or template.elements.filter(pk__in=data.element_ids).count() != len(set(data.element_ids))
    ):
        problems.append(("elements", "Select elements from the PCN's matrix"))
    return problems


@transaction.atomic
def save_initiative(
    version, lock_version: int, user, data: InitiativeData, initiative: Initiative | None = None
) -> Initiative:
    current = _claim(version, lock_version, user)
    programme = current.plan.programme
    found = {p.code: p for p in ProgrammePriority.objects.filter(programme=programme)}
    domains = {c: p for c, p in found.items() if p.kind == ProgrammePriority.Kind.DOMAIN}
    priorities = {c: p for c, p in found.items() if p.kind == ProgrammePriority.Kind.PRIORITY}
    if problems := _check(data, current, domains, priorities):
        raise PlanProblems(problems)
    fields = {
        "title": data.title.strip(),
        "description": data.description.strip(),
        "area_id": data.area_id,
        "domain": domains[data.domain_code],
        "tag": data.tag,
        "support_required": data.support_required.strip(),
        "provider_type": data.provider_type,
        "funding_source": data.funding_source,
        "cost_pence": data.cost_pence,
        "start_month": data.start_month,
        "end_month": data.end_month,
        "category": data.category,
        "already_funded": data.already_funded,
        "in_contract": data.in_contract,
        "pcn_related": data.pcn_related,
        "transformation": data.transformation,
        "existing_funds_checked": data.existing_funds_checked,
    }
    names = [k for k in fields if k != "domain"] + ["domain_id"]
    before = None
    if initiative is None:
        initiative = Initiative.objects.create(
            version=current, position=current.initiatives.count(), **fields
        )
    else:
        initiative = Initiative.objects.select_for_update().get(pk=initiative.pk, version=current)
        before = snapshot(initiative, names)
        answered = initiative.answers()
        for k, v in fields.items():
            setattr(initiative, k, v)
        initiative.save()
        if initiative.answers() != answered:  # an override justified the old answers, not these
            EligibilityOverride.objects.filter(initiative=initiative).delete()
    initiative.priorities.set([priorities[c] for c in data.priority_codes])
    element_ids = data.element_ids
    if template := (current.assessment.round.template if current.assessment else None):
        element_ids = list(template.elements.filter(pk__in=element_ids).values_list("id", flat=True))
    initiative.elements.set(element_ids)
    initiative.measures.all().delete()
    OutputMeasure.objects.bulk_create(
        OutputMeasure(
            initiative=initiative,
            position=i,
            description=m.description.strip(),
            target=m.target.strip(),
            due=m.due,
        )
        for i, m in enumerate(data.measures)
    )
    after = snapshot(initiative, names) | {
        "priorities": sorted(data.priority_codes),
        "measures": len(data.measures),
    }
    record(user, "plan.initiative_saved", initiative, before, after, note=str(current))
    return initiative


@transaction.atomic
def delete_initiative(version, lock_version: int, user, initiative: Initiative) -> None:
    current = _claim(version, lock_version, user)
    initiative = Initiative.objects.get(pk=initiative.pk, version=current)
    record(
        user,
        "plan.initiative_deleted",
        initiative,
        {"title": initiative.title, "cost_pence": initiative.cost_pence},
        None,
        note=str(current),
    )
    initiative.delete()


@transaction.atomic
def override_block(initiative: Initiative, user, justification: str) -> EligibilityOverride:
    version = (
        PlanVersion.objects.select_for_update()
        .select_related("plan__pcn__place")
        .get(pk=initiative.version_id)
    )
    if not (decision := perms.can_override(user, version)):
        raise NotAllowed(decision)
    if not version.editable and version.state != "submitted":
        raise NotAllowed(Decision(False, "Overrides can only be recorded before the plan is agreed."))
    result = evaluate(initiative.answers())
    if not result.blocked:
        raise PlanProblems([("justification", "This initiative is not blocked, so it needs no override")])
    if not justification.strip():
        raise PlanProblems(
            [("justification", "Enter why this initiative should be allowed despite the guidance")]
        )
    override, _ = EligibilityOverride.objects.update_or_create(
        initiative=initiative, defaults={"justification": justification.strip(), "by": user}
    )
    record(
        user,
        "plan.eligibility_overridden",
        initiative,
        {"blocked_by": [f.rule_id for f in result.findings if f.outcome == "block"]},
        {"justification": justification.strip()},
        note=str(version),
    )
    return override
