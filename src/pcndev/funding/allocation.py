"""The allocation engine: national PCN development money down the tree to PCNs, in integer pence.

Pure Python (standard library only, no Django). Money is allocated once, at the leaf (PCN) level, with the
largest remainder method, and summed upward to places, systems and the total, so every level adds up
exactly to its children and to the pot.
"""

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal, NamedTuple, cast

Level = Literal["system", "place", "pcn"]
BasisKind = Literal["list-size", "equal", "blend"]
CdSplit = Literal["per-pcn", "per-cd", "list-size"]
CD_SPLITS: tuple[str, ...] = ("per-pcn", "per-cd", "list-size")
LEVELS: tuple[str, ...] = ("system", "place", "pcn")


def _apportion(total: int, weights: Sequence[int], priority: Sequence[int]) -> list[int]:
    """Split total in proportion to weights; leftover pennies go by largest remainder, ties in `priority` order."""
    n = len(weights)
    if n == 0:
        return []
    whole = sum(weights)
    if whole == 0:
        weights, whole = [1] * n, n
    parts = [0] * n
    remainders = [0] * n
    for i, w in enumerate(weights):
        parts[i], remainders[i] = divmod(total * w, whole)
    leftover = total - sum(parts)
    if leftover:
        for i in sorted(priority, key=lambda j: -remainders[j])[:leftover]:
            parts[i] += 1
    return parts


def largest_remainder(total: int, weights: Sequence[int], keys: Sequence[str]) -> list[int]:
    """Split `total` pence in proportion to `weights` exactly (parts sum to total), integer arithmetic only.

    Each part is floor(total * w / W); the leftover pennies go one each in order of largest remainder
    (total * w % W), ties broken by key ascending. If every weight is 0 the split is equal.
    """
    if total < 0:
        raise ValueError(f"The total to split must not be negative (got {total})")
    if len(weights) != len(keys):
        raise ValueError(f"Got {len(weights)} weights but {len(keys)} keys: they must match one to one")
    if any(w < 0 for w in weights):
        raise ValueError("Weights must not be negative")
    if len(set(keys)) != len(keys):
        raise ValueError(f"Keys must be unique; repeated: {', '.join(sorted(_repeated(keys)))}")
    if total > 0 and not keys:
        raise ValueError("There is nothing to split a positive total between")
    return _apportion(total, weights, sorted(range(len(keys)), key=keys.__getitem__))


def _repeated(keys: Iterable[str]) -> set[str]:
    return {k for k, n in Counter(keys).items() if n > 1}


@dataclass(frozen=True)
class PracticeInput:
    code: str
    name: str
    list_size: int


@dataclass(frozen=True)
class PCNInput:
    code: str
    name: str
    place_code: str
    place_name: str
    system_code: str
    system_name: str
    list_size: int
    cd_roles: int = 100  # sum of the PCN's CD shares in percent: one CD, or a 50/50 job share, is 100
    practices: tuple[PracticeInput, ...] = ()


_BLEND = re.compile(r"blend:(\d{1,3})")


@dataclass(frozen=True)
class Basis:
    """How the development pot is shared: by list size, equally per PCN, or a blend (N% equal)."""

    kind: BasisKind = "list-size"
    equal_percent: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("list-size", "equal", "blend"):
            raise ValueError(f"Unknown basis {self.kind!r}: use list-size, equal or blend:N")
        if self.kind == "blend" and not 0 <= self.equal_percent <= 100:
            raise ValueError(f"The blend's equal share must be 0 to 100 percent (got {self.equal_percent})")
        if self.kind != "blend" and self.equal_percent != 0:
            raise ValueError(f"Only a blend has an equal share; use blend:{self.equal_percent}")

    @classmethod
    def parse(cls, text: str) -> "Basis":
        """'list-size', 'equal' or 'blend:N' (N a whole number of percent, 0 to 100, shared equally)."""
        value = str(text).strip()
        if value in ("list-size", "equal"):
            return cls(cast(BasisKind, value))
        match = _BLEND.fullmatch(value)
        if match and int(match.group(1)) <= 100:
            return cls("blend", int(match.group(1)))
        raise ValueError(
            f"Unknown basis {text!r}: use list-size, equal or blend:N where N is a whole number from 0 to 100"
        )

    def __str__(self) -> str:
        return f"blend:{self.equal_percent}" if self.kind == "blend" else self.kind

    def weights(self, list_sizes: Sequence[int]) -> list[int]:
        """Exact integer weights: the rational blend N/100 * 1/P + (100-N)/100 * l/L scaled by 100*P*L."""
        if self.kind == "list-size":
            return list(list_sizes)
        if self.kind == "equal":
            return [1] * len(list_sizes)
        n, whole, count = self.equal_percent, sum(list_sizes), len(list_sizes)
        return [n * whole + (100 - n) * size * count for size in list_sizes]


