"""A year of monthly progress reviews for `pcndev scale-data`, with spend posted to the ledger as the app does.

Every plan whose funds were released is reviewed at each month end from the first due date on or after its
release (31 October to 31 March, the default schedule). Each review has an update per initiative: a status
that follows the initiative's months (not started, in progress, completed; a few paused), a RAG rating with a
reason when amber or red or changed, cumulative spend to date and an actual for each output measure. Submitted
reviews post each increase in spend to date as a ledger `spend` entry linked to the update (national or local
money as the initiative is funded; existing funds post nothing). Most March reviews are submitted; some are
still drafts or not started, so they are overdue. About 2% of plans in delivery had additional support named
in January, which opened a revised plan (version 2, a draft whose initiatives are copies that keep their
lineage).
"""

import datetime
from dataclasses import dataclass, field

from pcndev.delivery.review_models import InitiativeUpdate, MeasureActual, ProgressReview
from pcndev.delivery.schedule import default_schedule, due_dates, month_end
from pcndev.funding.models import LedgerEntry
from pcndev.maturity.models import Area
from pcndev.plans.models import Initiative, OutputMeasure, PlanVersion

RAG_REASONS = {
    "amber": "Recruitment of the facilitator is taking longer than planned",
    "red": "Practices could not release staff this month; the plan is being reset",
    "green": "Back on track after last month's delay",
}
ACTIONS = "Clinical director to update the practices at the next network meeting"


@dataclass
class ReviewFacts:
    # (review id, plan id, version id, due, state, cd, place lead, submitted_at, lock_version, updates,
    #  spend posted)
    reviews: list[tuple] = field(default_factory=list)
    revisions: list[tuple[int, int | None, int]] = field(default_factory=list)  # (version, cd, review)


def _at(day: datetime.date, hour: int = 14) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


def build_reviews(bulk, rng, programme, plan_facts) -> ReviewFacts:
    facts = ReviewFacts()
    dues = due_dates(default_schedule(programme.financial_year))
    rows: dict[str, list] = {"review": [], "update": [], "actual": [], "ledger": []}
    revise = []
    for d in plan_facts.delivered:
        mine = [due for due in dues if due >= d.released_on]
        states = ["submitted"] * len(mine)
        if d.state != "closed" and mine:
            roll = rng.random()
            if roll < 0.03 and len(mine) > 1:
                states, mine = states[:-2], mine[:-2]  # February and March not started
            elif roll < 0.13:
                mine = mine[:-1]
                states = states[:-1]
            elif roll < 0.28:
                states[-1] = "draft"
        spend = {i.id: 0 for i in d.initiatives}
        rags = {i.id: "" for i in d.initiatives}
        for n, (due, state) in enumerate(zip(mine, states, strict=True)):
            last = d.state == "closed" and n == len(mine) - 1
            review_id = bulk.ids(ProgressReview, 1)[0]
            meeting = due - datetime.timedelta(days=rng.randint(0, 9))
            posted = _updates(
                bulk, rng, rows, programme, d, review_id, due, meeting, state, last, spend, rags
            )
            who = d.cd if rng.random() < 0.8 else d.place_lead
            submitted = _at(meeting, 16) if state == "submitted" else None
            lock = rng.randint(1, 5)
            rows["review"].append(
                (
                    review_id,
                    d.plan_id,
                    d.version_id,
                    due,
                    state,
                    meeting,
                    rng.random() < 0.95,
                    rng.random() < 0.7,
                    "",
                    ACTIONS,
                    lock,
                    _at(due - datetime.timedelta(days=20)),
                    _at(meeting),
                    who,
                    submitted,
                    who if submitted else None,
                )
            )
            facts.reviews.append(
                (
                    review_id,
                    d.plan_id,
                    d.version_id,
                    due,
                    state,
                    d.cd,
                    d.place_lead,
                    submitted,
                    lock,
                    len(d.initiatives),
                    posted,
                )
            )
            if due.month == 1 and state == "submitted" and d.state == "in_delivery" and rng.random() < 0.02:
                revise.append((d, review_id, who))
    bulk.reporter.total(sum(map(len, rows.values())))
    bulk.insert(
        ProgressReview,
        [
            "id",
            "plan_id",
            "version_id",
            "due",
            "state",
            "meeting_date",
            "cd_attended",
            "place_lead_attended",
            "additional_support",
            "actions",
            "lock_version",
            "created_at",
            "updated_at",
            "updated_by_id",
            "submitted_at",
            "submitted_by_id",
        ],
        rows["review"],
    )
    bulk.insert(
        LedgerEntry,
        [
            "id",
            "programme_id",
            "pcn_id",
            "kind",
            "fund",
            "amount_pence",
            "reference",
            "note",
            "entry_date",
            "created_by_id",
            "created_at",
        ],
        rows["ledger"],
    )
    bulk.insert(
        InitiativeUpdate,
        [
            "id",
            "review_id",
            "initiative_id",
            "status",
            "rag",
            "rag_reason",
            "spend_to_date_pence",
            "evidence",
            "spend_entry_id",
        ],
        rows["update"],
    )
    bulk.insert(
        MeasureActual,
        ["id", "update_id", "measure_id", "actual", "achieved"],
        ((i, *r) for i, r in zip(bulk.ids(MeasureActual, len(rows["actual"])), rows["actual"], strict=True)),
    )
    bulk.sync()
    for d, review_id, who in revise:
        facts.revisions.append((_revise(d, review_id, who), d.cd, review_id))
    return facts


