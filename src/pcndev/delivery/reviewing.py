"""Progress reviews of support plans: the schedule, drafts (optimistic locking), and submission.

Submitting a review checks every initiative's update against delivery/rag.py, posts each increase in spend to
date to the ledger as reported spend (once: the entry is linked to the update), and, when the review names areas
for additional support, opens a revised plan version (plans/revising.py) that goes through agreement again.
Reading a review page writes nothing: an unsaved review is built in memory until the first save.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pcndev.accounts.permissions import ALLOW, NOT_SIGNED_IN, Decision
from pcndev.audit.services import record
from pcndev.delivery import rag
from pcndev.delivery import schedule as sched
from pcndev.delivery.review_models import InitiativeUpdate, MeasureActual, ProgressReview, ReviewSchedule
from pcndev.delivery.spend import lineages, reported_spend
from pcndev.funding.ledger import LedgerRefused, post_many
from pcndev.funding.models import LedgerEntry
from pcndev.funding.permissions import can_create_programme
from pcndev.plans import permissions as plan_perms
from pcndev.plans import workflow
from pcndev.plans.editing import NotAllowed, PlanProblems
from pcndev.plans.models import Initiative, PlanVersion, SupportPlan
from pcndev.plans.revising import start_revision

REVIEWABLE = (workflow.FUNDS_RELEASED, workflow.IN_DELIVERY)
TEXT_LIMIT = 5000


class StaleReview(Exception):
    def __init__(self, review: ProgressReview):
        who = review.updated_by or "someone"
        when = timezone.localtime(review.updated_at).strftime("%-d %B %Y at %H:%M")
        self.message = (
            f"This review was changed by {who} on {when}. Your changes have not been saved: "
            "check the review and make them again."
        )
        super().__init__(self.message)


def schedule_for(programme) -> ReviewSchedule:
    """The programme's saved schedule, or the seeds' default (unsaved)."""
    saved = ReviewSchedule.objects.filter(programme=programme).first()
    if saved:
        return saved
    d = sched.default_schedule(programme.financial_year)
    return ReviewSchedule(programme=programme, first_due=d.first_due, last_due=d.last_due, every_months=1)


def due_dates_for(programme) -> list[datetime.date]:
    s = schedule_for(programme)
    return sched.due_dates(sched.Schedule(s.first_due, s.last_due, s.every_months))


def can_change_schedule(user) -> Decision:
    """The review schedule is national: a national administrator (the role, as for programmes) sets it."""
    if not can_create_programme(user):
        return Decision(False, "Only a national administrator can change the review schedule.")
    return ALLOW


@transaction.atomic
def set_schedule(programme, user, first_due, last_due, every_months: int) -> ReviewSchedule:
    if not (decision := can_change_schedule(user)):
        raise NotAllowed(decision)
    wanted = sched.Schedule(sched.month_end(first_due), sched.month_end(last_due), every_months)
    if problems := sched.problems(wanted):
        raise PlanProblems(problems)
    current = ReviewSchedule.objects.select_for_update().filter(programme=programme).first()
    before = None if current is None else _schedule_dict(current)
    current = current or ReviewSchedule(programme=programme)
    current.first_due, current.last_due, current.every_months = (
        wanted.first_due,
        wanted.last_due,
        every_months,
    )
    current.save()
    record(user, "reviews.schedule", current, before, _schedule_dict(current))
    return current


def _schedule_dict(s: ReviewSchedule) -> dict:
    return {"first_due": str(s.first_due), "last_due": str(s.last_due), "every_months": s.every_months}


def version_in_force(plan) -> PlanVersion | None:
    """The version being delivered (reviews are of this one), else the latest agreed or later."""
    delivering = (
        plan.versions.filter(state__in=workflow.DELIVERING)
        .select_related("plan__pcn__place__system", "plan__programme")
        .order_by("-number")
        .first()
    )
    return delivering or (
        plan.versions.filter(state__in=workflow.IN_FORCE)
        .select_related("plan__pcn__place__system", "plan__programme")
        .order_by("-number")
        .first()
    )


def can_review(user, plan, version: PlanVersion | None) -> Decision:
    """The PCN's clinical directors and the place lead record reviews of a plan whose funds are released."""
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if version is None or version.state not in REVIEWABLE:
        return Decision(False, "Progress is reviewed once the plan's funds are released.")
    if not plan_perms.parties_of(user, plan.pcn) & {"cd", "place"}:
        return Decision(
            False, f"Only a clinical director of {plan.pcn} or the place lead can record its progress review."
        )
    return ALLOW


def review_for(plan, due: datetime.date) -> ProgressReview:
    """The plan's review for a due date: saved, or a new one (unsaved) on the version in force."""
    saved = ProgressReview.objects.filter(plan=plan, due=due).select_related("version", "revision").first()
    if saved:
        return saved
    return ProgressReview(plan=plan, due=due, version=version_in_force(plan))


@dataclass
class UpdateData:
    status: str = "not_started"
    rag: str = ""
    rag_reason: str = ""
    spend_to_date_pence: int = 0
    evidence: str = ""
    actuals: dict[int, tuple[str, str]] = field(default_factory=dict)  # measure id -> (actual, achieved)


