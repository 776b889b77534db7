"""The support-plan workflow as one table, plain data. Buttons, "awaiting my action" and the transition service
all read it; nothing else decides which state follows which.

Parties are who acts: the PCN's clinical director(s) ("cd"), the place lead ("place") and the system lead
("system"), each for the plan's own PCN, place or system.
"""

from dataclasses import dataclass

DRAFT = "draft"
SUBMITTED = "submitted"
CHANGES_REQUESTED = "changes_requested"
AGREED = "agreed"
COMMITTEE_APPROVED = "committee_approved"
FUNDS_RELEASED = "funds_released"
IN_DELIVERY = "in_delivery"
CLOSED = "closed"
SUPERSEDED = "superseded"  # an approved version replaced by a revision the committee approved

STATES = {
    DRAFT: "Draft",
    SUBMITTED: "Submitted for agreement",
    CHANGES_REQUESTED: "Changes requested",
    AGREED: "Agreed",
    COMMITTEE_APPROVED: "Approved by committee",
    FUNDS_RELEASED: "Funds released",
    IN_DELIVERY: "In delivery",
    CLOSED: "Closed",
    SUPERSEDED: "Superseded by a revised plan",
}
EDITABLE = (DRAFT, CHANGES_REQUESTED)
# A version in force: agreed and not yet replaced. Reviews and the journey read the latest of these.
IN_FORCE = (AGREED, COMMITTEE_APPROVED, FUNDS_RELEASED, IN_DELIVERY, CLOSED)
# A revision may be opened from these (the plan is being delivered).
REVISABLE = (FUNDS_RELEASED, IN_DELIVERY)
DELIVERING = (FUNDS_RELEASED, IN_DELIVERY, CLOSED)


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    parties: tuple[str, ...]
    label: str
    needs_comment: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", DRAFT, SUBMITTED, ("cd",), "Submit for agreement"),
    Transition("request_changes", SUBMITTED, CHANGES_REQUESTED, ("place", "system"), "Request changes", True),
    Transition("revise", CHANGES_REQUESTED, DRAFT, ("cd",), "Revise the plan"),
    # Sign-off: "agree" moves to AGREED only when every required party has agreed; until then the state stays.
    Transition("agree", SUBMITTED, AGREED, ("cd", "place", "system"), "Agree the plan"),
    Transition("decline", SUBMITTED, DRAFT, ("cd", "place", "system"), "Decline", True),
    Transition("approve", AGREED, COMMITTEE_APPROVED, ("place",), "Record the committee's approval"),
    Transition("release", COMMITTEE_APPROVED, FUNDS_RELEASED, ("place",), "Release funds to the payee"),
    Transition("start_delivery", FUNDS_RELEASED, IN_DELIVERY, ("cd", "place"), "Start delivery"),
    Transition("close", IN_DELIVERY, CLOSED, ("place",), "Close the plan"),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}
# Not a button: when the committee approves a revision, the version it revises (being delivered) is superseded.
SUPERSEDED_FROM = REVISABLE


def transitions_from(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == state]


def required_parties(requires_system: bool) -> tuple[str, ...]:
    return ("cd", "place", "system") if requires_system else ("cd", "place")


def agreed_by_all(signoffs: dict[str, str], requires_system: bool) -> bool:
    """signoffs: party -> "agree" / "decline" / "" for the submitted version."""
    return all(signoffs.get(p) == "agree" for p in required_parties(requires_system))
