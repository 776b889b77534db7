"""Year rollover, what it would do (the dry run): which unfinished initiatives a programme carries into the next
year with their remaining budget and the money that moves with them, and the self-assessment rounds to open.

The rules (rollover_writes.py applies them):
  - A PCN's plan in force is its latest version in an IN_FORCE state. Its initiatives are carried when their latest
    submitted review status is unfinished (not started, in progress, paused) or they were never reviewed, and their
    remaining budget (cost less reported spend, following revisions) is more than £0.
  - Money is counted in exactly one year. The only money that can leave a year through the ledger's own rules is
    money released to the payee and not yet spent or returned; so per PCN and fund the money carried is the carried
    initiatives' remaining budget, up to that released-and-unspent balance (split over them in proportion to their
    remaining budget). It is returned in the old year and topped up in the new one. Anything never released stays
    in the old year's ledger (an unreleased commitment, or uncommitted money) and is not carried.
  - Initiatives paid from existing funds carry their remaining budget but no money.

A fixed number of queries whatever the number of PCNs or initiatives.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from pcndev.accounts.permissions import ALLOW, NOT_SIGNED_IN, Decision
from pcndev.accounts.scope import visible
from pcndev.delivery import rag
from pcndev.delivery.review_models import InitiativeUpdate
from pcndev.delivery.spend import lineages, reported_spend
from pcndev.funding.allocation import largest_remainder
from pcndev.funding.ledger import balances_by
from pcndev.funding.models import LedgerEntry, Programme
from pcndev.funding.permissions import can_create_programme
from pcndev.maturity.models import AssessmentRound, MatrixTemplate
from pcndev.maturity.permissions import in_round
from pcndev.maturity.rounds import default_window, is_reassessment
from pcndev.orgs.models import PCN
from pcndev.plans import workflow
from pcndev.plans.models import Initiative, PlanVersion

Fund = LedgerEntry.Fund
FUND_OF_SOURCE = {Initiative.Source.PROGRAMME: Fund.NATIONAL, Initiative.Source.TOP_UP: Fund.LOCAL}
# National totals from the guidance, for the form's default (seed 001: £43.7m for 2020/21).
NATIONAL_TOTALS = {2019: 4_350_000_000, 2020: 4_370_000_000}


def year_label(financial_year: int) -> str:
    return f"{financial_year}/{(financial_year + 1) % 100:02d}"


def next_label(programme: Programme) -> str:
    return year_label(programme.financial_year + 1)


def default_name(programme: Programme) -> str:
    """'PCN development support 2020/21': the old name with its year replaced, or the new year added."""
    old, new = programme.year_label, next_label(programme)
    return programme.name.replace(old, new) if old in programme.name else f"{programme.name} {new}"


def default_total(programme: Programme) -> int:
    return NATIONAL_TOTALS.get(programme.financial_year + 1, programme.national_total_pence)


def can_roll_over(user, programme: Programme) -> Decision:
    """Start the next year from a programme: a national administrator (who sets up programmes), once."""
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if not can_create_programme(user):
        return Decision(False, f"Only a national administrator can start {next_label(programme)}.")
    later = Programme.objects.filter(rolled_over_from=programme).first()
    if later is not None:
        return Decision(
            False,
            f"{programme} has already been rolled over into {later}, on {later.created_at:%-d %B %Y}; "
            "a programme rolls over once.",
        )
    return ALLOW


@dataclass(frozen=True)
class CarriedItem:
    initiative: Initiative
    status: str | None  # the latest submitted review's status; None when never reviewed
    spent_pence: int
    carried_pence: int  # money moving with it (0 for existing funds, or when nothing released is left)

    @property
    def cost_pence(self) -> int:
        return self.initiative.cost_pence

    @property
    def remaining_pence(self) -> int:
        return self.cost_pence - self.spent_pence

    @property
    def fund(self) -> str | None:
        return FUND_OF_SOURCE.get(self.initiative.funding_source)

    @property
    def status_label(self) -> str:
        return rag.STATUSES[self.status] if self.status else "Never reviewed"


@dataclass(frozen=True)
class CarriedPCN:
    pcn: PCN
    version: PlanVersion  # the plan in force the initiatives come from
    items: list[CarriedItem]
    unspent_pence: dict[str, int] = field(default_factory=dict)  # per fund: released, not spent or returned

    @property
    def remaining_pence(self) -> int:
        return sum(i.remaining_pence for i in self.items)

    @property
    def carried_pence(self) -> int:
        return sum(i.carried_pence for i in self.items)

    def carried_by_fund(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for item in self.items:
            if item.fund and item.carried_pence:
                out[item.fund] += item.carried_pence
        return dict(out)


def in_force_versions(programme: Programme, pcns=None) -> dict[int, PlanVersion]:
    """Each PCN's plan in force: its latest version in an IN_FORCE state."""
    versions = PlanVersion.objects.filter(plan__programme=programme, state__in=workflow.IN_FORCE)
    if pcns is not None:
        versions = versions.filter(plan__pcn__in=pcns)
    latest: dict[int, PlanVersion] = {}
    for version in versions.select_related("plan__pcn__place").order_by("plan_id", "number"):
        latest[version.plan.pcn_id] = version
    return latest


