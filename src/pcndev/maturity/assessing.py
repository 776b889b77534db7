"""Saving ratings and the consensus, and the one transition service for submitting and reopening."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from pcndev.accounts.permissions import Decision
from pcndev.audit.services import record
from pcndev.maturity import permissions as perms
from pcndev.maturity.models import (
    ConsensusRating,
    DevelopmentNeed,
    Element,
    PCNAssessment,
    Rating,
    Response,
)
from pcndev.maturity.scoring import NeedInput, RatingInput, rank_needs, rating_problems
from pcndev.maturity.workflow import ACTIONS

RATING_FIELDS = ("current_stage", "target_stage", "priority", "support_needed", "cost_pence")


@dataclass(frozen=True)
class Entry:
    """One element's answers as the form or API gives them (already parsed to numbers)."""

    element_id: int
    current_stage: int | None = None
    target_stage: int | None = None
    priority: str = ""
    support_needed: str = ""
    cost_pence: int | None = None
    comment: str = ""  # evidence for a rating, the note for a consensus


class Problems(Exception):
    """Everything wrong, as (element code or "", field, message); nothing was written."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        super().__init__("; ".join(m for _, _, m in problems))


class NotAllowed(Exception):
    def __init__(self, decision: Decision):
        self.reason = decision.reason
        super().__init__(decision.reason)


def today() -> datetime.date:
    return timezone.localdate()


def _problems_for(entries, elements: dict[int, Element], stages: int, complete: bool):
    problems = []
    for e in entries:
        element = elements.get(e.element_id)
        if element is None:
            problems.append(("", "element", f"Element {e.element_id} is not part of this matrix"))
            continue
        rating = RatingInput(e.current_stage, e.target_stage, e.priority, e.cost_pence)
        problems += [
            (element.code, f, f"{element.title}: {m}") for f, m in rating_problems(rating, stages, complete)
        ]
    return problems


def _elements(assessment: PCNAssessment) -> tuple[dict[int, Element], int]:
    template = assessment.round.template
    elements = {e.id: e for e in Element.objects.filter(template=template).select_related("area")}
    return elements, template.stages.count()


def _check_rater(user, response: Response, day) -> Decision:
    if response.practice_id is not None:
        return perms.can_rate_practice(user, response.assessment, response.practice, day)
    if response.respondent_id != user.pk:
        return Decision(False, "Only the clinical director who gave these ratings can change them.")
    return perms.can_lead_assessment(user, response.assessment, day)


def _upsert(model, owner: dict, entries, comment_field: str) -> list[dict]:
    existing = {r.element_id: r for r in model.objects.filter(**owner)}
    changed, new, touched = [], [], []
    for e in entries:
        values = {f: getattr(e, f) for f in RATING_FIELDS} | {comment_field: e.comment}
        row = existing.get(e.element_id)
        if row is None:
            new.append(model(**owner, element_id=e.element_id, **values))
            touched.append({"element": e.element_id, **values})
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            changed.append(row)
            touched.append({"element": e.element_id, **values})
    model.objects.bulk_create(new)
    model.objects.bulk_update(changed, [*RATING_FIELDS, comment_field])
    return touched


def save_ratings(response: Response, entries: list[Entry], user, day: datetime.date | None = None) -> int:
    """Save a draft of some or all elements; return how many changed. Raises NotAllowed or Problems."""
    day = day or today()
    with transaction.atomic():
        response = (  # of=self: PostgreSQL cannot lock the nullable side of the outer join to practice
            Response.objects.select_for_update(of=("self",))
            .select_related("assessment__round", "practice")
            .get(pk=response.pk)
        )
        if response.status == Response.Status.SUBMITTED:
            raise NotAllowed(
                Decision(False, "These ratings have been submitted. Choose 'Change ratings' first.")
            )
        if not (decision := _check_rater(user, response, day)):
            raise NotAllowed(decision)
        elements, stages = _elements(response.assessment)
        if problems := _problems_for(entries, elements, stages, complete=False):
            raise Problems(problems)
        touched = _upsert(Rating, {"response": response}, entries, "evidence")
        if touched:
            Response.objects.filter(pk=response.pk).update(updated_at=timezone.now())
            record(user, "maturity.ratings_saved", response, None, {"ratings": touched})
    return len(touched)


def save_consensus(
    assessment: PCNAssessment,
    entries: list[Entry],
    user,
    improvement_priority: str | None = None,
    priority_note: str | None = None,
    day: datetime.date | None = None,
) -> int:
    day = day or today()
    with transaction.atomic():
        assessment = (
            PCNAssessment.objects.select_for_update()
            .select_related("round__template", "pcn")
            .get(pk=assessment.pk)
        )
        if not (decision := perms.can_lead_assessment(user, assessment, day)):
            raise NotAllowed(decision)
        elements, stages = _elements(assessment)
        problems = _problems_for(entries, elements, stages, complete=False)
        if improvement_priority is not None and len(improvement_priority) > 300:
            problems.append(
                (
                    "",
                    "improvement_priority",
                    "The service-improvement priority must be 300 characters or fewer",
                )
            )
        if problems:
            raise Problems(problems)
        touched = _upsert(ConsensusRating, {"assessment": assessment}, entries, "note")
        before, after = {}, {}
        for field, value in (
            ("improvement_priority", improvement_priority),
            ("priority_note", priority_note),
        ):
            if value is not None and getattr(assessment, field) != value.strip():
                before[field], after[field] = getattr(assessment, field), value.strip()
                setattr(assessment, field, value.strip())
        if touched or after:
            assessment.save()
            record(
                user, "maturity.consensus_saved", assessment, before or None, after | {"consensus": touched}
            )
    return len(touched) + len(after)


def _completeness(owner_rows, elements: dict[int, Element], stages: int) -> list[tuple[str, str, str]]:
    by_element = {r.element_id: r for r in owner_rows}
    problems = []
    for element in sorted(elements.values(), key=lambda e: (e.area.position, e.position)):
        row = by_element.get(element.id)
        rating = RatingInput(
            row and row.current_stage,
            row and row.target_stage,
            row.priority if row else "",
            row and row.cost_pence,
        )
        problems += [
            (element.code, f, f"{element.title}: {m}") for f, m in rating_problems(rating, stages, True)
        ]
    return problems


def write_needs(assessment: PCNAssessment, elements: dict[int, Element]) -> int:
    rows = list(assessment.consensus.all())
    inputs = [
        NeedInput(
            elements[r.element_id].code,
            elements[r.element_id].area.position,
            elements[r.element_id].position,
            elements[r.element_id].tag,
            r.current_stage,
            r.target_stage,
            r.priority,
            r.support_needed,
            r.cost_pence or 0,
        )
        for r in rows
    ]
    by_code = {e.code: e for e in elements.values()}
    DevelopmentNeed.objects.filter(assessment=assessment).delete()
    needs = rank_needs(inputs)
    DevelopmentNeed.objects.bulk_create(
        DevelopmentNeed(
            assessment=assessment,
            element=by_code[n.element_code],
            rank=n.rank,
            tag=n.tag,
            current_stage=n.current,
            target_stage=n.target,
            gap=n.gap,
            priority=n.priority,
            support_needed=n.support_needed,
            cost_pence=n.cost_pence,
        )
        for n in needs
    )
    return len(needs)


def action_decision(obj, action_name: str, user, day: datetime.date | None = None) -> Decision:
    """Whether the user may take the action now (state and permission; preconditions are checked on the way)."""
    day = day or today()
    action = ACTIONS[action_name]
    if obj.status != action.source:
        return Decision(
            False, f"This is {obj.get_status_display().lower()}, so '{action.label}' is not available."
        )
    if action.record == "response":
        return _check_rater(user, obj, day)
    if action_name == "reopen_assessment":
        return perms.can_reopen(user, obj)
    return perms.can_lead_assessment(user, obj, day)


def transition(obj, action_name: str, user, reason: str = "", day: datetime.date | None = None):
    """Submit or reopen a response or an assessment: permission, preconditions, state, audit, in one transaction."""
    action = ACTIONS[action_name]
    model = Response if action.record == "response" else PCNAssessment
    day = day or today()
    with transaction.atomic():
        obj = model.objects.select_for_update().get(pk=obj.pk)
        if action.record == "response":
            obj.assessment = PCNAssessment.objects.select_related("round__template", "pcn").get(
                pk=obj.assessment_id
            )
        else:
            obj = PCNAssessment.objects.select_related("round__template", "pcn").get(pk=obj.pk)
        if not (decision := action_decision(obj, action_name, user, day)):
            raise NotAllowed(decision)
        if action.needs_reason and not reason.strip():
            raise Problems([("", "reason", "Enter why the self-assessment is being reopened")])
        assessment = obj.assessment if action.record == "response" else obj
        elements, stages = _elements(assessment)
        after: dict = {"status": action.target}
        if action_name == "submit_response":
            if problems := _completeness(obj.ratings.all(), elements, stages):
                raise Problems(problems)
            obj.submitted_at = timezone.now()
        elif action_name == "submit_assessment":
            problems = _completeness(obj.consensus.all(), elements, stages)
            if not obj.improvement_priority.strip():
                problems.append(("", "improvement_priority", "Name the PCN's service-improvement priority"))
            if problems:
                raise Problems(problems)
            obj.submitted_at, obj.submitted_by = timezone.now(), user
            after["needs"] = write_needs(obj, elements)
        elif action_name == "reopen_assessment":
            DevelopmentNeed.objects.filter(assessment=obj).delete()
            obj.submitted_at, obj.submitted_by = None, None
        before = {"status": obj.status}
        obj.status = action.target
        obj.save()
        record(user, f"maturity.{action_name}", obj, before, after, note=reason.strip())
    return obj
