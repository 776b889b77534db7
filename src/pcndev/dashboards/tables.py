"""The dashboard's tables, defined once: the page renders them (beside each chart, as its alternative) and the same
rows download as CSV or XLSX through pcndev.exports. Money cells hold pence."""

from dataclasses import dataclass, field

from django.urls import reverse

from pcndev.dashboards import figures as fg
from pcndev.dashboards.nodes import LEVEL_LABEL
from pcndev.exports import Column


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    columns: list[Column]
    rows: list[list]
    links: list[str | None] = field(default_factory=list)  # per row: where its first cell links (page only)
    total: list | None = None


def _pct(part: int, whole: int) -> int | None:
    return None if not whole else round(100 * part / whole)


def actions_table(d) -> Table:
    columns = [Column("PCN"), Column("Action"), Column("Due"), Column("Days overdue"), Column("Who holds it")]
    return Table(
        "overdue",
        "Overdue actions, oldest first",
        columns,
        [[a.pcn.name, a.what, a.due, a.days_overdue, a.holder] for a in d.overdue],
        [a.href for a in d.overdue],
    )


def assessment_table(d) -> Table:
    t = d.total
    return Table(
        "assessment",
        "PCNs with a submitted self-assessment",
        [Column("Self-assessment"), Column("PCNs"), Column("Per cent of PCNs")],
        [
            ["Submitted", t.assessed, _pct(t.assessed, t.pcns)],
            ["Not submitted", t.not_assessed, _pct(t.not_assessed, t.pcns)],
        ],
        total=["All PCNs", t.pcns, 100 if t.pcns else None],
    )


def plans_table(d) -> Table:
    rows = [[label, n] for _, label, n in d.total.plan_counts()]
    return Table(
        "plans",
        "PCNs by the state of their latest plan version",
        [Column("Plan state"), Column("PCNs")],
        rows,
        total=["All PCNs", d.total.pcns],
    )


def money_table(d) -> Table:
    m, t = d.total.money, d.total
    rows = [
        ["Allocated", m.allocated],
        ["Local top-ups", m.topped_up],
        ["Funds (allocated and top-ups)", m.funds],
        ["Committed", m.committed],
        ["Released to payees", m.released],
        ["Spent", m.spent],
        ["Returned underspend", m.returned],
        ["Underspend: funds not spent", t.underspend],
        ["Underspend: released and not spent", t.released_unspent],
    ]
    return Table("money", "Money from the ledger", [Column("Figure"), Column("Amount", money=True)], rows)


def rag_table(d) -> Table:
    t = d.total
    rows = [[label, n] for _, label, n in t.rag_counts()]
    return Table(
        "rag",
        "Initiatives by RAG rating in each plan's latest submitted progress review",
        [Column("RAG rating"), Column("Initiatives")],
        rows,
        total=["All initiatives", sum(t.rag.values())],
    )


def journey_table(d) -> Table:
    rows = [[label, n] for label, n in zip(fg.STEP_LABELS, d.total.steps, strict=True)]
    return Table(
        "journey",
        "PCNs at each current step of the six-step journey",
        [Column("Current step"), Column("PCNs")],
        rows,
        total=["All PCNs", d.total.pcns],
    )


def maturity_table(d) -> Table:
    areas = d.maturity.areas if d.maturity else []
    return Table(
        "maturity",
        "Change in mean stage since the baseline, by area",
        [
            Column("Area"),
            Column("PCNs compared"),
            Column("Mean stage at the baseline"),
            Column("Mean stage now"),
            Column("Change"),
            Column("PCNs moved up"),
            Column("PCNs the same"),
            Column("PCNs moved down"),
        ],
        [
            [a.title, a.compared, a.baseline_mean, a.current_mean, a.change, a.improved, a.unchanged, a.fell]
            for a in areas
        ],
    )


BREAKDOWN_COLUMNS = [
    Column("ODS code"),
    Column("PCNs"),
    Column("Self-assessed"),
    Column("Plans agreed or later"),
    Column("No plan yet"),
    Column("Allocated", money=True),
    Column("Committed", money=True),
    Column("Released", money=True),
    Column("Spent", money=True),
    Column("Underspend", money=True),
    Column("Red"),
    Column("Amber"),
    Column("Overdue actions"),
]


def _figures(t: fg.Tally) -> list:
    m = t.money
    return [
        t.pcns,
        t.assessed,
        t.agreed_or_later,
        t.plans[fg.NO_PLAN],
        m.allocated,
        m.committed,
        m.released,
        m.spent,
        t.underspend,
        t.rag["red"],
        t.rag["amber"],
        t.overdue,
    ]


def child_href(programme, child_level: str, child) -> str:
    """A child's own dashboard, or for a PCN its journey page (PCNs have no dashboard)."""
    if child_level == "pcn":
        return reverse("delivery:pcn-journey", args=[programme.pk, child.code])
    return reverse("dashboards:node", args=[programme.pk, child_level, child.code])


def breakdown_table(d) -> Table:
    level = d.node.child_level
    label = LEVEL_LABEL[level]
    return Table(
        "breakdown",
        f"Key figures by {label.lower()}",
        [Column(label), *BREAKDOWN_COLUMNS],
        [[child.name, child.code, *_figures(t)] for child, t in d.children],
        [child_href(d.programme, level, child) for child, _ in d.children],
        total=["Total", "", *_figures(d.total)],
    )


BUILDERS = {
    "overdue": actions_table,
    "assessment": assessment_table,
    "plans": plans_table,
    "money": money_table,
    "rag": rag_table,
    "journey": journey_table,
    "maturity": maturity_table,
    "breakdown": breakdown_table,
}


def all_tables(d) -> dict[str, Table]:
    return {key: build(d) for key, build in BUILDERS.items()}


def export_rows(table: Table) -> list[list]:
    return table.rows + ([table.total] if table.total else [])
