"""One dashboard: a programme, a node the user may open, and today. The page and the API both build it here, so
they show the same figures from the same functions; views only render it."""

import datetime
from dataclasses import dataclass

from pcndev.dashboards import figures as fg
from pcndev.dashboards.actions import Action, awaiting_actions, overdue_actions
from pcndev.dashboards.maturity_change import MaturityChange, change_since_baseline
from pcndev.dashboards.nodes import Node, pcns_under
from pcndev.delivery.services import facts_for, overdue_for


@dataclass(frozen=True)
class Dashboard:
    programme: object
    node: Node
    today: datetime.date
    rows: list[fg.PcnFigures]  # per PCN, by name
    total: fg.Tally
    children: list[tuple[object, fg.Tally]]  # per child node at node.child_level
    overdue: list[Action]  # oldest first
    awaiting: list[Action]
    maturity: MaturityChange | None

    @property
    def overdue_by_what(self) -> list[tuple[str, int]]:
        """Overdue items counted by what is to be done (e.g. "Release the funds"), most first."""
        counts: dict[str, int] = {}
        for a in self.overdue:
            what = "Submit progress reviews" if a.key.startswith("review:") else a.what
            counts[what] = counts.get(what, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def build(user, programme, node: Node, today: datetime.date) -> Dashboard:
    pcns = pcns_under(user, node)
    journey = facts_for(programme, pcns.select_related("place__system__region"))[:2]
    ids = {p.pk for p in journey[0]}
    overdue = overdue_for(programme, *journey, today)
    rows = fg.pcn_figures(programme, pcns, overdue, journey)
    plans = {r.pcn.pk: (r.plan_version_id, r.plan_state) for r in rows}
    return Dashboard(
        programme=programme,
        node=node,
        today=today,
        rows=rows,
        total=fg.tally(rows),
        children=fg.breakdown(rows, node.child_level),
        overdue=overdue_actions(programme, overdue, plans, today),
        awaiting=awaiting_actions(user, programme, ids),
        maturity=change_since_baseline(programme, list(ids)),
    )