@dataclass(frozen=True)
class AllocationRow:
    level: Level
    code: str
    name: str
    parent_code: str | None  # None for a system (its parent is the national total)
    list_size: int
    pcn_count: int
    development_pence: int
    cd_pence: int
    total_pence: int


@dataclass(frozen=True)
class Allocation:
    total_pence: int
    basis: Basis
    cd_share_bp: int
    cd_split: CdSplit
    rows: tuple[AllocationRow, ...]

    @property
    def cd_pot_pence(self) -> int:
        return self.total_pence * self.cd_share_bp // 10000

    @property
    def development_pot_pence(self) -> int:
        return self.total_pence - self.cd_pot_pence

    @cached_property
    def _index(self) -> dict[tuple[str, str], AllocationRow]:
        return {(r.level, r.code): r for r in self.rows}

    def by_level(self, level: Level) -> list[AllocationRow]:
        if level not in LEVELS:
            raise ValueError(f"Unknown level {level!r}: use system, place or pcn")
        return [r for r in self.rows if r.level == level]

    def row(self, level: Level, code: str) -> AllocationRow:
        try:
            return self._index[(level, code)]
        except KeyError:
            raise KeyError(f"No {level} {code!r} in this allocation") from None


def _validate(total_pence: int, pcns: Sequence[PCNInput], cd_share_bp: int, cd_split: str) -> None:
    if total_pence < 0:
        raise ValueError(f"The total must not be negative (got {total_pence} pence)")
    if not 0 <= cd_share_bp <= 10000:
        raise ValueError(f"The CD share must be 0 to 10000 basis points (0% to 100%), got {cd_share_bp}")
    if cd_split not in CD_SPLITS:
        raise ValueError(f"Unknown CD split {cd_split!r}: use {', '.join(CD_SPLITS)}")
    if total_pence > 0 and not pcns:
        raise ValueError("There are no PCNs in scope to allocate to")
    repeated = _repeated(p.code for p in pcns)
    if repeated:
        raise ValueError(f"PCN codes must be unique; repeated: {', '.join(sorted(repeated))}")
    for p in pcns:
        if p.list_size < 0:
            raise ValueError(f"PCN {p.code} has a negative list size ({p.list_size})")
        if p.cd_roles < 0:
            raise ValueError(f"PCN {p.code} has negative CD roles ({p.cd_roles})")
    systems: dict[str, str] = {}
    for p in pcns:
        other = systems.setdefault(p.place_code, p.system_code)
        if other != p.system_code:
            raise ValueError(
                f"Place {p.place_code} is listed under two systems ({' and '.join(sorted((other, p.system_code)))})"
            )


def _cd_weights(pcns: Sequence[PCNInput], cd_split: str) -> list[int]:
    if cd_split == "per-pcn":
        return [1] * len(pcns)
    if cd_split == "per-cd":
        return [p.cd_roles for p in pcns]
    return [p.list_size for p in pcns]


