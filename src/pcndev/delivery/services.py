"""Delivery services: the default timetable, overrides (audited), and journey facts for many PCNs at once.

`facts_for` reads a fixed number of queries whatever the number of PCNs: the PCNs with their practice and
CD counts, the year's assessments, the current plan versions, and those versions' initiatives.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Min, OuterRef, Q, Subquery

from pcndev.accounts.scope import visible
from pcndev.audit.services import record
from pcndev.delivery import overdue, reviewing
from pcndev.delivery import timetable as tt
from pcndev.delivery.journey import Facts
from pcndev.delivery.models import Phase, PhaseOverride, ProgressReview
from pcndev.maturity.models import PCNAssessment
from pcndev.orgs.models import PCN, Place, System
from pcndev.plans import workflow
from pcndev.plans.models import Initiative, PlanVersion, Release


class TimetableError(ValueError):
    pass


def default_timetable(programme) -> list[Phase]:
    """The programme's phases: those saved, and the seeds' calendar (unsaved) for the rest. Reading writes nothing;
    a phase is saved when a lead first changes its dates."""
    have = {p.kind: p for p in programme.phases.all()}
    phases = [
        have.get(kind) or Phase(programme=programme, kind=kind, starts_on=d.starts_on, ends_on=d.ends_on)
        for kind, d in tt.default_dates(programme.financial_year).items()
    ]
    return sorted(phases, key=lambda p: (p.starts_on, p.kind))


def _dates(obj) -> tt.Dates:
    return tt.Dates(obj.starts_on, obj.ends_on)


def dates_for(programme, pcns: list[PCN]) -> dict[int, dict[str, tt.Dates]]:
    """Each PCN's resolved timetable (PCNs need place loaded with select_related or place.system_id known)."""
    phases = default_timetable(programme)
    base = {p.kind: _dates(p) for p in phases}
    by_system: dict[int, dict[str, tt.Dates]] = {}
    by_place: dict[int, dict[str, tt.Dates]] = {}
    for o in PhaseOverride.objects.filter(phase__programme=programme).select_related("phase"):
        target = by_place.setdefault(o.place_id, {}) if o.place_id else by_system.setdefault(o.system_id, {})
        target[o.phase.kind] = _dates(o)
    return {
        pcn.pk: tt.resolve(base, by_system.get(pcn.place.system_id), by_place.get(pcn.place_id))
        for pcn in pcns
    }


def dates_for_node(programme, node) -> dict[str, tt.Dates]:
    """A place's or system's resolved dates."""
    base = {p.kind: _dates(p) for p in default_timetable(programme)}
    overrides = PhaseOverride.objects.filter(phase__programme=programme).select_related("phase")
    if isinstance(node, Place):
        system = {o.phase.kind: _dates(o) for o in overrides.filter(system_id=node.system_id)}
        return tt.resolve(base, system, {o.phase.kind: _dates(o) for o in overrides.filter(place=node)})
    return tt.resolve(base, {o.phase.kind: _dates(o) for o in overrides.filter(system=node)})


@transaction.atomic
def set_override(phase: Phase, node, starts_on: datetime.date, ends_on: datetime.date, by) -> PhaseOverride:
    """A system's or place's own dates for a phase (an existing override is changed), audited."""
    if ends_on < starts_on:
        raise TimetableError("The end date must be the same as or after the start date")
    field = "place" if isinstance(node, Place) else "system"
    if not isinstance(node, Place | System):
        raise TimetableError("Dates can be changed for a system or a place only")
    if phase.pk is None:
        phase, _ = Phase.objects.get_or_create(
            programme=phase.programme,
            kind=phase.kind,
            defaults={"starts_on": phase.starts_on, "ends_on": phase.ends_on},
        )
    override = PhaseOverride.objects.select_for_update().filter(phase=phase, **{field: node}).first()
    before = (
        None if override is None else {"starts_on": str(override.starts_on), "ends_on": str(override.ends_on)}
    )
    if override is None:
        override = PhaseOverride(phase=phase, **{field: node})
    override.starts_on, override.ends_on = starts_on, ends_on
    override.save()
    record(by, "timetable.override", override, before, {"starts_on": str(starts_on), "ends_on": str(ends_on)})
    return override


def assessments_for(programme):
    """The self-assessments that count for a programme: its rounds, or rounds of the same year with none."""
    return PCNAssessment.objects.filter(
        Q(round__programme=programme)
        | Q(round__programme__isnull=True, round__financial_year=programme.financial_year)
    )


def current_versions(programme, pcn_ids):
    latest = PlanVersion.objects.filter(plan=OuterRef("plan")).order_by("-number").values("number")[:1]
    return PlanVersion.objects.filter(
        plan__programme=programme, plan__pcn_id__in=pcn_ids, number=Subquery(latest)
    )


