"""Review rules, pure: initiative statuses, RAG ratings and what a review update must say. Imports nothing from
Django.

- Every initiative gets a status; every initiative that has started (not "not started") gets a RAG rating.
- Amber or red needs a reason; so does any change of RAG since the last submitted review.
- A completed initiative is green or amber (red means it has not delivered: mark it stopped instead).
- Spend to date is cumulative: it cannot fall below what was reported before (a correction is a ledger reversal),
  and cannot exceed the initiative's cost without a reason.
"""

from dataclasses import dataclass

from pcndev.config.formatting import format_pence as pounds

STATUSES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "completed": "Completed",
    "paused": "Paused",
    "stopped": "Stopped",
}
UNFINISHED = ("not_started", "in_progress", "paused")
RAGS = {"green": "Green: on track", "amber": "Amber: at risk", "red": "Red: off track"}
RANK = {"green": 0, "amber": 1, "red": 2}
ACHIEVED = {"": "Not yet known", "yes": "Achieved", "partly": "Partly achieved", "no": "Not achieved"}


@dataclass(frozen=True)
class Update:
    status: str
    rag: str
    reason: str
    spend_to_date_pence: int
    cost_pence: int
    previous_rag: str = ""
    previous_spend_pence: int = 0


def problems(u: Update, title: str) -> list[tuple[str, str]]:
    """(field, message) for everything wrong with one initiative's update; empty when it may be submitted."""
    out = []
    if u.status not in STATUSES:
        out.append(("status", f"{title}: select a status"))
    if u.rag and u.rag not in RAGS:
        out.append(("rag", f"{title}: select green, amber or red"))
    if u.status != "not_started" and not u.rag:
        out.append(("rag", f"{title}: give a RAG rating (it has started)"))
    reason = u.reason.strip()
    if u.rag in ("amber", "red") and not reason:
        out.append(("rag_reason", f"{title}: say why it is {u.rag}"))
    elif u.previous_rag and u.rag and u.rag != u.previous_rag and not reason:
        out.append(("rag_reason", f"{title}: say why it moved from {u.previous_rag} to {u.rag}"))
    if u.status == "completed" and u.rag == "red":
        out.append(
            ("rag", f"{title}: a completed initiative cannot be red; mark it stopped if it did not deliver")
        )
    if u.spend_to_date_pence < 0:
        out.append(("spend", f"{title}: spend to date cannot be negative"))
    elif u.spend_to_date_pence < u.previous_spend_pence:
        out.append(
            (
                "spend",
                f"{title}: spend to date cannot go down (it was reported as {pounds(u.previous_spend_pence)}); "
                "correct an earlier report by reversing its ledger entry",
            )
        )
    elif u.spend_to_date_pence > u.cost_pence and not reason:
        out.append(
            (
                "spend",
                f"{title}: spend to date is more than its cost ({pounds(u.cost_pence)}); say why in the reason",
            )
        )
    return out


def trend(previous: str, current: str) -> str:
    """ "better", "worse", "same" or "" (no earlier rating to compare)."""
    if not previous or not current:
        return ""
    diff = RANK[current] - RANK[previous]
    return "same" if diff == 0 else ("worse" if diff > 0 else "better")


def spend_increase(u: Update) -> int:
    """What a submitted update adds to reported spend in the ledger (never negative)."""
    return max(u.spend_to_date_pence - u.previous_spend_pence, 0)
