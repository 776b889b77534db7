"""Support plans for `pcndev scale-data`: a plan per PCN, 5-10 initiatives, in the states a year leaves them.

Most plans went the whole way (agreed by the CD and the place lead, approved at the place's committee, funds
released to the payee under an MOU, in delivery; a few closed); some are earlier: drafts, submitted, changes
requested, agreed and waiting for the committee, approved and waiting for the MOU. PCNs that have not
submitted their self-assessment mostly have no plan. Costs stay within the PCN's development money (plus its
local top-up), so no plan is over budget; commitments and releases go into the ledger with the committee
approvals and releases that link them, exactly as `plans.transitions` writes them. Each clinical director has
an agreed CD development plan within their share of the CD slice.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Sum

from pcndev.funding.allocation import largest_remainder
from pcndev.funding.models import AllocationLine, LedgerEntry, ProgrammePriority
from pcndev.ops import scale_plan_rows as pr
from pcndev.ops.scale_catalogue import CD_ITEMS
from pcndev.ops.scale_plan_rows import COMMITTEE, D, Planned, Rows, at
from pcndev.orgs.models import PCN, ClinicalDirector
from pcndev.plans.models import (
    CDDevelopmentItem,
    CDDevelopmentPlan,
    CommitteeDecision,
    PlanVersion,
    SupportPlan,
)

STATES = {
    "in_delivery": 66,
    "funds_released": 8,
    "closed": 6,
    "committee_approved": 5,
    "agreed": 4,
    "submitted": 4,
    "changes_requested": 2,
    "draft": 5,
}
APPROVED = ("committee_approved", "funds_released", "in_delivery", "closed")
RELEASED = ("funds_released", "in_delivery", "closed")


@dataclass
class Delivered:
    """A plan version whose funds were released: what the reviews stage needs."""

    version_id: int
    plan_id: int
    pcn_id: int
    state: str
    released_on: D
    cd: int | None
    place_lead: int
    initiatives: list[Planned]


@dataclass
class PlanFacts:
    delivered: list[Delivered] = field(default_factory=list)
    # version id -> (pcn id, state, cd user, place lead, started, submitted, agreed, approved, released)
    versions: dict[int, tuple] = field(default_factory=dict)
    initiatives: list[tuple[int, int, int, str]] = field(
        default_factory=list
    )  # (id, version, cd user, title)


@dataclass
class _Plan:
    """One PCN's plan and its dates, before the place's committee date is known."""

    pcn_id: int
    code: str
    name: str
    place_id: int
    payee: str | None
    state: str
    assessment: tuple
    started: D
    submitted: D | None
    agreed: D | None
    meeting: tuple | None = None  # (decision id, date, minute reference)
    released: D | None = None


def _timelines(bulk, rng, round_facts) -> list[_Plan]:
    """Which PCNs have a plan, in which state, and when each step happened (committees after agreement)."""
    plans = []
    pcns = PCN.objects.order_by("place_id", "id").values_list("id", "code", "name", "place_id", "payee__name")
    for pcn_id, code, name, place_id, payee in pcns:
        assessment = round_facts.assessments[pcn_id]
        aid, submitted, priority, when = assessment
        if not submitted and rng.random() < 0.8:
            continue  # most PCNs still assessing have not started a plan
        state = rng.choices(list(STATES), weights=list(STATES.values()))[0] if submitted else "draft"
        started = (when.date() if when else D(2019, 9, 20)) + datetime.timedelta(days=rng.randint(1, 10))
        sub = started + datetime.timedelta(days=rng.randint(5, 25)) if state != "draft" else None
        agreed = None
        if sub and state not in ("submitted", "changes_requested"):
            agreed = sub + datetime.timedelta(days=rng.randint(2, 14))
        plans.append(_Plan(pcn_id, code, name, place_id, payee, state, assessment, started, sub, agreed))
    meetings = {}
    for p in sorted((p for p in plans if p.state in APPROVED), key=lambda p: p.agreed):
        meetings[p.place_id] = p.agreed + datetime.timedelta(days=rng.randint(3, 14))  # after the last agreed
    minutes = {
        place: (bulk.ids(CommitteeDecision, 1)[0], day, f"PCCC/19/{rng.randint(40, 140)}")
        for place, day in sorted(meetings.items())
    }
    for p in plans:
        if p.state in APPROVED:
            p.meeting = minutes[p.place_id]
        if p.state == "funds_released":  # waiting for the MOU until the new year
            p.released = D(2020, 1, 6) + datetime.timedelta(days=rng.randrange(45))
        elif p.state in RELEASED:
            p.released = p.meeting[1] + datetime.timedelta(days=rng.randint(5, 25))
    return plans


def build_plans(bulk, rng, programme, run, round_facts, people) -> PlanFacts:
    facts, rows = PlanFacts(), Rows()
    lines = AllocationLine.objects.filter(run=run, level="pcn")
    money = {p: (dev, cd) for p, dev, cd in lines.values_list("pcn_id", "development_pence", "cd_pence")}
    top_ups = LedgerEntry.objects.filter(programme=programme, kind="top_up")
    local = dict(top_ups.values_list("pcn_id").annotate(t=Sum("amount_pence")))
    priorities = ProgrammePriority.objects.filter(programme=programme, kind="domain")
    catalogue = pr.Catalogue(round_facts.elements, dict(priorities.values_list("code", "id")))
    plans = _timelines(bulk, rng, round_facts)
    for p in plans:
        aid, submitted, priority, _when = p.assessment
        plan_id, version_id = bulk.ids(SupportPlan, 1)[0], bulk.ids(PlanVersion, 1)[0]
        cd, lead = people.cd_user.get(p.pcn_id), people.place_lead[p.place_id]
        last = p.released or (p.meeting and p.meeting[1]) or p.agreed or p.submitted or p.started
        rows.add("plan", (plan_id, programme.pk, p.pcn_id))
        rows.add(
            "version",
            (version_id, plan_id, 1, p.state, priority or "Same-day access",
             f"{p.name}'s development plan for 2019/20", aid if submitted else None, rng.randint(3, 12),
             at(last), cd, cd, at(p.submitted) if p.submitted else None),
        )  # fmt: skip
        facts.versions[version_id] = (p.pcn_id, p.state, cd, lead, p.started, p.submitted, p.agreed,
                                      p.meeting and p.meeting[1], p.released)  # fmt: skip
        for need_id, _element in round_facts.needs.get(aid, []) if submitted else []:
            rows.add("needs", (version_id, need_id))
        budget = (money.get(p.pcn_id, (0, 0))[0], local.get(p.pcn_id, 0))
        initiatives = pr.initiatives(bulk, rng, rows, facts, (version_id, cd), budget, catalogue)
        _signoffs(rows, version_id, p.state, cd, lead, p.submitted, p.agreed)
        if p.meeting:
            plan = (version_id, p.pcn_id, p.name, p.code, p.payee)
            pr.money(bulk, rows, programme, plan, initiatives, p.meeting, lead, p.released)
        if p.released:
            facts.delivered.append(
                Delivered(version_id, plan_id, p.pcn_id, p.state, p.released, cd, lead, initiatives)
            )
    _decisions(rows, programme, people, {p.place_id: p.meeting for p in plans if p.meeting})
    _cd_plans(bulk, rng, rows, programme, money)
    pr.write(bulk, rows)
    return facts


def _decisions(rows, programme, people, meetings: dict[int, tuple]) -> None:
    """One committee decision per place, approving the total of its approvals."""
    approved: dict[int, int] = {}
    for _id, decision_id, _version, amount in rows.get("approval", []):
        approved[decision_id] = approved.get(decision_id, 0) + amount
    for place_id, (decision_id, day, minute) in sorted(meetings.items()):
        lead = people.place_lead[place_id]
        row = (
            decision_id,
            programme.pk,
            place_id,
            COMMITTEE,
            day,
            minute,
            approved[decision_id],
            lead,
            at(day, 16),
        )
        rows.add("decision", row)


def _signoffs(rows, version_id, state, cd, lead, submitted, agreed) -> None:
    if submitted is None:
        return
    for party, user, day in (("cd", cd, submitted), ("place", lead, agreed)):
        decision = "agree" if day else ""
        if state == "changes_requested" and party == "place":
            decision = ""
        rows.add(
            "signoff",
            (version_id, party, decision, user if decision else None, at(day) if decision else None),
        )


def _cd_plans(bulk, rng, rows, programme, money) -> None:
    for director_id, pcn_id, share in ClinicalDirector.objects.order_by("id").values_list(
        "id", "pcn_id", "share_percent"
    ):
        budget = money.get(pcn_id, (0, 0))[1] * share // 100
        plan_id = bulk.ids(CDDevelopmentPlan, 1)[0]
        rows.add(
            "cd_plan",
            (plan_id, programme.pk, pcn_id, director_id, "agreed", "Coaching and a leadership programme"),
        )
        items = rng.sample(CD_ITEMS, rng.randint(1, 3))
        weights = [rng.randint(1, 4) for _ in items]
        parts = largest_remainder(
            budget * rng.randint(70, 100) // 100, weights, [str(n) for n in range(len(items))]
        )
        for (kind, description), cost in zip(items, parts, strict=True):
            rows.add("cd_item", (bulk.ids(CDDevelopmentItem, 1)[0], plan_id, kind, description, cost))
