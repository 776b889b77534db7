"""Rows of the support plans `pcndev scale-data` writes: initiatives with their measures, the committee's
commitments and the releases in the ledger, and writing every table in dependency order (see
`scale_plans`)."""

import datetime
from typing import NamedTuple

from pcndev.funding.allocation import largest_remainder
from pcndev.funding.models import LedgerEntry
from pcndev.ops.scale_catalogue import CATALOGUE
from pcndev.plans.models import (
    CDDevelopmentItem,
    CDDevelopmentPlan,
    CommitteeApproval,
    CommitteeDecision,
    Initiative,
    OutputMeasure,
    PlanVersion,
    Release,
    SignOff,
    SupportPlan,
)

COMMITTEE = "Primary Care Commissioning Committee"
D = datetime.date


def at(day: D, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


class Planned(NamedTuple):
    id: int
    cost: int
    source: str
    start: D
    end: D
    measures: list[int]
    title: str


def months(rng) -> tuple[D, D]:
    start = D(2019, rng.choice((10, 11, 11, 12)), 1)
    end_month = min(start.month + rng.randint(2, 5), 15)
    return start, D(2019 + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)


class Rows(dict):
    def add(self, name: str, row: tuple) -> None:
        self.setdefault(name, []).append(row)


class Catalogue:
    """The matrix's areas and elements by area code, and the programme's support domains by code."""

    def __init__(self, elements, domains: dict[str, int]):
        self.areas = {e.area.code: e.area for e in elements}
        self.elements: dict[str, list[int]] = {}
        for e in elements:
            self.elements.setdefault(e.area.code, []).append(e.pk)
        self.domains = domains


def initiatives(bulk, rng, rows, facts, version: tuple, budget: tuple[int, int], catalogue: Catalogue):
    """5-10 initiatives for the version (id, CD user) within its budget (development money, local top-ups)."""
    (version_id, cd), (dev, local) = version, budget
    areas, elements_by_area, domains = catalogue.areas, catalogue.elements, catalogue.domains
    picks = rng.sample(CATALOGUE, rng.randint(5, 10))
    sources = ["programme"] * len(picks)
    if rng.random() < 0.2:
        sources[-1] = "existing"
    if local and len(picks) > 1:
        sources[0] = "top_up"
    funded = [n for n, s in enumerate(sources) if s == "programme"]
    budget_units = dev * rng.randint(80, 100) // 100 // 10_000  # £100 units
    weights = [rng.randint(2, 10) for _ in funded]
    shares = largest_remainder(budget_units, weights, [str(n) for n in funded]) if funded else []
    costs = {n: u * 10_000 for n, u in zip(funded, shares, strict=True)}
    out = []
    for n, (pick, source) in enumerate(zip(picks, sources, strict=True)):
        cost = (
            costs.get(n)
            if source == "programme"
            else (local * rng.randint(60, 100) // 100 if source == "top_up" else rng.randint(20, 80) * 100_00)
        )
        iid = bulk.ids(Initiative, 1)[0]
        start, end = months(rng)
        area = areas[pick.area]
        rows.add(
            "initiative",
            (
                iid,
                version_id,
                n,
                pick.title,
                pick.description,
                area.pk,
                domains[pick.domain],
                pick.tag,
                pick.support,
                rng.choices(("nhs_family", "federation", "independent"), (45, 35, 20))[0],
                source,
                cost,
                start,
                end,
                pick.category,
                rng.random() < 0.97 or source == "existing",
            ),
        )
        for element_id in rng.sample(elements_by_area[pick.area], rng.randint(1, 2)):
            rows.add("elements", (iid, element_id))
        measure_ids = []
        for k, (description, target) in enumerate(pick.measures[: rng.randint(1, len(pick.measures))]):
            mid = bulk.ids(OutputMeasure, 1)[0]
            measure_ids.append(mid)
            rows.add("measure", (mid, iid, k, description, target, end.replace(day=28)))
        out.append(Planned(iid, cost, source, start, end, measure_ids, pick.title))
        facts.initiatives.append((iid, version_id, cd, pick.title))
    return out


def money(bulk, rows, programme, plan, initiatives, meeting, lead, released) -> None:
    """The committee's approval and its commitments; the release to the payee when funds were released."""
    version_id, pcn_id, name, code, payee = plan
    decision_id, day, minute = meeting
    totals = {"national": 0, "local": 0}
    for i in initiatives:
        if i.source != "existing":
            totals["national" if i.source == "programme" else "local"] += i.cost
    approval_id = bulk.ids(CommitteeApproval, 1)[0]
    rows.add("approval", (approval_id, decision_id, version_id, sum(totals.values())))
    reference = f"{COMMITTEE} {day.isoformat()} {minute}"[:100]
    release_id = bulk.ids(Release, 1)[0] if released else None
    mou = f"MOU/{code}/2019-20"
    if released:
        rows.add(
            "release",
            (release_id, version_id, mou, payee or "", sum(totals.values()), released, lead, at(released)),
        )
    for fund, amount in totals.items():
        if not amount:
            continue
        eid = bulk.ids(LedgerEntry, 1)[0]
        rows.add(
            "ledger",
            (
                eid,
                programme.pk,
                pcn_id,
                "commitment",
                fund,
                amount,
                reference,
                "",
                day,
                f"{name} plan version 1",
                lead,
                at(day, 17),
            ),
        )
        rows.add("approval_entries", (approval_id, eid))
        if released:
            eid = bulk.ids(LedgerEntry, 1)[0]
            rows.add(
                "ledger",
                (
                    eid,
                    programme.pk,
                    pcn_id,
                    "release",
                    fund,
                    amount,
                    mou,
                    payee or "",
                    released,
                    "",
                    lead,
                    at(released, 15),
                ),
            )
            rows.add("release_entries", (release_id, eid))


def write(bulk, rows: Rows) -> None:
    get = rows.get
    bulk.reporter.total(sum(len(v) for v in rows.values()))
    bulk.insert(SupportPlan, ["id", "programme_id", "pcn_id"], get("plan", []), at=at(D(2019, 10, 1)))
    bulk.insert(
        PlanVersion,
        [
            "id",
            "plan_id",
            "number",
            "state",
            "improvement_priority",
            "summary",
            "assessment_id",
            "lock_version",
            "updated_at",
            "updated_by_id",
            "created_by_id",
            "submitted_at",
        ],
        get("version", []),
    )
    through = PlanVersion.needs.through
    bulk.insert(
        through, ["id", "planversion_id", "developmentneed_id"], _ids(bulk, through, get("needs", []))
    )
    bulk.insert(
        Initiative,
        [
            "id",
            "version_id",
            "position",
            "title",
            "description",
            "area_id",
            "domain_id",
            "tag",
            "support_required",
            "provider_type",
            "funding_source",
            "cost_pence",
            "start_month",
            "end_month",
            "category",
            "existing_funds_checked",
        ],
        get("initiative", []),
    )
    through = Initiative.elements.through
    bulk.insert(through, ["id", "initiative_id", "element_id"], _ids(bulk, through, get("elements", [])))
    bulk.insert(
        OutputMeasure, ["id", "initiative_id", "position", "description", "target", "due"], get("measure", [])
    )
    bulk.insert(
        SignOff,
        ["id", "version_id", "party", "decision", "by_id", "at"],
        _ids(bulk, SignOff, get("signoff", [])),
    )
    bulk.insert(
        CommitteeDecision,
        [
            "id",
            "programme_id",
            "place_id",
            "committee",
            "meeting_date",
            "minute_reference",
            "approved_pence",
            "by_id",
            "at",
        ],
        get("decision", []),
    )
    bulk.insert(CommitteeApproval, ["id", "decision_id", "version_id", "amount_pence"], get("approval", []))
    bulk.insert(
        Release,
        ["id", "version_id", "mou_reference", "payee", "amount_pence", "release_date", "by_id", "at"],
        get("release", []),
    )
    bulk.insert(
        LedgerEntry,
        [
            "id",
            "programme_id",
            "pcn_id",
            "kind",
            "fund",
            "amount_pence",
            "reference",
            "payee",
            "entry_date",
            "note",
            "created_by_id",
            "created_at",
        ],
        get("ledger", []),
    )
    through = CommitteeApproval.ledger_entries.through
    bulk.insert(
        through,
        ["id", "committeeapproval_id", "ledgerentry_id"],
        _ids(bulk, through, get("approval_entries", [])),
    )
    through = Release.ledger_entries.through
    bulk.insert(
        through, ["id", "release_id", "ledgerentry_id"], _ids(bulk, through, get("release_entries", []))
    )
    bulk.insert(
        CDDevelopmentPlan,
        ["id", "programme_id", "pcn_id", "director_id", "status", "needs"],
        get("cd_plan", []),
    )
    bulk.insert(CDDevelopmentItem, ["id", "plan_id", "kind", "description", "cost_pence"], get("cd_item", []))
    bulk.sync()


def _ids(bulk, model, rows):
    return ((i, *r) for i, r in zip(bulk.ids(model, len(rows)), rows, strict=True))