@dataclass
class ReviewData:
    meeting_date: datetime.date | None = None
    cd_attended: bool = False
    place_lead_attended: bool = False
    other_attendees: str = ""
    additional_support: str = ""
    support_area_ids: list[int] = field(default_factory=list)
    actions: str = ""
    updates: dict[int, UpdateData] = field(default_factory=dict)  # initiative id -> update


def _shape_problems(data: ReviewData, initiatives: dict[int, Initiative], area_ids: set[int]) -> list:
    problems = []
    if data.meeting_date and data.meeting_date > timezone.localdate():
        problems.append(("meeting_date", "The meeting date cannot be in the future"))
    for name in ("other_attendees", "additional_support", "actions"):
        if len(getattr(data, name)) > TEXT_LIMIT:
            problems.append((name, f"Keep this to {TEXT_LIMIT:,} characters or fewer"))
    if set(data.support_area_ids) - area_ids:
        problems.append(("support_areas", "Choose areas from the PCN's maturity matrix"))
    for iid, u in data.updates.items():
        i = initiatives.get(iid)
        if i is None:
            problems.append(("updates", "An update names an initiative that is not in this plan"))
            continue
        if u.status not in rag.STATUSES:
            problems.append((f"i-{iid}-status", f"{i.title}: select a status"))
        if u.rag not in ("", *rag.RAGS):
            problems.append((f"i-{iid}-rag", f"{i.title}: select green, amber or red"))
        if u.spend_to_date_pence < 0:
            problems.append((f"i-{iid}-spend", f"{i.title}: spend to date cannot be negative"))
        if len(u.rag_reason) > TEXT_LIMIT or len(u.evidence) > TEXT_LIMIT:
            problems.append(
                (f"i-{iid}-evidence", f"{i.title}: keep each answer to {TEXT_LIMIT:,} characters")
            )
        measures = {m.pk for m in i.measures.all()}
        for mid, (actual, achieved) in u.actuals.items():
            if mid not in measures:
                problems.append((f"i-{iid}-status", f"{i.title}: an actual names an unknown output measure"))
            elif len(actual) > 200:
                problems.append(
                    (f"m-{mid}-actual", f"{i.title}: keep each actual to 200 characters or fewer")
                )
            elif achieved not in rag.ACHIEVED:
                problems.append((f"m-{mid}-achieved", f"{i.title}: select whether the measure was achieved"))
    return problems


def _initiatives(version) -> dict[int, Initiative]:
    return {i.pk: i for i in version.initiatives.prefetch_related("measures").order_by("position", "pk")}


def _claim(plan, due, lock_version: int, user) -> ProgressReview:
    """Lock (or create) the review row and check nobody saved since the form was loaded."""
    review = ProgressReview.objects.select_for_update(of=("self",)).filter(plan=plan, due=due).first()
    if review is None:
        # No row to lock yet: lock the plan, so that of two first saves one creates the review and the other,
        # looking again once the first has committed, finds it and is stale (not a duplicate-key error).
        list(SupportPlan.objects.select_for_update(of=("self",)).filter(pk=plan.pk).order_by().only("pk"))
        review = ProgressReview.objects.select_for_update(of=("self",)).filter(plan=plan, due=due).first()
    if review is None:
        if lock_version != 0:
            raise StaleReview(review_for(plan, due))
        version = version_in_force(plan)
        if not (decision := can_review(user, plan, version)):
            raise NotAllowed(decision)
        if due not in due_dates_for(plan.programme):
            raise PlanProblems([("due", "No progress review is scheduled on that date")])
        review = ProgressReview.objects.create(
            plan=plan, due=due, version=version, updated_by=user, lock_version=1
        )
        record(user, "review.started", review, None, {"due": str(due), "version": version.number})
        return review
    if not (decision := can_review(user, plan, review.version)):
        raise NotAllowed(decision)
    if review.submitted:
        raise NotAllowed(Decision(False, "This review has been submitted, so it cannot change."))
    if review.lock_version != lock_version:
        raise StaleReview(review)
    ProgressReview.objects.filter(pk=review.pk).update(lock_version=F("lock_version") + 1)
    review.lock_version += 1
    return review


