"""Opening assessment rounds for a scope (England, a system or a place), the year-end re-assessment of a round,
the change since a round's baseline across its PCNs, and finding each PCN's assessment."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from pcndev.accounts.permissions import ALLOW, Decision
from pcndev.accounts.scope import MANAGER_ROLES, scope_for
from pcndev.audit.services import record
from pcndev.maturity.models import AssessmentRound, MatrixTemplate, PCNAssessment
from pcndev.maturity.permissions import can_create_round
from pcndev.maturity.results import areas_of, heatmap
from pcndev.orgs.models import Place, System

# The delivery timetable's year-end phase (delivery.timetable.YEAR_END), read by name through the programme's
# `phases` so that maturity does not import delivery (which depends on it).
YEAR_END_PHASE = "year_end"


class RoundError(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(m for _, m in problems))


def default_window(financial_year: int) -> tuple[datetime.date, datetime.date]:
    """September, as the guidance asks."""
    return datetime.date(financial_year, 9, 1), datetime.date(financial_year, 9, 30)


def year_end_window(rnd: AssessmentRound) -> tuple[datetime.date, datetime.date]:
    """The year-end review: the programme's saved year-end phase when it has one, else March (as the timetable)."""
    phases = getattr(rnd.programme, "phases", None) if rnd.programme_id else None
    phase = phases.filter(kind=YEAR_END_PHASE).first() if phases is not None else None
    if phase is not None:
        return phase.starts_on, phase.ends_on
    year = rnd.financial_year + 1
    return datetime.date(year, 3, 1), datetime.date(year, 3, 31)


def scope_choices(user) -> list[tuple[str, str]]:
    """Where the user may open a round: England (national admins), or systems and places they lead."""
    managers = scope_for(user, MANAGER_ROLES)
    choices = [("national", "England (every PCN)")] if managers.national else []
    choices += [
        (f"system:{s.code}", s.name) for s in System.objects.filter(managers.systems()).order_by("name")
    ]
    choices += [(f"place:{p.code}", p.name) for p in Place.objects.filter(managers.places()).order_by("name")]
    return choices


def scope_key(rnd: AssessmentRound) -> str:
    """The round's scope as scope_choices() spells it."""
    if rnd.place_id:
        return f"place:{rnd.place.code}"
    if rnd.system_id:
        return f"system:{rnd.system.code}"
    return "national"


def _scope_node(scope: str):
    kind, _, code = scope.partition(":")
    if kind == "system":
        return {"system": System.objects.get(code=code)}
    if kind == "place":
        return {"place": Place.objects.get(code=code)}
    return {}


@transaction.atomic
def create_round(
    user,
    name: str,
    template: MatrixTemplate,
    financial_year: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    scope: str = "national",
    programme=None,
    baseline: AssessmentRound | None = None,
) -> AssessmentRound:
    problems = []
    if not name.strip():
        problems.append(("name", "Enter a name for the round"))
    if closes_on < opens_on:
        problems.append(("closes_on", "The closing date must be on or after the opening date"))
    if scope not in dict(scope_choices(user)):
        problems.append(("scope", "Select a place, system or England that your role covers"))
    if programme is not None and programme.financial_year != financial_year:
        problems.append(("programme", f"{programme} is for {programme.year_label}, not this round's year"))
    if baseline is not None and baseline.template.name != template.name:
        problems.append(("baseline", "A re-assessment must use the same matrix as its baseline round"))
    if problems:
        raise RoundError(problems)
    rnd = AssessmentRound.objects.create(
        name=name.strip(),
        template=template,
        programme=programme,
        financial_year=financial_year,
        opens_on=opens_on,
        closes_on=closes_on,
        baseline=baseline,
        created_by=user,
        **_scope_node(scope),
    )
    record(
        user,
        "round.created",
        rnd,
        None,
        {
            "name": rnd.name,
            "template": str(template),
            "scope": rnd.scope_label,
            "opens_on": opens_on.isoformat(),
            "closes_on": closes_on.isoformat(),
            "baseline": baseline.pk if baseline else None,
        },
    )
    return rnd


def is_reassessment(rnd: AssessmentRound) -> bool:
    """A re-assessment compares with a baseline of the same year (a next year's round may compare with last year)."""
    return rnd.baseline_id is not None and rnd.baseline.financial_year == rnd.financial_year


def reassessment_of(rnd: AssessmentRound) -> AssessmentRound | None:
    return rnd.reassessments.filter(financial_year=rnd.financial_year).order_by("pk").first()


def can_start_reassessment(user, rnd: AssessmentRound) -> Decision:
    """Start the year-end re-assessment of a round: whoever may open a round for its PCNs, once per baseline."""
    if not (decision := can_create_round(user)):
        return decision
    if is_reassessment(rnd):
        return Decision(
            False,
            f"{rnd} is the re-assessment of {rnd.baseline}: start a year-end re-assessment from that round.",
        )
    if (existing := reassessment_of(rnd)) is not None:
        return Decision(False, f"The year-end re-assessment of {rnd} has already been started: {existing}.")
    if scope_key(rnd) not in dict(scope_choices(user)):
        return Decision(
            False, f"Only a lead whose role covers {rnd.scope_label} can start this round's re-assessment."
        )
    return ALLOW