def allocate(
    total_pence: int,
    pcns: Sequence[PCNInput],
    basis: Basis | str,
    cd_share_bp: int = 1000,
    cd_split: str = "per-pcn",
) -> Allocation:
    """Allocate `total_pence` to the PCNs in scope, and sum upward to places, systems and the total.

    The CD slice (cd_share_bp of the total, rounded down) is split by `cd_split`; the rest is split by `basis`.
    Leftover pennies of the CD pot go to PCNs with larger list sizes first (then by code), so under the
    list-size basis a bigger PCN never gets less in total than a smaller one.
    """
    basis = basis if isinstance(basis, Basis) else Basis.parse(basis)
    _validate(total_pence, pcns, cd_share_bp, cd_split)
    ordered = sorted(pcns, key=lambda p: p.code)
    sizes = [p.list_size for p in ordered]
    cd_pot = total_pence * cd_share_bp // 10000
    by_code = list(range(len(ordered)))
    by_size = sorted(by_code, key=lambda i: -sizes[i])  # stable: ties stay in code order
    development = _apportion(total_pence - cd_pot, basis.weights(sizes), by_code)
    cd = _apportion(cd_pot, _cd_weights(ordered, cd_split), by_size)
    rows = _tree_rows(ordered, development, cd)
    return Allocation(total_pence, basis, cd_share_bp, cast(CdSplit, cd_split), rows)


def _pcn_row(p: PCNInput, dev: int, cd: int) -> AllocationRow:
    return AllocationRow("pcn", p.code, p.name, p.place_code, p.list_size, 1, dev, cd, dev + cd)


def _sum_row(
    level: Level, code: str, name: str, parent: str | None, kids: list[AllocationRow]
) -> AllocationRow:
    dev, cd = sum(k.development_pence for k in kids), sum(k.cd_pence for k in kids)
    size, count = sum(k.list_size for k in kids), sum(k.pcn_count for k in kids)
    return AllocationRow(level, code, name, parent, size, count, dev, cd, dev + cd)


def _tree_rows(
    ordered: Sequence[PCNInput], development: Sequence[int], cd: Sequence[int]
) -> tuple[AllocationRow, ...]:
    """Depth-first rows: each system, then each of its places followed by that place's PCNs (all by code)."""
    tree: dict[str, dict[str, list[AllocationRow]]] = defaultdict(lambda: defaultdict(list))
    system_names: dict[str, str] = {}
    place_names: dict[str, str] = {}
    for p, dev, c in zip(ordered, development, cd, strict=True):
        tree[p.system_code][p.place_code].append(_pcn_row(p, dev, c))
        system_names.setdefault(p.system_code, p.system_name)
        place_names.setdefault(p.place_code, p.place_name)
    rows: list[AllocationRow] = []
    for system_code in sorted(tree):
        places = tree[system_code]
        block: list[AllocationRow] = []
        place_rows: list[AllocationRow] = []
        for place_code in sorted(places):
            kids = places[place_code]
            place_row = _sum_row("place", place_code, place_names[place_code], system_code, kids)
            place_rows.append(place_row)
            block += [place_row, *kids]
        rows += [_sum_row("system", system_code, system_names[system_code], None, place_rows), *block]
    return tuple(rows)


def practice_shares(row: AllocationRow, practices: Sequence[PracticeInput]) -> list[tuple[str, int]]:
    """A PCN's development money split among its practices by list size (for information only)."""
    if row.level != "pcn":
        raise ValueError(f"Practice shares are for a PCN row, not a {row.level} row")
    codes = [p.code for p in practices]
    parts = largest_remainder(row.development_pence, [p.list_size for p in practices], codes)
    return list(zip(codes, parts, strict=True))


