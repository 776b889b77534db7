"""A PCN across programme years: per year its allocation, local top-ups, money carried in and out, commitments,
releases, spend and returns, its plan's state, and the initiatives carried into that year (with where from).

Money carried in is the new year's carry-forward top-up (kept apart from local top-ups, so that allocation plus
top-ups over the years is the money that came in, and the carried money is counted once); money carried out is
the old year's return of it. Seven queries at most, whatever the number of years, plans or initiatives.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, Sum

from pcndev.funding.ledger_rules import Balances
from pcndev.funding.models import CarryForward, LedgerEntry, Programme
from pcndev.orgs.models import PCN
from pcndev.plans.models import Initiative, PlanVersion


@dataclass
class Year:
    programme: Programme
    balances: Balances = field(default_factory=Balances)  # every fund, carry-forward included
    carried_in_pence: int = 0  # the carry-forward top-up (net of any reversal)
    carried_out_pence: int = 0  # returned here to be carried into the next year
    carry_out: CarryForward | None = None
    carry_in: CarryForward | None = None
    version: PlanVersion | None = None  # the plan's latest version
    carried_in: list[Initiative] = field(default_factory=list)  # copies here, each with carried_forward_from

    @property
    def allocated_pence(self) -> int:
        return self.balances.allocated

    @property
    def top_ups_pence(self) -> int:
        """Local top-ups, not counting the money carried in."""
        return self.balances.topped_up - self.carried_in_pence

    @property
    def money_in_pence(self) -> int:
        """New money this year: allocation and local top-ups (carried money was counted in its first year)."""
        return self.allocated_pence + self.top_ups_pence

    @property
    def returned_pence(self) -> int:
        """Underspend returned, not counting the money carried out."""
        return self.balances.returned - self.carried_out_pence

    @property
    def has_anything(self) -> bool:
        return bool(self.version or self.carry_in or self.carry_out or self.balances != Balances())


def _ledger(
    pcn: PCN, carry_top_ups: set[int], carry_returns: set[int]
) -> dict[int, tuple[Balances, int, int]]:
    """(balances, carried in, carried out) per programme id, from one grouped query."""
    rows = (
        LedgerEntry.objects.filter(pcn=pcn)
        .order_by()
        .values("programme_id", "kind", "reverses__kind", "top_up_id", "reverses__top_up_id", "reverses_id")
        .annotate(total=Sum("amount_pence"))
    )
    balances: dict[int, Balances] = defaultdict(Balances)
    carried_in: dict[int, int] = defaultdict(int)
    carried_out = carry_returns_total(pcn, carry_returns)
    for r in rows:
        programme, total = r["programme_id"], r["total"]
        if r["kind"] == LedgerEntry.Kind.REVERSAL:
            balances[programme] = balances[programme].plus(r["reverses__kind"], -total)
            if r["reverses__kind"] == LedgerEntry.Kind.TOP_UP and r["reverses__top_up_id"] in carry_top_ups:
                carried_in[programme] -= total
        else:
            balances[programme] = balances[programme].plus(r["kind"], total)
            if r["kind"] == LedgerEntry.Kind.TOP_UP and r["top_up_id"] in carry_top_ups:
                carried_in[programme] += total
    return {p: (balances[p], carried_in[p], carried_out.get(p, 0)) for p in set(balances) | set(carried_out)}


def carry_returns_total(pcn: PCN, returns: set[int]) -> dict[int, int]:
    """Returns that carried money out, per programme id (reversing one would put the money back)."""
    out: dict[int, int] = defaultdict(int)
    if not returns:
        return out
    entries = LedgerEntry.objects.filter(Q(pk__in=returns) | Q(reverses_id__in=returns)).values_list(
        "programme_id", "kind", "amount_pence"
    )
    for programme, kind, amount in entries:
        out[programme] += -amount if kind == LedgerEntry.Kind.REVERSAL else amount
    return out


def years_for(pcn: PCN) -> list[Year]:
    """Every programme year in order, with the PCN's figures (years with nothing for the PCN included)."""
    years = {p.pk: Year(p) for p in Programme.objects.order_by("financial_year", "name")}
    carries = list(
        CarryForward.objects.filter(pcn=pcn)
        .prefetch_related("returns")
        .order_by("from_programme__financial_year")
    )
    for c in carries:
        years[c.from_programme_id].carry_out = c
        years[c.to_programme_id].carry_in = c
    top_ups = {c.top_up_id for c in carries if c.top_up_id}
    returns = {e.pk for c in carries for e in c.returns.all()}
    for programme_id, (balances, carried_in, carried_out) in _ledger(pcn, top_ups, returns).items():
        year = years[programme_id]
        year.balances, year.carried_in_pence, year.carried_out_pence = balances, carried_in, carried_out
    for version in PlanVersion.objects.filter(plan__pcn=pcn).select_related("plan").order_by("number"):
        years[version.plan.programme_id].version = version
    latest = {y.version.pk for y in years.values() if y.version}
    for initiative in (
        Initiative.objects.filter(version_id__in=latest, carried_forward_from__isnull=False)
        .select_related("version__plan", "carried_forward_from__version__plan__programme")
        .order_by("position", "pk")
    ):
        years[initiative.version.plan.programme_id].carried_in.append(initiative)
    return list(years.values())