def latest_statuses(initiative_ids) -> dict[int, str]:
    """The status in each initiative's latest submitted review (following its earlier copies); absent if none."""
    owner = {old: new for new, chain in lineages(initiative_ids).items() for old in chain}
    latest: dict[int, tuple] = {}
    for iid, due, pk, status in InitiativeUpdate.objects.filter(
        initiative_id__in=list(owner), review__state="submitted"
    ).values_list("initiative_id", "review__due", "pk", "status"):
        new = owner[iid]
        if new not in latest or (due, pk) > latest[new][0]:
            latest[new] = ((due, pk), status)
    return {iid: status for iid, (_, status) in latest.items()}


def _unspent(programme, pcn_ids) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for fund in (Fund.NATIONAL, Fund.LOCAL):
        for pcn_id, b in balances_by(programme, "pcn", pcn_ids, fund=fund).items():
            out[pcn_id][fund] = max(b.unspent, 0)
    return out


def _money(items: list[tuple[Initiative, str | None, int]], unspent: dict[str, int]) -> dict[int, int]:
    """Money carried per initiative: per fund, the remaining budgets up to what is released and unspent."""
    out = {}
    for fund in (Fund.NATIONAL, Fund.LOCAL):
        mine = [
            (i, i.cost_pence - spent) for i, _, spent in items if FUND_OF_SOURCE.get(i.funding_source) == fund
        ]
        if not mine:
            continue
        need = sum(r for _, r in mine)
        movable = min(need, unspent.get(fund, 0))
        parts = largest_remainder(movable, [r for _, r in mine], [f"{i.pk:012d}" for i, _ in mine])
        out.update({i.pk: part for (i, _), part in zip(mine, parts, strict=True)})
    return out


def carry_rows(programme: Programme, pcns=None) -> list[CarriedPCN]:
    """What rolling over would carry, per PCN (all PCNs, or those in the `pcns` queryset), by PCN name."""
    versions = in_force_versions(programme, pcns)
    by_version = {v.pk: v for v in versions.values()}
    initiatives = list(
        Initiative.objects.filter(version__in=list(by_version)).order_by("version_id", "position", "pk")
    )
    ids = [i.pk for i in initiatives]
    statuses = latest_statuses(ids)
    spend = reported_spend(ids)
    candidates: dict[int, list[tuple[Initiative, str | None, int]]] = defaultdict(list)
    for initiative in initiatives:
        status, spent = statuses.get(initiative.pk), spend.get(initiative.pk, 0)
        if (status is None or status in rag.UNFINISHED) and initiative.cost_pence - spent > 0:
            candidates[by_version[initiative.version_id].plan.pcn_id].append((initiative, status, spent))
    unspent = _unspent(programme, list(candidates))
    rows = []
    for pcn_id, items in candidates.items():
        money = _money(items, unspent.get(pcn_id, {}))
        version = versions[pcn_id]
        rows.append(
            CarriedPCN(
                version.plan.pcn,
                version,
                [CarriedItem(i, status, spent, money.get(i.pk, 0)) for i, status, spent in items],
                unspent.get(pcn_id, {}),
            )
        )
    return sorted(rows, key=lambda r: (r.pcn.name, r.pcn.code))


@dataclass(frozen=True)
class RoundCopy:
    """A self-assessment round the new year opens: last year's September round's scope, the newest version of its
    matrix, compared with its year-end re-assessment (or the round itself when it had none)."""

    source: AssessmentRound
    template: MatrixTemplate
    baseline: AssessmentRound
    name: str

    @property
    def window(self):
        return default_window(self.source.financial_year + 1)


def rounds_to_open(programme: Programme) -> list[RoundCopy]:
    year = programme.financial_year
    rounds = list(
        AssessmentRound.objects.filter(
            Q(programme=programme) | Q(programme__isnull=True, financial_year=year)
        ).select_related("template", "baseline", "place", "system")
    )
    newest: dict[str, MatrixTemplate] = {}
    for template in MatrixTemplate.objects.filter(name__in={r.template.name for r in rounds}).order_by(
        "version"
    ):
        newest[template.name] = template
    follow_up = {r.baseline_id: r for r in rounds if is_reassessment(r)}
    out = []
    for rnd in sorted((r for r in rounds if not is_reassessment(r)), key=lambda r: (r.opens_on, r.pk)):
        name = (
            rnd.name.replace(str(year), str(year + 1)) if str(year) in rnd.name else f"{rnd.name} {year + 1}"
        )
        out.append(RoundCopy(rnd, newest[rnd.template.name], follow_up.get(rnd.pk, rnd), name))
    return out


@dataclass(frozen=True)
class Preview:
    programme: Programme
    decision: Decision
    rows: list[CarriedPCN]
    rounds: list[RoundCopy]

    @property
    def next_label(self) -> str:
        return next_label(self.programme)

    @property
    def initiatives(self) -> int:
        return sum(len(r.items) for r in self.rows)

    @property
    def remaining_pence(self) -> int:
        return sum(r.remaining_pence for r in self.rows)

    @property
    def carried_pence(self) -> int:
        return sum(r.carried_pence for r in self.rows)


def preview(user, programme: Programme) -> Preview:
    """The dry run as the user may see it: the PCNs (and rounds) their roles reach; a national administrator, who
    alone may start it, sees them all."""
    return Preview(
        programme,
        can_roll_over(user, programme),
        carry_rows(programme, visible(user, PCN)),
        [c for c in rounds_to_open(programme) if in_round(user, c.source)],
    )
