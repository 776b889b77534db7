"""Overdue and soon-due actions for a PCN, from its journey facts, its resolved timetable and today. Pure.

- Self-assessment not submitted once the self-assessment phase has ended: the PCN's clinical director.
- Plan not agreed once plan agreement has ended: the CD while the plan is unstarted or being drafted, the
  sign-off parties (CD and place lead) once it is submitted.
- Funds not released once mobilisation has ended: the place lead (committee approval, then release).
- A progress review not submitted by its due date, once funds are released: the CD (who records it with the
  place lead). Each due date on or after the first release is its own item.

An action is "due soon" when its phase ends within SOON_DAYS of today and it is not done.
"""

import datetime
from dataclasses import dataclass

from pcndev.config.formatting import format_date
from pcndev.delivery import timetable as tt
from pcndev.delivery.journey import AGREED_OR_LATER, RELEASED_OR_LATER, Facts

SOON_DAYS = 7
CD = "cd"
PLACE = "place"
SIGNOFF = "signoff"
HOLDERS = {CD: "PCN clinical director", PLACE: "Place lead", SIGNOFF: "Clinical director and place lead"}


@dataclass(frozen=True)
class Item:
    key: str  # stable: e.g. "self_assessment"
    what: str
    phase: str
    due: datetime.date
    holder: str  # one of HOLDERS
    overdue: bool  # False: due within SOON_DAYS

    @property
    def holder_label(self) -> str:
        return HOLDERS[self.holder]


def _plan_holder(state: str | None) -> str:
    return SIGNOFF if state == "submitted" else CD


def _release_holder(state: str | None) -> str:
    return PLACE if state in AGREED_OR_LATER else _plan_holder(state)


def items(facts: Facts, dates: dict[str, tt.Dates], today: datetime.date, soon: bool = False) -> list[Item]:
    """Overdue items (and, with soon=True, those due within SOON_DAYS) in phase order."""
    checks = [
        (
            "self_assessment",
            "Submit the PCN's self-assessment",
            tt.SELF_ASSESSMENT,
            facts.assessment_submitted,
            CD,
        ),
        (
            "plan_agreed",
            "Agree the support plan",
            tt.PLAN_AGREEMENT,
            facts.plan_state in AGREED_OR_LATER,
            _plan_holder(facts.plan_state),
        ),
        (
            "funds_released",
            "Release the funds",
            tt.MOBILISATION,
            facts.plan_state in RELEASED_OR_LATER,
            _release_holder(facts.plan_state),
        ),
    ]
    checks = [(*c, dates[c[2]].ends_on) for c in checks if c[2] in dates]
    if facts.plan_state in RELEASED_OR_LATER and facts.plan_state != "closed":
        submitted = set(facts.reviews_submitted)
        checks += [
            (
                f"review:{d.isoformat()}",
                f"Submit the progress review due {format_date(d)}",
                tt.DELIVERY,
                d in submitted,
                CD,
                d,
            )
            for d in facts.review_due
            if facts.released_on is None or d >= facts.released_on
        ]
    out = []
    for key, what, phase, done, holder, due in checks:
        if done:
            continue
        if today > due:
            out.append(Item(key, what, phase, due, holder, True))
        elif soon and (due - today).days <= SOON_DAYS:
            out.append(Item(key, what, phase, due, holder, False))
    return out
