"""The programme timetable, pure: default phase dates from the seeds' calendar, and resolving a PCN's dates.

A phase's dates come from the most specific source: the PCN's place override beats its system's override, which
beats the programme's own phase. Imports nothing from Django.
"""

import datetime
from dataclasses import dataclass

SELF_ASSESSMENT = "self_assessment"
PLAN_AGREEMENT = "plan_agreement"
MOBILISATION = "mobilisation"
DELIVERY = "delivery"
YEAR_END = "year_end"

KINDS = {
    SELF_ASSESSMENT: "Self-assessment",
    PLAN_AGREEMENT: "Plan agreement",
    MOBILISATION: "Mobilisation",
    DELIVERY: "Delivery and review",
    YEAR_END: "Year-end review",
}


@dataclass(frozen=True)
class Dates:
    starts_on: datetime.date
    ends_on: datetime.date


def default_dates(financial_year: int) -> dict[str, Dates]:
    """The seeds' calendar for the programme year starting in April `financial_year`."""
    y, n = financial_year, financial_year + 1
    d = datetime.date
    return {
        SELF_ASSESSMENT: Dates(d(y, 9, 1), d(y, 9, 30)),
        PLAN_AGREEMENT: Dates(d(y, 10, 1), d(y, 11, 15)),
        MOBILISATION: Dates(d(y, 10, 1), d(y, 10, 31)),
        DELIVERY: Dates(d(y, 10, 1), d(n, 3, 31)),
        YEAR_END: Dates(d(n, 3, 1), d(n, 3, 31)),
    }


def resolve(
    programme: dict[str, Dates],
    system: dict[str, Dates] | None = None,
    place: dict[str, Dates] | None = None,
) -> dict[str, Dates]:
    """Each phase's dates for one PCN: place override, else system override, else the programme's."""
    out = {}
    for kind, dates in programme.items():
        out[kind] = (place or {}).get(kind) or (system or {}).get(kind) or dates
    return out
