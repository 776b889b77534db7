"""The six-step PCN journey (seed 004), derived from data and never typed in.

1. Establishing the PCN: done when the PCN has member practices and at least one clinical director.
2. Setting the vision: done when a self-assessment for the programme's year is submitted with a
   service-improvement priority.
3. What help is required: done when the PCN's current plan version is agreed or later (agreed, committee approved,
   funds released, in delivery, closed). A plan that was agreed once and then sent back does not count: only the
   current version's state is read, so a later decline or revision undoes the step until it is agreed again.
4. Who can provide the help (existing funds first): done when step 3 is done, the current version has initiatives,
   every one has a funding source, and existing funds were considered for each (existing_funds_checked, or the
   funding source is existing funds).
5. Implementation: done when funds are released (funds released, in delivery or closed).
6. Are the goals being achieved: done when the plan is closed, or when funds are released and the last scheduled
   progress review (March by default) is submitted; until then the PCN is reviewing progress.

The plan's state is its version in force (the latest agreed or later, not superseded) when it has one, so a
revision being drafted or declined does not undo the steps the agreed plan reached; without one, the latest
version's (a first plan agreed by the CD and then declined by the place lead is back in draft: step 3 is not done).

The current step is the first step not done; when all six are done, none is current.
Imports nothing from Django.
"""

import datetime
from dataclasses import dataclass, field

STEPS = (
    "Establishing the PCN",
    "Setting the vision",
    "What help is required",
    "Who can provide the help (existing funds first)",
    "Implementation",
    "Are the goals being achieved",
)
AGREED_OR_LATER = ("agreed", "committee_approved", "funds_released", "in_delivery", "closed")
RELEASED_OR_LATER = ("funds_released", "in_delivery", "closed")


@dataclass(frozen=True)
class Facts:
    practices: int = 0
    clinical_directors: int = 0
    assessment_submitted: bool = False
    improvement_priority: str = ""
    plan_state: str | None = None  # the current (latest) version's state
    initiatives: tuple[tuple[str, bool], ...] = field(default=())  # (funding_source, existing_funds_checked)
    review_due: tuple[datetime.date, ...] = ()  # the programme's review dates
    reviews_submitted: tuple[datetime.date, ...] = ()  # due dates of the PCN's submitted reviews
    released_on: datetime.date | None = None  # the first release of funds to the payee


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    done: bool
    current: bool


def _done(f: Facts) -> list[bool]:
    agreed = f.plan_state in AGREED_OR_LATER
    funded = (
        agreed
        and bool(f.initiatives)
        and all(source and (checked or source == "existing") for source, checked in f.initiatives)
    )
    return [
        f.practices > 0 and f.clinical_directors > 0,
        f.assessment_submitted and bool(f.improvement_priority.strip()),
        agreed,
        funded,
        f.plan_state in RELEASED_OR_LATER,
        f.plan_state == "closed"
        or (
            f.plan_state in RELEASED_OR_LATER
            and bool(f.review_due)
            and max(f.review_due) in set(f.reviews_submitted)
        ),
    ]


def journey(facts: Facts) -> list[Step]:
    done = _done(facts)
    current = next((i for i, d in enumerate(done) if not d), None)
    return [Step(i + 1, STEPS[i], d, i == current) for i, d in enumerate(done)]


def current_step(facts: Facts) -> int | None:
    """The number of the current step (1–6), or None when every step is done."""
    return next((s.number for s in journey(facts) if s.current), None)