@transaction.atomic
def save_review(plan, due: datetime.date, lock_version: int, user, data: ReviewData) -> ProgressReview:
    """Save a draft: the meeting record and every update given. Only shape is checked here; nothing is lost."""
    review = _claim(plan, due, lock_version, user)
    initiatives = _initiatives(review.version)
    template = review.version.assessment.round.template if review.version.assessment_id else None
    area_ids = set(template.areas.values_list("pk", flat=True)) if template else set()
    if problems := _shape_problems(data, initiatives, area_ids):
        raise PlanProblems(problems)
    for name in ("meeting_date", "cd_attended", "place_lead_attended", "other_attendees"):
        setattr(review, name, getattr(data, name))
    review.additional_support, review.actions = data.additional_support.strip(), data.actions.strip()
    review.updated_by = user
    review.save()
    review.support_areas.set(data.support_area_ids)
    existing = {u.initiative_id: u for u in review.updates.all()}
    for iid, u in data.updates.items():
        row = existing.get(iid) or InitiativeUpdate(review=review, initiative_id=iid)
        row.status, row.rag, row.rag_reason = u.status, u.rag, u.rag_reason.strip()
        row.spend_to_date_pence, row.evidence = u.spend_to_date_pence, u.evidence.strip()
        row.save()
        for mid, (actual, achieved) in u.actuals.items():
            MeasureActual.objects.update_or_create(
                update=row, measure_id=mid, defaults={"actual": actual.strip(), "achieved": achieved}
            )
    record(user, "review.saved", review, None, {"due": str(due), "updates": len(data.updates)})
    return review


def submission_problems(
    review, things: dict[int, tuple[str, str, int]], updates, previous
) -> list[tuple[str, str]]:
    """Everything that stops a review (of a plan or a CD plan) being submitted. things: (field prefix, title,
    cost) per initiative or item, keyed like `updates` and `previous` by the same ids, in the same order."""
    problems = []
    if review.meeting_date is None:
        problems.append(("meeting_date", "Enter the date of the review meeting"))
    if not (review.cd_attended or review.place_lead_attended):
        problems.append(("attendees", "Say who attended: the clinical director, the place lead or both"))
    for pk, (prefix, title, cost) in things.items():
        u = updates.get(pk)
        if u is None:
            problems.append((f"{prefix}-status", f"{title}: record its progress"))
            continue
        was_rag, was_spend = previous.get(pk, ("", 0))
        check = rag.Update(u.status, u.rag, u.rag_reason, u.spend_to_date_pence, cost, was_rag, was_spend)
        problems += [
            (f"{prefix}-{f.replace('rag_reason', 'reason')}", m) for f, m in rag.problems(check, title)
        ]
    return problems


def previous_figures(review, initiative_ids) -> dict[int, tuple[str, int]]:
    """(RAG, spend to date) per initiative from the submitted reviews before this one."""
    spend = reported_spend(initiative_ids, before_review=review)
    rags: dict[int, tuple] = {}
    chains = lineages(initiative_ids)
    owner = {old: new for new, chain in chains.items() for old in chain}
    for iid, due, r in InitiativeUpdate.objects.filter(
        initiative_id__in=list(owner), review__state="submitted", review__due__lt=review.due
    ).values_list("initiative_id", "review__due", "rag"):
        new = owner[iid]
        if new not in rags or due > rags[new][0]:
            rags[new] = (due, r)
    return {iid: (rags.get(iid, (None, ""))[1], spend.get(iid, 0)) for iid in initiative_ids}


FUND_OF_SOURCE = {
    Initiative.Source.PROGRAMME: LedgerEntry.Fund.NATIONAL,
    Initiative.Source.TOP_UP: LedgerEntry.Fund.LOCAL,
}


@transaction.atomic
def submit_review(plan, due: datetime.date, lock_version: int, user) -> ProgressReview:
    review = _claim(plan, due, lock_version, user)
    initiatives = _initiatives(review.version)
    updates = {u.initiative_id: u for u in review.updates.all()}
    previous = previous_figures(review, list(initiatives))
    things = {pk: (f"i-{pk}", i.title, i.cost_pence) for pk, i in initiatives.items()}
    if problems := submission_problems(review, things, updates, previous):
        raise PlanProblems(problems)
    specs, spec_updates = [], []
    for iid, u in updates.items():
        increase = max(u.spend_to_date_pence - previous.get(iid, ("", 0))[1], 0)
        fund = FUND_OF_SOURCE.get(initiatives[iid].funding_source)
        if increase and fund:
            specs.append(
                dict(
                    pcn=plan.pcn,
                    kind="spend",
                    amount_pence=increase,
                    fund=fund,
                    reference=f"Review {due.isoformat()}",
                    note=initiatives[iid].title[:200],
                    entry_date=min(review.meeting_date, timezone.localdate()),
                )
            )
            spec_updates.append(u)
    try:
        entries = post_many(plan.programme, specs, user) if specs else []
    except LedgerRefused as exc:
        raise PlanProblems([("spend", f"Spend to date: {r}") for r in exc.reasons]) from None
    for u, entry in zip(spec_updates, entries, strict=True):
        u.spend_entry = entry
        u.save(update_fields=["spend_entry"])
    review.state, review.submitted_at, review.submitted_by = "submitted", timezone.now(), user
    if review.additional_support.strip():
        review.revision = start_revision(
            review.version, user, f"Review due {due:%-d %B %Y}: additional support"
        )
    review.save()
    record(
        user,
        "review.submitted",
        review,
        {"state": "draft"},
        {
            "state": "submitted",
            "spend_posted_pence": sum(s["amount_pence"] for s in specs),
            "rag": {initiatives[i].title: u.rag for i, u in updates.items()},
            "revision": review.revision.number if review.revision else None,
        },
    )
    return review