def _status(rng, i, due: datetime.date, last: bool) -> str:
    if last:
        return "completed" if rng.random() < 0.95 else "stopped"
    if due < i.start:
        return "not_started"
    if due >= month_end(i.end):
        return "completed" if rng.random() < 0.9 else "in_progress"
    return "paused" if rng.random() < 0.03 else "in_progress"


def _updates(bulk, rng, rows, programme, d, review_id, due, meeting, state, last, spend, rags) -> int:
    posted = 0
    for i in d.initiatives:
        status = _status(rng, i, due, last)
        if status == "not_started":
            rag = ""
        elif status == "completed":
            rag = "green" if rng.random() < 0.85 else "amber"
        else:
            rag = rng.choices(("green", "amber", "red"), (70, 22, 8))[0]
        reason = (
            RAG_REASONS[rag] if rag in ("amber", "red") or (rag and rags[i.id] and rag != rags[i.id]) else ""
        )
        months = max(1, (i.end.year - i.start.year) * 12 + i.end.month - i.start.month + 1)
        elapsed = (due.year - i.start.year) * 12 + due.month - i.start.month + 1
        share = 1.0 if status == "completed" or last else min(1.0, max(0.0, elapsed / months))
        target = i.cost * share * rng.uniform(0.85, 1.0) // 1000 * 1000
        figure = int(min(i.cost, max(spend[i.id], target)))
        increase = figure - spend[i.id]
        entry_id = None
        if state == "submitted":
            spend[i.id], rags[i.id] = figure, rag
            if increase > 0 and i.source != "existing":
                entry_id = bulk.ids(LedgerEntry, 1)[0]
                posted += increase
                rows["ledger"].append(
                    (
                        entry_id,
                        programme.pk,
                        d.pcn_id,
                        "spend",
                        "national" if i.source == "programme" else "local",
                        increase,
                        f"Review {due.isoformat()}",
                        i.title[:200],
                        meeting,
                        d.cd,
                        _at(meeting, 16),
                    )
                )
        update_id = bulk.ids(InitiativeUpdate, 1)[0]
        evidence = "Notes of the network meeting" if rng.random() < 0.3 else ""
        rows["update"].append((update_id, review_id, i.id, status, rag, reason, figure, evidence, entry_id))
        if state == "submitted" and status != "not_started":
            achieved = "yes" if status == "completed" else ("partly" if rng.random() < 0.5 else "")
            for measure_id in i.measures:
                rows["actual"].append(
                    (update_id, measure_id, "On track" if achieved != "yes" else "Met", achieved)
                )
    return posted


def _revise(d, review_id: int, who) -> int:
    """A draft version 2 of the plan, as `plans.revising` opens it: copies of the initiatives, with lineage."""
    old = PlanVersion.objects.get(pk=d.version_id)
    new = PlanVersion.objects.create(
        plan_id=old.plan_id,
        number=2,
        state="draft",
        improvement_priority=old.improvement_priority,
        summary=old.summary,
        assessment_id=old.assessment_id,
        revises=old,
        created_by_id=who,
        updated_by_id=who,
    )
    new.needs.set(old.needs.all())
    for i in Initiative.objects.filter(version=old).prefetch_related("elements", "measures"):
        elements, measures = list(i.elements.all()), list(i.measures.all())
        previous = i.pk
        i.pk, i.version, i.previous_id = None, new, previous
        i.save()
        i.elements.set(elements)
        OutputMeasure.objects.bulk_create(
            OutputMeasure(
                initiative=i, position=m.position, description=m.description, target=m.target, due=m.due
            )
            for m in measures
        )
    review = ProgressReview.objects.get(pk=review_id)
    ProgressReview.objects.filter(pk=review_id).update(
        additional_support="More facilitation for the practices' joint work", revision=new
    )
    review.support_areas.set(
        Area.objects.filter(pk__in=Initiative.objects.filter(version=old).values("area_id"))[:1]
    )
    return new.pk