class ReassessmentRefused(Exception):
    def __init__(self, decision: Decision):
        self.reason = decision.reason
        super().__init__(decision.reason)


def reassessment_name(rnd: AssessmentRound) -> str:
    return f"Year-end re-assessment {rnd.year_label}" + (
        "" if scope_key(rnd) == "national" else f": {rnd.scope_label}"
    )


@transaction.atomic
def start_reassessment(
    user,
    rnd: AssessmentRound,
    name: str = "",
    opens_on: datetime.date | None = None,
    closes_on: datetime.date | None = None,
) -> AssessmentRound:
    """A new round for the same PCNs, programme, year and template version, dated in the year-end phase, with the
    round as its baseline so the results show the change per area. Refused (ReassessmentRefused) with the reason
    when not allowed or when the baseline already has one; bad dates or names raise RoundError."""
    locked = (
        AssessmentRound.objects.select_for_update(of=("self",))
        .select_related("template", "programme", "place", "system", "baseline")
        .get(pk=rnd.pk)
    )
    if not (decision := can_start_reassessment(user, locked)):
        raise ReassessmentRefused(decision)
    default_opens, default_closes = year_end_window(locked)
    return create_round(
        user,
        name.strip() or reassessment_name(locked),
        locked.template,
        locked.financial_year,
        opens_on or default_opens,
        closes_on or default_closes,
        scope_key(locked),
        locked.programme,
        locked,
    )


@dataclass(frozen=True)
class AreaChange:
    code: str
    title: str
    compared: int  # PCNs submitted in both rounds with a score for the area
    baseline_mean: float | None
    current_mean: float | None
    improved: int
    unchanged: int
    fell: int

    @property
    def change(self) -> float | None:
        if self.baseline_mean is None or self.current_mean is None:
            return None
        return round(self.current_mean - self.baseline_mean, 1)


@dataclass(frozen=True)
class PCNChange:
    pcn: object
    compared: bool  # submitted in both rounds
    changes: list[float | None]  # per area, in the round's area order


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def change_by_area(rnd: AssessmentRound, pcns) -> tuple[list[AreaChange], list[PCNChange]]:
    """The change in mean stage per area since the round's baseline, across the given PCNs (a queryset): each
    PCN's change (submitted in both rounds) and per area the means of those PCNs. Areas match by code. A fixed
    number of queries whatever the number of PCNs."""
    areas = areas_of(rnd)
    if rnd.baseline_id is None:
        return [], []
    old_rows = {r.pcn.pk: r for r in heatmap(rnd.baseline, pcns, areas_of(rnd.baseline)) if r.submitted}
    rows = heatmap(rnd, pcns, areas)
    per_area: list[list[tuple[float, float]]] = [[] for _ in areas]
    out_pcns = []
    for row in rows:
        old = old_rows.get(row.pcn.pk)
        if not row.submitted or old is None:
            out_pcns.append(PCNChange(row.pcn, False, [None] * len(areas)))
            continue
        before = {c.area.code: c.current_score for c in old.cells}
        changes = []
        for i, cell in enumerate(row.cells):
            then = before.get(cell.area.code)
            if then is None or cell.current_score is None:
                changes.append(None)
                continue
            per_area[i].append((then, cell.current_score))
            changes.append(round(cell.current_score - then, 1))
        out_pcns.append(PCNChange(row.pcn, True, changes))
    summary = []
    for area, pairs in zip(areas, per_area, strict=True):
        diffs = [round(now - then, 1) for then, now in pairs]
        summary.append(
            AreaChange(
                area.code,
                area.title,
                len(pairs),
                _mean([t for t, _ in pairs]),
                _mean([n for _, n in pairs]),
                sum(1 for d in diffs if d > 0),
                sum(1 for d in diffs if d == 0),
                sum(1 for d in diffs if d < 0),
            )
        )
    return summary, out_pcns


def assessment_for(rnd: AssessmentRound, pcn) -> PCNAssessment:
    """The PCN's assessment in the round, created when first needed (the PCN must be in the round's scope)."""
    if not rnd.pcns().filter(pk=pcn.pk).exists():
        raise ValueError(f"{pcn} is not in the scope of {rnd}")
    try:
        with transaction.atomic():
            assessment, _ = PCNAssessment.objects.get_or_create(round=rnd, pcn=pcn)
    except IntegrityError:  # created by a concurrent request
        assessment = PCNAssessment.objects.get(round=rnd, pcn=pcn)
    assessment.round, assessment.pcn = rnd, pcn
    return assessment
