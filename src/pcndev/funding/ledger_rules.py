"""The ledger's rules, as plain Python: balances from entries, and every refusal with its reason.

Buckets: allocated, topped_up, committed, released, spent, returned (all pence, never negative).
  - nothing may be committed beyond what is available (allocated + topped up − committed);
  - nothing may be released beyond what is committed and not yet released;
  - spend and returned underspend may not exceed what was released;
  - a reversal takes an entry's amount back out of its bucket, and may not break any rule above.
"""

from dataclasses import dataclass, replace

from pcndev.config.formatting import format_pence

BUCKET = {
    "allocation": "allocated",
    "top_up": "topped_up",
    "commitment": "committed",
    "release": "released",
    "spend": "spent",
    "return": "returned",
}


@dataclass(frozen=True)
class Balances:
    allocated: int = 0
    topped_up: int = 0
    committed: int = 0
    released: int = 0
    spent: int = 0
    returned: int = 0

    @property
    def funds(self) -> int:
        return self.allocated + self.topped_up

    @property
    def available(self) -> int:
        return self.funds - self.committed

    @property
    def unreleased(self) -> int:
        return self.committed - self.released

    @property
    def unspent(self) -> int:
        return self.released - self.spent - self.returned

    def plus(self, kind: str, amount: int) -> "Balances":
        bucket = BUCKET[kind]
        return replace(self, **{bucket: getattr(self, bucket) + amount})

    def __add__(self, other: "Balances") -> "Balances":
        return Balances(*(getattr(self, f) + getattr(other, f) for f in BUCKET.values()))


def refusals(current: Balances, kind: str, amount: int, reversing: str | None = None) -> list[str]:
    """Why an entry may not be posted; empty when it may. `reversing` is the kind of entry being reversed."""
    if kind not in BUCKET and kind != "reversal":
        return [f"Unknown kind of ledger entry: {kind}"]
    if not isinstance(amount, int) or amount <= 0:
        return ["Enter an amount of more than £0.00"]
    if kind == "reversal":
        if reversing not in BUCKET:
            return ["Choose the entry to reverse"]
        new = current.plus(reversing, -amount)
    else:
        new = current.plus(kind, amount)
    negative = [b for b in BUCKET.values() if getattr(new, b) < 0]
    if negative:
        return [f"This would leave {b.replace('_', ' ')} below £0.00" for b in negative]
    problems = []
    money = format_pence
    undo = f"Cannot reverse {money(amount)}: "
    if new.committed > new.funds:
        problems.append(
            f"Cannot commit {money(amount)}: only {money(max(current.available, 0))} is available "
            f"(allocated {money(current.allocated)} + top-ups {money(current.topped_up)} − committed {money(current.committed)})"
            if kind == "commitment"
            else undo
            + f"{money(current.committed)} is already committed against funds of {money(current.funds)}"
        )
    if new.released > new.committed:
        problems.append(
            f"Cannot release {money(amount)}: only {money(max(current.unreleased, 0))} of committed money has not been released yet"
            if kind == "release"
            else undo + f"{money(current.released)} has already been released against the commitments"
        )
    if new.spent + new.returned > new.released:
        problems.append(
            f"Cannot record {money(amount)}: only {money(max(current.unspent, 0))} has been released and not yet spent or returned"
            if kind in ("spend", "return")
            else undo
            + f"{money(current.spent + current.returned)} of the released money is already spent or returned"
        )
    return problems
