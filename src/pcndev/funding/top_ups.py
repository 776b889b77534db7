"""Local top-ups: a place or system adds its own money, for one PCN or spread across its PCNs."""

from django.db import transaction

from pcndev.audit.services import record
from pcndev.funding.allocation import largest_remainder
from pcndev.funding.inputs import build_inputs
from pcndev.funding.ledger import post_many
from pcndev.funding.models import LedgerEntry, Programme, TopUp
from pcndev.funding.programmes import MAX_POUNDS
from pcndev.orgs.models import PCN, Place, System

SPREADS = ("list-size", "equal")


class TopUpError(ValueError):
    pass


@transaction.atomic
def add_top_up(
    programme: Programme,
    node,
    amount_pence: int,
    source: str,
    note: str = "",
    spread: str = "list-size",
    user=None,
) -> TopUp:
    problems = []
    if not isinstance(amount_pence, int) or amount_pence <= 0:
        problems.append("Enter an amount of more than £0.00")
    elif amount_pence >= MAX_POUNDS * 100:
        problems.append(f"The amount must be less than £{MAX_POUNDS:,}")
    source_max = TopUp._meta.get_field("source").max_length
    if not source.strip():
        problems.append("Say where the money comes from, for example the CCG's primary care budget")
    elif len(source.strip()) > source_max:
        problems.append(f"Keep where the money comes from to {source_max} characters or fewer")
    if spread not in SPREADS:
        problems.append(f"Spread must be one of {', '.join(SPREADS)}")
    if not isinstance(node, PCN | Place | System):
        problems.append("Choose a system, place or PCN")
    if problems:
        raise TopUpError("; ".join(problems))
    if isinstance(node, PCN):
        pcns, system, place = [node], node.place.system, node.place
    else:
        level = "place" if isinstance(node, Place) else "system"
        inputs, _ = build_inputs(level, node, programme.list_size_date)
        if not inputs:
            raise TopUpError(f"{node} has no PCNs to receive a top-up")
        codes = [p.code for p in inputs]
        weights = [p.list_size for p in inputs] if spread == "list-size" else [1] * len(inputs)
        by_code = {p.code: p for p in PCN.objects.filter(code__in=codes)}
        shares = dict(zip(codes, largest_remainder(amount_pence, weights, codes), strict=True))
        pcns = [by_code[c] for c in sorted(codes)]
        system = node if isinstance(node, System) else node.system
        place = node if isinstance(node, Place) else None
    top_up = TopUp.objects.create(
        programme=programme,
        system=system,
        place=place,
        pcn=node if isinstance(node, PCN) else None,
        amount_pence=amount_pence,
        source=source.strip(),
        note=note,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    amounts = {pcns[0].code: amount_pence} if isinstance(node, PCN) else shares
    post_many(
        programme,
        [
            dict(
                pcn=p,
                kind="top_up",
                amount_pence=amounts[p.code],
                fund=LedgerEntry.Fund.LOCAL,
                top_up=top_up,
                note=source,
            )
            for p in pcns
            if amounts[p.code] > 0
        ],
        user,
    )
    record(
        user,
        "top_up.added",
        top_up,
        None,
        {"node": str(node), "amount_pence": amount_pence, "source": source, "spread": spread},
    )
    return top_up