def cd_shares(cd_pence: int, shares: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """A PCN's CD amount split among job-sharing clinical directors by their share percent, exactly."""
    if any(not 0 <= percent <= 100 for _, percent in shares):
        raise ValueError("Each clinical director's share must be 0 to 100 percent")
    codes = [code for code, _ in shares]
    parts = largest_remainder(cd_pence, [percent for _, percent in shares], codes)
    return list(zip(codes, parts, strict=True))


def unallocated_report(
    total_pence: int, allocated_list_size: int, unallocated_patients: int, unallocated_practices: int
) -> dict[str, int]:
    """Practices and patients outside every PCN, and what those patients would have drawn by list size."""
    if min(total_pence, allocated_list_size, unallocated_patients, unallocated_practices) < 0:
        raise ValueError("The total, list sizes and counts must not be negative")
    everyone = allocated_list_size + unallocated_patients
    would_draw = total_pence * unallocated_patients // everyone if everyone else 0
    return {
        "practices": unallocated_practices,
        "patients": unallocated_patients,
        "would_draw_pence": would_draw,
    }


@dataclass(frozen=True)
class RowChange:
    code: str
    name: str
    old_total: int
    new_total: int
    change_pence: int
    change_bp: int | None  # change in basis points of the old total, rounded half away from zero


def _bp_of(change: int, old: int) -> int | None:
    if old == 0:
        return None
    magnitude = (abs(change) * 20000 + old) // (2 * old)
    return magnitude if change >= 0 else -magnitude


def diff(old: Allocation, new: Allocation) -> list[RowChange]:
    """PCN-by-PCN changes between two runs, by code; a PCN in only one run counts 0 on the other side."""
    before = {r.code: r for r in old.by_level("pcn")}
    after = {r.code: r for r in new.by_level("pcn")}
    changes: list[RowChange] = []
    for code in sorted(before.keys() | after.keys()):
        was, now = before.get(code), after.get(code)
        old_total = was.total_pence if was else 0
        new_total = now.total_pence if now else 0
        name = now.name if now else was.name if was else ""
        change = new_total - old_total
        changes.append(RowChange(code, name, old_total, new_total, change, _bp_of(change, old_total)))
    return changes


class NHSInputs(NamedTuple):
    pcns: list[PCNInput]
    unallocated_practices: int  # practices in the mapping with PCN code U
    unallocated_patients: int


def _read_rows(path: Path | str, needed: set[str]) -> list[dict[str, str]]:
    with Path(path).open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = needed - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{Path(path).name} lacks the column(s) {', '.join(sorted(missing))}")
        return list(reader)


def read_list_sizes(path: Path | str) -> dict[str, int]:
    """Practice code → registered patients from an NHS Digital 'gp-reg-pat-prac-all' file (all persons rows)."""
    rows = _read_rows(path, {"CODE", "NUMBER_OF_PATIENTS"})
    return {
        r["CODE"]: int(r["NUMBER_OF_PATIENTS"])
        for r in rows
        if r.get("SEX", "ALL") == "ALL" and r.get("AGE", "ALL") == "ALL"
    }


def pcn_inputs_from_nhs_csv(map_path: Path | str, list_path: Path | str) -> NHSInputs:
    """Engine inputs from NHS Digital's practice mapping and list-size files.

    PCN code U is unallocated; a practice missing from the list-size file counts as 0 patients; a PCN's
    place is the CCG holding most of its patients (ties: lowest code) and its system that CCG's STP.
    """
    needed = {f"{what}_{part}" for what in ("PRACTICE", "PCN", "CCG", "STP") for part in ("CODE", "NAME")}
    mapping = _read_rows(map_path, needed)
    sizes = read_list_sizes(list_path)
    places: dict[str, tuple[str, str, str]] = {}  # CCG → (name, STP code, STP name)
    members: dict[str, list[dict[str, str]]] = defaultdict(list)
    loose_practices = loose_patients = 0
    for r in mapping:
        places.setdefault(r["CCG_CODE"], (r["CCG_NAME"], r["STP_CODE"], r["STP_NAME"]))
        if r["PCN_CODE"] == "U":
            loose_practices += 1
            loose_patients += sizes.get(r["PRACTICE_CODE"], 0)
        else:
            members[r["PCN_CODE"]].append(r)
    pcns: list[PCNInput] = []
    for code in sorted(members):
        rows = members[code]
        practices = tuple(
            PracticeInput(r["PRACTICE_CODE"], r["PRACTICE_NAME"], sizes.get(r["PRACTICE_CODE"], 0))
            for r in rows
        )
        by_ccg: dict[str, int] = defaultdict(int)
        for r, p in zip(rows, practices, strict=True):
            by_ccg[r["CCG_CODE"]] += p.list_size
        place = min(by_ccg, key=lambda ccg: (-by_ccg[ccg], ccg))
        size = sum(p.list_size for p in practices)
        pcns.append(PCNInput(code, rows[0]["PCN_NAME"], place, *places[place], size, practices=practices))
    return NHSInputs(pcns, loose_practices, loose_patients)
