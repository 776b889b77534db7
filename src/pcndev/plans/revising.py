"""Revised plans: a new draft version copied from the version in force, which stays exactly as approved.

Each initiative is copied with `previous` pointing at its original, so spend to date and reviews carry over and
the difference against the approved version can be shown. The revision then goes through agreement again; when
the committee approves it, the version it revises is superseded (plans/transitions.py).
"""

from django.db import transaction

from pcndev.accounts.permissions import Decision
from pcndev.audit.services import record
from pcndev.plans import diff, workflow
from pcndev.plans.editing import NotAllowed
from pcndev.plans.models import EligibilityOverride, Initiative, OutputMeasure, PlanVersion

COPIED_FIELDS = [
    f.name
    for f in Initiative._meta.concrete_fields
    if f.name not in ("id", "version", "previous", "carried_forward_from")
]


def open_revision(plan) -> PlanVersion | None:
    """The plan's draft (or changes-requested) revision, if one is open."""
    return plan.versions.filter(state__in=workflow.EDITABLE, revises__isnull=False).first()


@transaction.atomic
def start_revision(version: PlanVersion, user, reason: str) -> PlanVersion:
    """Open a revision of `version` (or return the one already open)."""
    version = PlanVersion.objects.select_for_update(of=("self",)).select_related("plan").get(pk=version.pk)
    if version.state not in workflow.REVISABLE:
        raise NotAllowed(
            Decision(
                False,
                f"Only a plan being delivered can be revised; this one is {version.get_state_display().lower()}.",
            )
        )
    if existing := version.plan.versions.filter(state__in=workflow.EDITABLE).first():
        return existing
    number = version.plan.versions.order_by("-number").values_list("number", flat=True).first() + 1
    revision = PlanVersion.objects.create(
        plan=version.plan,
        number=number,
        improvement_priority=version.improvement_priority,
        summary=version.summary,
        assessment=version.assessment,
        revises=version,
        created_by=user,
        updated_by=user,
    )
    revision.needs.set(version.needs.all())
    originals = list(
        version.initiatives.prefetch_related("measures", "elements", "priorities").select_related("override")
    )
    copies = Initiative.objects.bulk_create(
        Initiative(
            version=revision,
            previous=i,
            carried_forward_from=i.carried_forward_from,
            **{f: getattr(i, f) for f in COPIED_FIELDS},
        )
        for i in originals
    )
    elements, priorities, measures, overrides = [], [], [], []
    for original, copy in zip(originals, copies, strict=True):
        elements += [
            Initiative.elements.through(initiative_id=copy.pk, element_id=e.pk)
            for e in original.elements.all()
        ]
        priorities += [
            Initiative.priorities.through(initiative_id=copy.pk, programmepriority_id=p.pk)
            for p in original.priorities.all()
        ]
        measures += [
            OutputMeasure(
                initiative=copy, position=m.position, description=m.description, target=m.target, due=m.due
            )
            for m in original.measures.all()
        ]
        if hasattr(original, "override"):
            o = original.override
            overrides.append(EligibilityOverride(initiative=copy, justification=o.justification, by=o.by))
    Initiative.elements.through.objects.bulk_create(elements)
    Initiative.priorities.through.objects.bulk_create(priorities)
    OutputMeasure.objects.bulk_create(measures)
    EligibilityOverride.objects.bulk_create(overrides)
    record(
        user,
        "plan.revision_started",
        revision,
        None,
        {"revises": version.number, "number": revision.number, "initiatives": len(copies)},
        note=reason,
    )
    return revision


def snapshots(version) -> list[diff.Snapshot]:
    """The version's initiatives as diff snapshots, in three queries."""
    out = []
    initiatives = version.initiatives.select_related("domain", "area").prefetch_related("measures")
    for i in initiatives.order_by("position", "pk"):
        values = {
            "title": i.title,
            "description": i.description,
            "support_required": i.support_required,
            "cost_pence": i.cost_pence,
            "funding_source": i.get_funding_source_display(),
            "provider_type": i.get_provider_type_display(),
            "domain": i.domain.title if i.domain else "",
            "area": i.area.title if i.area else "",
            "start_month": i.start_month.strftime("%B %Y") if i.start_month else "",
            "end_month": i.end_month.strftime("%B %Y") if i.end_month else "",
            "measures": "; ".join(f"{m.description}: {m.target}" for m in i.measures.all()),
        }
        out.append(diff.Snapshot(i.pk, i.previous_id, values))
    return out


def changes_since_revised(version) -> list[diff.Change]:
    """What a revision changes against the version it revises (empty for a first version)."""
    if version.revises_id is None:
        return []
    return diff.diff(snapshots(version.revises), snapshots(version))