def versions_in_force(programme, pcn_ids, states=workflow.IN_FORCE):
    """Each plan's latest version in `states` (by default: agreed or later and not superseded)."""
    latest = (
        PlanVersion.objects.filter(plan=OuterRef("plan"), state__in=states)
        .order_by("-number")
        .values("number")[:1]
    )
    return PlanVersion.objects.filter(
        plan__programme=programme, plan__pcn_id__in=pcn_ids, number=Subquery(latest)
    )


def journey_versions(programme, ids) -> dict[int, tuple[int, str]]:
    """By PCN id: (id, state) of the version being delivered, else of the version in force, else of the latest
    version. Plain values: the national dashboard reads this for every PCN."""
    fields = ("plan__pcn_id", "pk", "state")
    versions = {pcn: (pk, state) for pcn, pk, state in current_versions(programme, ids).values_list(*fields)}
    for states in (workflow.IN_FORCE, workflow.DELIVERING):
        rows = versions_in_force(programme, ids, states).values_list(*fields)
        versions |= {pcn: (pk, state) for pcn, pk, state in rows}
    return versions


def pcns_with_counts(pcns):
    return pcns.select_related("place__system").annotate(
        n_practices=Count("memberships", filter=Q(memberships__valid_to__isnull=True), distinct=True),
        n_cds=Count("clinical_directors", distinct=True),
    )


def facts_for(programme, pcns) -> tuple[list[PCN], dict[int, Facts], dict[int, tuple[int, str]]]:
    """(the PCNs, their facts by PCN id, (id, state) of their journey's plan version by PCN id) from a PCN
    queryset."""
    pcn_list = list(pcns_with_counts(pcns).order_by("name", "pk"))
    ids = pcns.values("pk")
    assessed: dict[int, tuple[bool, str]] = {}
    for pcn_id, status, priority in (
        assessments_for(programme)
        .filter(pcn_id__in=ids)
        .values_list("pcn_id", "status", "improvement_priority")
    ):
        done = status == PCNAssessment.Status.SUBMITTED and bool(priority.strip())
        if done or pcn_id not in assessed:
            assessed[pcn_id] = (status == PCNAssessment.Status.SUBMITTED, priority)
    versions = journey_versions(programme, ids)
    initiatives: dict[int, list[tuple[str, bool]]] = {}
    for vid, source, checked in Initiative.objects.filter(
        version__in=[pk for pk, _ in versions.values()]
    ).values_list("version_id", "funding_source", "existing_funds_checked"):
        initiatives.setdefault(vid, []).append((source, checked))
    review_due = tuple(reviewing.due_dates_for(programme))
    released = dict(
        Release.objects.filter(version__plan__programme=programme, version__plan__pcn_id__in=ids)
        .values("version__plan__pcn_id")
        .annotate(first=Min("release_date"))
        .values_list("version__plan__pcn_id", "first")
    )
    reviewed: dict[int, list] = {}
    for pcn_id, due in ProgressReview.objects.filter(
        plan__programme=programme, plan__pcn_id__in=ids, state="submitted"
    ).values_list("plan__pcn_id", "due"):
        reviewed.setdefault(pcn_id, []).append(due)
    facts = {}
    for pcn in pcn_list:
        submitted, priority = assessed.get(pcn.pk, (False, ""))
        version_id, state = versions.get(pcn.pk, (None, None))
        facts[pcn.pk] = Facts(
            practices=pcn.n_practices,
            clinical_directors=pcn.n_cds,
            assessment_submitted=submitted,
            improvement_priority=priority,
            plan_state=state,
            initiatives=tuple(initiatives.get(version_id, ())),
            review_due=review_due,
            reviews_submitted=tuple(sorted(reviewed.get(pcn.pk, ()))),
            released_on=released.get(pcn.pk),
        )
    return pcn_list, facts, versions


def overdue_rows(user, programme, today: datetime.date, soon: bool = False) -> list[tuple[PCN, overdue.Item]]:
    """(PCN, item) for every overdue (or, with soon, soon-due) action in the PCNs the user can see."""
    pcns, facts, _ = facts_for(programme, visible(user, PCN))
    return overdue_for(programme, pcns, facts, today, soon)


def overdue_for(
    programme, pcns, facts, today: datetime.date, soon: bool = False
) -> list[tuple[PCN, overdue.Item]]:
    """(PCN, item) from facts already gathered by facts_for (so a page need not gather them twice)."""
    dates = dates_for(programme, pcns)
    return [(pcn, item) for pcn in pcns for item in overdue.items(facts[pcn.pk], dates[pcn.pk], today, soon)]
