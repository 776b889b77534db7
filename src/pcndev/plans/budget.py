"""A plan's budget panel: what it costs against the PCN's development money and local top-ups.

The CD development slice is kept apart for CD development plans. Existing funds are shown but draw nothing.
"""

from dataclasses import dataclass

from django.db.models import Q, Sum

from pcndev.config.formatting import format_pence
from pcndev.funding.ledger import balances_by
from pcndev.funding.models import AllocationLine, LedgerEntry
from pcndev.plans.models import CDDevelopmentItem, Initiative


@dataclass(frozen=True)
class Budget:
    development_pence: int  # the PCN's development money from the latest allocation (CD slice excluded)
    cd_pence: int  # the CD development slice, for CD development plans
    top_ups_pence: int  # local money added for this PCN
    programme_cost_pence: int  # initiatives funded from the programme
    top_up_cost_pence: int  # initiatives funded from a local top-up
    existing_cost_pence: int  # initiatives paid from existing funds (drawing nothing here)

    @property
    def available_pence(self) -> int:
        return self.development_pence + self.top_ups_pence

    @property
    def plan_cost_pence(self) -> int:
        return self.programme_cost_pence + self.top_up_cost_pence

    @property
    def headroom_pence(self) -> int:
        return self.available_pence - self.plan_cost_pence

    @property
    def over_budget(self) -> bool:
        return self.headroom_pence < 0

    def problems(self) -> list[str]:
        out = []
        if self.over_budget:
            out.append(
                f"The plan costs {format_pence(self.plan_cost_pence)}, which is {format_pence(-self.headroom_pence)} "
                f"more than the {format_pence(self.available_pence)} available"
            )
        if self.top_up_cost_pence > self.top_ups_pence:
            out.append(
                f"Initiatives funded from a local top-up cost {format_pence(self.top_up_cost_pence)}, but top-ups "
                f"for this PCN total {format_pence(self.top_ups_pence)}"
            )
        return out


def pcn_money(programme, pcn) -> tuple[int, int, int]:
    """(development, CD slice, local top-ups) for the PCN in the programme."""
    line = (
        AllocationLine.objects.filter(run__programme=programme, level="pcn", pcn=pcn)
        .order_by("-run__created_at", "-id")
        .values_list("development_pence", "cd_pence")
        .first()
    )
    development, cd = line or (0, 0)
    local = balances_by(programme, "pcn", [pcn.id], fund=LedgerEntry.Fund.LOCAL)[pcn.id]
    return development, cd, local.topped_up


def costs_by_source(version) -> dict[str, int]:
    rows = (
        Initiative.objects.filter(version=version).values("funding_source").annotate(total=Sum("cost_pence"))
    )
    return {r["funding_source"]: r["total"] or 0 for r in rows}


def budget_for(version) -> Budget:
    development, cd, top_ups = pcn_money(version.plan.programme, version.plan.pcn)
    costs = costs_by_source(version)
    return Budget(
        development,
        cd,
        top_ups,
        costs.get(Initiative.Source.PROGRAMME, 0),
        costs.get(Initiative.Source.TOP_UP, 0),
        costs.get(Initiative.Source.EXISTING, 0),
    )


def cd_plan_budget(plan) -> tuple[int, int]:
    """(the amount this CD plan may draw, what its items cost). A job-share CD gets their share of the PCN's slice;
    a place's collective plan draws on what the place's individual plans leave."""
    cost = (
        (CDDevelopmentItem.objects.filter(plan=plan).aggregate(t=Sum("cost_pence"))["t"] or 0)
        if plan.pk
        else 0
    )
    if plan.director_id:
        _, cd, _ = pcn_money(plan.programme, plan.director.pcn)
        return cd * plan.director.share_percent // 100, cost
    slice_pence, _ = place_cd_position(plan.programme, plan.place)
    individual = (
        CDDevelopmentItem.objects.filter(
            plan__programme=plan.programme, plan__director__pcn__place=plan.place
        ).aggregate(t=Sum("cost_pence"))["t"]
        or 0
    )
    return slice_pence - individual, cost


def place_cd_position(programme, place) -> tuple[int, int]:
    """(the CD slices of the place's PCNs from their latest allocation lines, what all the place's CD plans cost)."""
    lines = AllocationLine.objects.filter(run__programme=programme, level="pcn", pcn__place=place)
    latest: dict[int, int] = {}
    for pcn_id, cd in lines.order_by("run__created_at", "id").values_list("pcn_id", "cd_pence"):
        latest[pcn_id] = cd
    planned = (
        CDDevelopmentItem.objects.filter(plan__programme=programme)
        .filter(Q(plan__place=place) | Q(plan__director__pcn__place=place))
        .aggregate(t=Sum("cost_pence"))["t"]
        or 0
    )
    return sum(latest.values()), planned
