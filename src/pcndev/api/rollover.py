"""Year rollover in the API: the dry run, starting the next year, and a PCN across the years.

Scoped as the pages are: the dry run lists the PCNs your roles reach and says whether you may start the rollover
(and if not, why); starting it is for a national administrator, once per programme (403 with the reason); the
multi-year view is for anyone whose roles reach the PCN (404 otherwise)."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from pcndev.delivery.multi_year import years_for
from pcndev.delivery.rollover import default_name, default_total, preview
from pcndev.delivery.rollover_forms import list_size_dates
from pcndev.delivery.rollover_writes import RolloverProblems, RolloverRefused, start_rollover
from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN

router = Router(tags=["rollover"])


class DecisionOut(Schema):
    allowed: bool
    reason: str


class RolloverProblem(Schema):
    detail: str
    reasons: list[str] = []
    fields: dict[str, str] = Field({}, description="The first problem per input, by input name")


class CarriedItemOut(Schema):
    initiative: int
    title: str
    funding_source: str
    status: str | None = Field(description="The latest submitted review's status; null when never reviewed")
    cost_pence: int
    spent_pence: int
    remaining_pence: int
    carried_pence: int = Field(
        description="Money that moves with it: 0 for existing funds or if never released"
    )


class CarriedPCNOut(Schema):
    pcn: str
    name: str
    place: str
    plan_version: int = Field(description="The id of the plan version in force the initiatives come from")
    remaining_pence: int
    carried_pence: int
    initiatives: list[CarriedItemOut]


class RoundCopyOut(Schema):
    name: str
    scope: str
    template: int
    baseline: int
    opens_on: datetime.date
    closes_on: datetime.date


class PreviewOut(Schema):
    programme: int
    year_label: str
    next_year_label: str
    start: DecisionOut = Field(description="Whether you may start the next year, and if not why")
    default_name: str
    default_national_total_pence: int
    list_size_dates: list[datetime.date]
    initiatives: int
    remaining_pence: int
    carried_pence: int
    pcns: list[CarriedPCNOut]
    rounds: list[RoundCopyOut]


class RolloverIn(Schema):
    name: str = Field(description="The new programme's name, like PCN development support 2020/21")
    national_total_pence: int = Field(description="More than 0; 4370000000 (£43.7m) for 2020/21")
    list_size_date: datetime.date | None = Field(None, description="Defaults to the newest list sizes held")
    open_rounds: bool = Field(True, description="Also open next year's September self-assessment rounds")


class CarryOut(Schema):
    pcn: str
    initiatives: int
    remaining_pence: int
    carried_pence: int
    plan_version: int | None


class RolloverOut(Schema):
    programme: int
    name: str
    year_label: str
    rolled_over_from: int
    carried: list[CarryOut]
    rounds: list[int]


class CarriedInitiativeOut(Schema):
    initiative: int
    title: str
    plan_version: int
    cost_pence: int
    from_initiative: int
    from_plan_version: int
    from_year_label: str
    from_cost_pence: int


class YearOut(Schema):
    programme: int
    name: str
    year_label: str
    allocated_pence: int
    top_ups_pence: int = Field(description="Local top-ups, not counting money carried in")
    carried_in_pence: int
    committed_pence: int
    released_pence: int
    spent_pence: int
    returned_pence: int = Field(description="Underspend returned, not counting money carried out")
    carried_out_pence: int
    plan_version: int | None
    plan_state: str | None
    carried_in: list[CarriedInitiativeOut]


class MultiYearOut(Schema):
    pcn: str
    name: str
    years: list[YearOut]


def _problems(detail: str, problems: list[tuple[str, str]]):
    fields: dict[str, str] = {}
    for field, message in problems:
        fields.setdefault(field, message)
    return Status(422, {"detail": detail, "reasons": [m for _, m in problems], "fields": fields})


@router.get("/programmes/{pk}/rollover", response=PreviewOut, operation_id="pcndev_api_rollover_preview")
def rollover_preview(request, pk: int):
    """The dry run: per PCN you can see, the unfinished initiatives that would be carried, with their cost, spend,
    remaining budget and the money carried; the rounds that would open; and whether you may start it."""
    programme = get_object_or_404(Programme, pk=pk)
    dry = preview(request.user, programme)
    return {
        "programme": programme.pk,
        "year_label": programme.year_label,
        "next_year_label": dry.next_label,
        "start": {"allowed": bool(dry.decision), "reason": dry.decision.reason},
        "default_name": default_name(programme),
        "default_national_total_pence": default_total(programme),
        "list_size_dates": list_size_dates(),
        "initiatives": dry.initiatives,
        "remaining_pence": dry.remaining_pence,
        "carried_pence": dry.carried_pence,
        "pcns": [
            {
                "pcn": r.pcn.code,
                "name": r.pcn.name,
                "place": r.pcn.place.code,
                "plan_version": r.version.pk,
                "remaining_pence": r.remaining_pence,
                "carried_pence": r.carried_pence,
                "initiatives": [
                    {
                        "initiative": i.initiative.pk,
                        "title": i.initiative.title,
                        "funding_source": i.initiative.funding_source,
                        "status": i.status,
                        "cost_pence": i.cost_pence,
                        "spent_pence": i.spent_pence,
                        "remaining_pence": i.remaining_pence,
                        "carried_pence": i.carried_pence,
                    }
                    for i in r.items
                ],
            }
            for r in dry.rows
        ],
        "rounds": [
            {
                "name": c.name,
                "scope": c.source.scope_label,
                "template": c.template.pk,
                "baseline": c.baseline.pk,
                "opens_on": c.window[0],
                "closes_on": c.window[1],
            }
            for c in dry.rounds
        ],
    }


@router.post(
    "/programmes/{pk}/rollover",
    response={201: RolloverOut, 403: RolloverProblem, 422: RolloverProblem},
    operation_id="pcndev_api_rollover_start",
)
def rollover_start(request, pk: int, body: RolloverIn):
    """Start the next year (national administrators, once per programme): the new programme, the carried money
    (returned here, topped up there) and each PCN's draft plan of carried initiatives, in one transaction."""
    programme = get_object_or_404(Programme, pk=pk)
    dates = list_size_dates()
    as_of = body.list_size_date or (dates[0] if dates else None)
    try:
        done = start_rollover(
            request.user, programme, body.name, body.national_total_pence, as_of, body.open_rounds
        )
    except RolloverRefused as exc:
        return Status(403, {"detail": exc.reason, "reasons": [exc.reason]})
    except RolloverProblems as exc:
        return _problems("Check the new programme", exc.problems)
    version_of = {v.plan.pcn_id: v.pk for v in done.versions}
    return Status(
        201,
        {
            "programme": done.programme.pk,
            "name": done.programme.name,
            "year_label": done.programme.year_label,
            "rolled_over_from": programme.pk,
            "carried": [
                {
                    "pcn": c.pcn.code,
                    "initiatives": c.initiatives,
                    "remaining_pence": c.remaining_pence,
                    "carried_pence": c.amount_pence,
                    "plan_version": version_of.get(c.pcn_id),
                }
                for c in done.carried
            ],
            "rounds": [r.pk for r in done.rounds],
        },
    )


