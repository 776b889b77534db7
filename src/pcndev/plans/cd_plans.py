"""Clinical directors' own development plans (the parallel process), drawn on the CD development slice.

Each CD has their own plan; job-share CDs share the PCN's CD amount by their share of the role. A place's
collective plan (shared coaching, a leadership programme for all its CDs) draws on what individual plans leave.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from pcndev.accounts.models import Role
from pcndev.accounts.permissions import ALLOW, NOT_SIGNED_IN, Decision
from pcndev.accounts.scope import scope_for
from pcndev.audit.models import AuditEvent
from pcndev.audit.services import record
from pcndev.config.formatting import format_pence
from pcndev.forms import NUL_MESSAGE, has_nul
from pcndev.plans.budget import cd_plan_budget, place_cd_position
from pcndev.plans.editing import NotAllowed, PlanProblems
from pcndev.plans.models import CDDevelopmentItem, CDDevelopmentPlan


class StaleCDPlan(Exception):
    """The plan changed since the caller read it (an item added, agreed): who changed it last, and when."""

    def __init__(self, plan: CDDevelopmentPlan):
        last = (
            AuditEvent.objects.filter(object_type=plan._meta.label_lower, object_id=str(plan.pk))
            .select_related("actor")
            .first()
            if plan.pk
            else None
        )
        who = (last.actor or last.actor_label) if last else "someone"
        when = timezone.localtime(plan.updated_at or timezone.now()).strftime("%-d %B %Y at %H:%M")
        self.message = (
            f"This CD development plan was changed by {who} on {when}. Your changes have not been saved: "
            "check the plan and make them again."
        )
        super().__init__(self.message)


def _bump(plan: CDDevelopmentPlan, lock_version: int | None) -> None:
    """Optimistic locking for callers that send the lock_version they read (the API); every change moves it on."""
    if lock_version is not None and plan.lock_version != lock_version:
        raise StaleCDPlan(plan)
    plan.updated_at = timezone.now()
    CDDevelopmentPlan.objects.filter(pk=plan.pk).update(
        lock_version=F("lock_version") + 1, updated_at=plan.updated_at
    )
    plan.lock_version += 1


def _place_lead(user, place_id) -> bool:
    return user.is_authenticated and place_id in scope_for(user, [Role.PLACE_LEAD]).place_ids


def can_edit_cd_plan(user, plan: CDDevelopmentPlan) -> Decision:
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if plan.status == CDDevelopmentPlan.Status.AGREED:
        return Decision(False, "This CD development plan has been agreed, so it cannot change.")
    if plan.director_id and plan.director.user_id == user.pk:
        return ALLOW
    if plan.place_id and _place_lead(user, plan.place_id):
        return ALLOW
    who = f"{plan.director.name}" if plan.director_id else f"the place lead for {plan.place}"
    return Decision(False, f"Only {who} can change this plan.")


def can_agree_cd_plan(user, plan: CDDevelopmentPlan) -> Decision:
    if plan.status == CDDevelopmentPlan.Status.AGREED:
        return Decision(False, "This CD development plan is already agreed.")
    place_id = plan.place_id or plan.director.pcn.place_id
    if _place_lead(user, place_id):
        return ALLOW
    return Decision(False, "Only the place lead can agree a CD development plan.")


@transaction.atomic
def add_item(
    plan: CDDevelopmentPlan,
    user,
    kind: str,
    description: str,
    cost_pence: int,
    lock_version: int | None = None,
) -> CDDevelopmentItem:
    plan = CDDevelopmentPlan.objects.select_related("director__pcn__place", "place").get(pk=plan.pk)
    place = plan.place or plan.director.pcn.place
    # Every CD plan in the place draws on the same money: lock them all so two additions cannot both pass.
    in_place = Q(place=place) | Q(director__pcn__place=place)
    locked = list(
        CDDevelopmentPlan.objects.select_for_update(of=("self",))
        .filter(in_place, programme=plan.programme)
        .order_by("pk")
    )
    plan.lock_version = next(p.lock_version for p in locked if p.pk == plan.pk)
    if not (decision := can_edit_cd_plan(user, plan)):
        raise NotAllowed(decision)
    _bump(plan, lock_version)  # (a refused item rolls back with the transaction, lock_version too)
    problems = []
    if kind not in CDDevelopmentItem.Kind.values:
        problems.append(("kind", "Select coaching, a leadership programme, backfill or other development"))
    description_max = CDDevelopmentItem._meta.get_field("description").max_length
    if not description.strip():
        problems.append(("description", "Describe the development"))
    elif len(description.strip()) > description_max:
        problems.append(("description", f"Keep the description to {description_max} characters or fewer"))
    elif has_nul(description):
        problems.append(("description", NUL_MESSAGE))
    if cost_pence < 0:
        problems.append(("cost", "The cost cannot be negative"))
    if not problems:
        budget, spent = cd_plan_budget(plan)
        if spent + cost_pence > budget:
            problems.append(
                (
                    "cost",
                    f"This would take the plan to {format_pence(spent + cost_pence)}, over its {format_pence(budget)} of CD development money",
                )
            )
    if not problems:
        slice_pence, planned = place_cd_position(plan.programme, place)
        if planned + cost_pence > slice_pence:
            problems.append(
                (
                    "cost",
                    f"This would take {place}'s CD development plans to {format_pence(planned + cost_pence)}, "
                    f"over the {format_pence(slice_pence)} of CD development money for its PCNs",
                )
            )
    if problems:
        raise PlanProblems(problems)
    item = CDDevelopmentItem.objects.create(
        plan=plan, kind=kind, description=description.strip(), cost_pence=cost_pence
    )
    record(
        user,
        "cd_plan.item_added",
        plan,
        None,
        {"kind": kind, "description": item.description, "cost_pence": cost_pence},
    )
    return item


@transaction.atomic
def agree_cd_plan(plan: CDDevelopmentPlan, user, lock_version: int | None = None) -> CDDevelopmentPlan:
    plan = (
        CDDevelopmentPlan.objects.select_for_update(of=("self",))
        .select_related("director__pcn", "place")
        .get(pk=plan.pk)
    )
    if not (decision := can_agree_cd_plan(user, plan)):
        raise NotAllowed(decision)
    _bump(plan, lock_version)
    plan.status = CDDevelopmentPlan.Status.AGREED
    plan.save(update_fields=["status", "updated_at"])
    record(user, "cd_plan.agreed", plan, {"status": "draft"}, {"status": "agreed"})
    return plan
