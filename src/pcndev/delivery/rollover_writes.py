"""Year rollover, applied: "Start 2020/21" creates the next programme and carries forward the unfinished work.

One transaction, under a lock on the old programme, refused (with the reason) once it has rolled over:
  1. the new programme (year + 1) with the old one's CD share and split, basis and sign-off rule; its support
     domains copied from the old one, its priorities the old one's or, from 2020/21, the guidance's four;
  2. per PCN with carried initiatives (rollover.carry_rows): in the old year a `return` of the money carried (per
     fund), in the new year one local top-up "Carried forward from 2019/20" of the same amount (a CarryForward row
     links the two, so the money is counted in exactly one year);
  3. the PCN's new support plan, a draft version 1 with a copy of each carried initiative (carried_forward_from,
     cost = remaining budget, its measures and eligibility answers), funded from that top-up (or from existing
     funds when the original was), so the new plan's budget and committee commitment count the money once;
  4. optionally the new year's September rounds (rollover.rounds_to_open);
  5. audit events for the rollover, each new plan and each top-up (the ledger audits its own entries).

The org tree and clinical directors are not per programme, so they carry over by themselves.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from pcndev.audit.services import Change, record, record_many
from pcndev.delivery.rollover import CarriedPCN, can_roll_over, carry_rows, rounds_to_open
from pcndev.funding.ledger import post_many
from pcndev.funding.models import CarryForward, LedgerEntry, Programme, ProgrammePriority, TopUp
from pcndev.funding.programmes import ProgrammeError, create_programme
from pcndev.maturity.models import AssessmentRound
from pcndev.maturity.rounds import create_round, scope_key
from pcndev.orgs.models import ListSize
from pcndev.plans import workflow
from pcndev.plans.models import Initiative, OutputMeasure, PlanVersion, SupportPlan

COPIED_FIELDS = (
    "position",
    "title",
    "description",
    "area_id",
    "tag",
    "support_required",
    "provider_type",
    "start_month",
    "category",
    "already_funded",
    "in_contract",
    "pcn_related",
    "transformation",
)


class RolloverRefused(Exception):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class RolloverProblems(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems  # (field, message)
        super().__init__("; ".join(m for _, m in problems))


@dataclass(frozen=True)
class Rollover:
    programme: Programme
    carried: list[CarryForward]
    versions: list[PlanVersion]
    rounds: list[AssessmentRound]


def input_problems(name: str, national_total_pence, list_size_date) -> list[tuple[str, str]]:
    problems = []
    if not name.strip():
        problems.append(("name", "Enter a name for the new programme"))
    elif len(name.strip()) > 200:
        problems.append(("name", "The name must be 200 characters or fewer"))
    if not isinstance(national_total_pence, int) or national_total_pence <= 0:
        problems.append(("national_total", "Enter a national total of more than £0, like 43,700,000"))
    if list_size_date is None or not ListSize.objects.filter(as_of=list_size_date).exists():
        problems.append(("list_size_date", "Choose a date for which list sizes are held"))
    return problems


@transaction.atomic
def start_rollover(
    user, programme: Programme, name: str, national_total_pence: int, list_size_date, open_rounds: bool = True
) -> Rollover:
    old = Programme.objects.select_for_update().get(pk=programme.pk)
    if not (decision := can_roll_over(user, old)):
        raise RolloverRefused(decision.reason)
    if problems := input_problems(name, national_total_pence, list_size_date):
        raise RolloverProblems(problems)
    try:
        new = create_programme(
            name.strip(),
            old.financial_year + 1,
            national_total_pence,
            list_size_date,
            old.cd_share_bp,
            old.cd_split,
            old.basis,
            old.requires_system_signoff,
            user,
        )
    except ProgrammeError as exc:
        raise RolloverProblems([("name", m) for m in str(exc).split("; ")]) from None
    try:
        with transaction.atomic():
            new.rolled_over_from = old
            new.save(update_fields=["rolled_over_from"])
    except IntegrityError:  # another rollover got there first
        raise RolloverRefused(f"{old} has already been rolled over; a programme rolls over once.") from None
    _copy_priorities(old, new)
    rows = carry_rows(old)
    carried = _move_money(user, old, new, rows)
    versions = _copy_plans(user, old, new, rows)
    rounds = []
    if open_rounds:
        for copy in rounds_to_open(old):
            opens, closes = copy.window
            rounds.append(
                create_round(
                    user, copy.name, copy.template, new.financial_year, opens, closes,
                    scope_key(copy.source), new, copy.baseline,
                )
            )  # fmt: skip
    record(
        user,
        "programme.rolled_over",
        new,
        None,
        {
            "from": old.pk,
            "from_year": old.year_label,
            "year": new.year_label,
            "pcns": len(rows),
            "initiatives": sum(len(r.items) for r in rows),
            "remaining_pence": sum(r.remaining_pence for r in rows),
            "carried_pence": sum(r.carried_pence for r in rows),
            "rounds": [r.pk for r in rounds],
        },
    )
    return Rollover(new, carried, versions, rounds)


def _copy_priorities(old: Programme, new: Programme) -> None:
    """The old programme's support domains (and its priorities, when it had any) replace the new one's defaults."""
    kinds = ProgrammePriority.Kind
    rows = list(ProgrammePriority.objects.filter(programme=old))
    for kind in (kinds.DOMAIN, kinds.PRIORITY):
        mine = [r for r in rows if r.kind == kind]
        if not mine:
            continue
        ProgrammePriority.objects.filter(programme=new, kind=kind).delete()
        ProgrammePriority.objects.bulk_create(
            ProgrammePriority(programme=new, kind=kind, code=r.code, title=r.title, position=r.position)
            for r in mine
        )


def _move_money(user, old: Programme, new: Programme, rows: list[CarriedPCN]) -> list[CarryForward]:
    """Return the carried money in the old year, top it up in the new one, and link the two."""
    to_label, from_label = new.year_label, old.year_label
    specs, owners = [], []
    for row in rows:
        for fund, amount in sorted(row.carried_by_fund().items()):
            specs.append(
                dict(
                    pcn=row.pcn,
                    kind="return",
                    amount_pence=amount,
                    fund=fund,
                    reference=f"Carried forward to {to_label}",
                    note=f"Unfinished initiatives carried into {new}",
                )
            )
            owners.append(row.pcn.pk)
    returns = post_many(old, specs, user) if specs else []
    returns_of: dict[int, list[LedgerEntry]] = {}
    for pcn_id, entry in zip(owners, returns, strict=True):
        returns_of.setdefault(pcn_id, []).append(entry)
    funded = [r for r in rows if r.carried_pence]
    top_ups = TopUp.objects.bulk_create(
        TopUp(
            programme=new,
            system_id=r.pcn.place.system_id,
            place_id=r.pcn.place_id,
            pcn=r.pcn,
            amount_pence=r.carried_pence,
            source=f"Carried forward from {from_label}",
            note=f"The money left on {len(r.items)} unfinished initiative(s) of {r.version}",
            created_by=user,
        )
        for r in funded
    )
    if funded:
        post_many(
            new,
            [
                dict(
                    pcn=r.pcn,
                    kind="top_up",
                    amount_pence=t.amount_pence,
                    fund=LedgerEntry.Fund.LOCAL,
                    top_up=t,
                    reference=f"Carried forward from {from_label}",
                    note=t.source,
                )
                for r, t in zip(funded, top_ups, strict=True)
            ],
            user,
        )
    top_up_of = {r.pcn.pk: t for r, t in zip(funded, top_ups, strict=True)}
    carried = CarryForward.objects.bulk_create(
        CarryForward(
            from_programme=old,
            to_programme=new,
            pcn=r.pcn,
            initiatives=len(r.items),
            remaining_pence=r.remaining_pence,
            amount_pence=r.carried_pence,
            top_up=top_up_of.get(r.pcn.pk),
            created_by=user,
        )
        for r in rows
    )
    CarryForward.returns.through.objects.bulk_create(
        CarryForward.returns.through(carryforward_id=c.pk, ledgerentry_id=e.pk)
        for c in carried
        for e in returns_of.get(c.pcn_id, [])
    )
    record_many(
        user,
        [
            Change(
                "top_up.carried_forward",
                t,
                None,
                {"pcn": t.pcn.code, "amount_pence": t.amount_pence, "source": t.source, "from": old.pk},
            )
            for t in top_ups
        ],
    )
    return carried


def _copy_plans(user, old: Programme, new: Programme, rows: list[CarriedPCN]) -> list[PlanVersion]:
    """Each PCN's new plan: a draft version 1 holding copies of its carried initiatives."""
    if not rows:
        return []
    plans = SupportPlan.objects.bulk_create(SupportPlan(programme=new, pcn=r.pcn) for r in rows)
    versions = PlanVersion.objects.bulk_create(
        PlanVersion(
            plan=plan,
            number=1,
            state=workflow.DRAFT,
            improvement_priority=r.version.improvement_priority,
            summary=f"Carried forward from {old.year_label}: {len(r.items)} unfinished initiative(s).",
            created_by=user,
            updated_by=user,
        )
        for plan, r in zip(plans, rows, strict=True)
    )
    originals = [item for r in rows for item in r.items]
    ids = [item.initiative.pk for item in originals]
    new_priority = {(p.kind, p.code): p.pk for p in ProgrammePriority.objects.filter(programme=new)}
    old_priority = {p.pk: (p.kind, p.code) for p in ProgrammePriority.objects.filter(programme=old)}
    copies = []
    for version, r in zip(versions, rows, strict=True):
        for item in r.items:
            i = item.initiative
            source = Initiative.Source.EXISTING if item.fund is None else Initiative.Source.TOP_UP
            ended = i.end_month is not None and (i.end_month.year, i.end_month.month) < (
                new.financial_year,
                4,
            )
            copies.append(
                Initiative(
                    version=version,
                    **{f: getattr(i, f) for f in COPIED_FIELDS},
                    domain_id=new_priority.get(old_priority.get(i.domain_id)),
                    funding_source=source,
                    cost_pence=item.remaining_pence,
                    end_month=None
                    if ended
                    else i.end_month,  # an end date before the new year is for the CD to set
                    existing_funds_checked=True,
                    carried_forward_from=i,
                )
            )
    copies = Initiative.objects.bulk_create(copies)
    copy_of = {item.initiative.pk: c.pk for item, c in zip(originals, copies, strict=True)}
    elements = Initiative.elements.through
    elements.objects.bulk_create(
        elements(initiative_id=copy_of[iid], element_id=eid)
        for iid, eid in elements.objects.filter(initiative_id__in=ids).values_list(
            "initiative_id", "element_id"
        )
    )
    priorities = Initiative.priorities.through
    priorities.objects.bulk_create(
        priorities(initiative_id=copy_of[iid], programmepriority_id=new_priority[old_priority[pid]])
        for iid, pid in priorities.objects.filter(initiative_id__in=ids).values_list(
            "initiative_id", "programmepriority_id"
        )
        if old_priority.get(pid) in new_priority
    )
    OutputMeasure.objects.bulk_create(
        OutputMeasure(
            initiative_id=copy_of[m.initiative_id],
            position=m.position,
            description=m.description,
            target=m.target,
            due=m.due,
        )
        for m in OutputMeasure.objects.filter(initiative_id__in=ids)
    )
    record_many(
        user,
        [
            Change(
                "plan.carried_forward",
                v,
                None,
                {
                    "pcn": r.pcn.code,
                    "from_version": r.version.pk,
                    "initiatives": [i.initiative.pk for i in r.items],
                },
            )
            for v, r in zip(versions, rows, strict=True)
        ],
    )
    return versions
