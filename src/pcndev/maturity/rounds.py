"""Opening assessment rounds for a scope (England, a system or a place) and finding each PCN's assessment."""

import datetime

from django.db import IntegrityError, transaction

from pcndev.accounts.scope import MANAGER_ROLES, scope_for
from pcndev.audit.services import record
from pcndev.maturity.models import AssessmentRound, MatrixTemplate, PCNAssessment
from pcndev.orgs.models import Place, System


class RoundError(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(m for _, m in problems))


def default_window(financial_year: int) -> tuple[datetime.date, datetime.date]:
    """September, as the guidance asks."""
    return datetime.date(financial_year, 9, 1), datetime.date(financial_year, 9, 30)


def scope_choices(user) -> list[tuple[str, str]]:
    """Where the user may open a round: England (national admins), or systems and places they lead."""
    managers = scope_for(user, MANAGER_ROLES)
    choices = [("national", "England (every PCN)")] if managers.national else []
    choices += [
        (f"system:{s.code}", s.name) for s in System.objects.filter(managers.systems()).order_by("name")
    ]
    choices += [(f"place:{p.code}", p.name) for p in Place.objects.filter(managers.places()).order_by("name")]
    return choices


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
        },
    )
    return rnd


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
