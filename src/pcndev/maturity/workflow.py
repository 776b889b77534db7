"""The self-assessment state table, plain data: which action moves which record from which state to which.

Buttons and the transition service (assessing.transition) both read this table.
"""

from dataclasses import dataclass

DRAFT, SUBMITTED, IN_PROGRESS = "draft", "submitted", "in_progress"


@dataclass(frozen=True)
class Action:
    name: str
    record: str  # "response" (one rater's ratings) or "assessment" (the PCN's consensus)
    source: str
    target: str
    label: str
    needs_reason: bool = False


ACTIONS = {
    a.name: a
    for a in (
        Action("submit_response", "response", DRAFT, SUBMITTED, "Submit ratings"),
        Action("reopen_response", "response", SUBMITTED, DRAFT, "Change ratings"),
        Action("submit_assessment", "assessment", IN_PROGRESS, SUBMITTED, "Submit the PCN's self-assessment"),
        Action("reopen_assessment", "assessment", SUBMITTED, IN_PROGRESS, "Reopen the self-assessment", True),
    )
}


def available(record: str, state: str) -> list[Action]:
    return [a for a in ACTIONS.values() if a.record == record and a.source == state]