@router.get("/pcns/{code}/years", response=MultiYearOut, operation_id="pcndev_api_rollover_multi_year")
def multi_year(request, code: str):
    """The PCN in every programme year it has money or a plan in, with the initiatives carried into each year."""
    pcn = get_visible_or_404(request.user, PCN, code=code)
    years = []
    for y in years_for(pcn):
        if not y.has_anything:
            continue
        b = y.balances
        years.append(
            {
                "programme": y.programme.pk,
                "name": y.programme.name,
                "year_label": y.programme.year_label,
                "allocated_pence": y.allocated_pence,
                "top_ups_pence": y.top_ups_pence,
                "carried_in_pence": y.carried_in_pence,
                "committed_pence": b.committed,
                "released_pence": b.released,
                "spent_pence": b.spent,
                "returned_pence": y.returned_pence,
                "carried_out_pence": y.carried_out_pence,
                "plan_version": y.version.pk if y.version else None,
                "plan_state": y.version.state if y.version else None,
                "carried_in": [
                    {
                        "initiative": i.pk,
                        "title": i.title,
                        "plan_version": i.version_id,
                        "cost_pence": i.cost_pence,
                        "from_initiative": i.carried_forward_from_id,
                        "from_plan_version": i.carried_forward_from.version_id,
                        "from_year_label": i.carried_forward_from.version.plan.programme.year_label,
                        "from_cost_pence": i.carried_forward_from.cost_pence,
                    }
                    for i in y.carried_in
                ],
            }
        )
    return {"pcn": pcn.code, "name": pcn.name, "years": years}
