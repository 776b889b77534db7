"""The allocation engine: worked examples, properties (hypothesis) and every refusal. Pure: no database."""

import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pcndev.funding.allocation import (
    Allocation,
    Basis,
    PCNInput,
    PracticeInput,
    RowChange,
    allocate,
    cd_shares,
    diff,
    largest_remainder,
    practice_shares,
    unallocated_report,
)


def pcn(code: str, size: int, place: str = "P1", system: str = "S1", cd_roles: int = 100) -> PCNInput:
    return PCNInput(code, f"{code} PCN", place, f"Place {place}", system, f"System {system}", size, cd_roles)


def totals(a: Allocation, level: str = "pcn") -> dict[str, int]:
    return {r.code: r.total_pence for r in a.by_level(level)}


# --- largest_remainder ------------------------------------------------------------------------------------


def test_largest_remainder_hands_leftover_pennies_to_the_largest_remainders():
    # 100 * (1, 2, 4) / 7 = 14.29, 28.57, 57.14 → floors 14, 28, 57 (99); the penny goes to 28.57
    assert largest_remainder(100, [1, 2, 4], ["a", "b", "c"]) == [14, 29, 57]


def test_largest_remainder_breaks_ties_by_key_not_position():
    assert largest_remainder(100, [1, 1, 1], ["c", "a", "b"]) == [33, 34, 33]
    assert largest_remainder(2, [1, 1, 1], ["c", "a", "b"]) == [0, 1, 1]


def test_largest_remainder_all_zero_weights_split_equally():
    assert largest_remainder(10, [0, 0, 0], ["x", "y", "z"]) == [4, 3, 3]


def test_largest_remainder_zero_weight_gets_nothing():
    assert largest_remainder(10, [0, 1, 2], ["a", "b", "c"]) == [0, 3, 7]


def test_largest_remainder_empty():
    assert largest_remainder(0, [], []) == []


@pytest.mark.parametrize(
    ("total", "weights", "keys", "message"),
    [
        (-1, [1], ["a"], "must not be negative"),
        (10, [1, -1], ["a", "b"], "Weights must not be negative"),
        (10, [1, 2], ["a"], "Got 2 weights but 1 keys"),
        (10, [1, 2], ["a", "a"], "Keys must be unique; repeated: a"),
        (10, [], [], "nothing to split a positive total between"),
    ],
)
def test_largest_remainder_refusals(total, weights, keys, message):
    with pytest.raises(ValueError, match=message):
        largest_remainder(total, weights, keys)


@given(
    st.integers(0, 10**12),
    st.lists(st.integers(0, 10**7), min_size=1, max_size=40),
)
def test_largest_remainder_is_exact_and_within_a_penny(total, weights):
    keys = [f"k{i:03}" for i in range(len(weights))]
    parts = largest_remainder(total, weights, keys)
    assert sum(parts) == total
    whole = sum(weights) or len(weights)
    effective = weights if sum(weights) else [1] * len(weights)
    for part, w in zip(parts, effective, strict=True):
        assert abs(Fraction(part) - Fraction(total * w, whole)) < 1
        assert part >= 0


# --- Basis ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("list-size", Basis("list-size")),
        ("equal", Basis("equal")),
        ("blend:50", Basis("blend", 50)),
        ("blend:0", Basis("blend", 0)),
        ("blend:100", Basis("blend", 100)),
        (" blend:7 ", Basis("blend", 7)),
    ],
)
def test_basis_parse(text, expected):
    assert Basis.parse(text) == expected
    assert Basis.parse(str(expected)) == expected


@pytest.mark.parametrize(
    "text", ["", "list", "Equal", "blend", "blend:", "blend:101", "blend:-5", "blend:5.5", "blend:x"]
)
def test_basis_parse_refuses(text):
    with pytest.raises(
        ValueError, match="use list-size, equal or blend:N where N is a whole number from 0 to 100"
    ):
        Basis.parse(text)


def test_basis_constructor_refuses_nonsense():
    with pytest.raises(ValueError, match="Unknown basis 'capitation'"):
        Basis("capitation")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must be 0 to 100 percent"):
        Basis("blend", 150)
    with pytest.raises(ValueError, match="Only a blend has an equal share"):
        Basis("equal", 20)


def test_blend_weights_are_the_exact_rational_blend_scaled_to_integers():
    # N*L + (100-N)*l*P with L = 7, P = 3, N = 50
    assert Basis.parse("blend:50").weights([1, 2, 4]) == [500, 650, 950]
    assert Basis.parse("blend:0").weights([1, 2, 4]) == [300, 600, 1200]  # proportional to list size
    assert Basis.parse("blend:100").weights([1, 2, 4]) == [700, 700, 700]  # equal


# --- Worked examples --------------------------------------------------------------------------------------

SIX_PLACES = {  # place → (system, list size): 1,134,000 patients, so £1,134,000 is exactly £1 a patient
    "P1": ("S1", 300_000),
    "P2": ("S1", 250_000),
    "P3": ("S1", 200_000),
    "P4": ("S2", 180_000),
    "P5": ("S2", 120_000),
    "P6": ("S2", 84_000),
}


def six_places() -> list[PCNInput]:
    # two PCNs per place, splitting the place's list 3:2
    return [
        pcn(f"{place}{suffix}", size * share // 5, place, system)
        for place, (system, size) in SIX_PLACES.items()
        for suffix, share in (("A", 3), ("B", 2))
    ]


def test_1134000_over_six_places_by_list_size():
    a = allocate(113_400_000, six_places(), Basis.parse("list-size"), cd_share_bp=0)
    assert totals(a, "place") == {place: 100 * size for place, (_, size) in SIX_PLACES.items()}
    assert totals(a, "system") == {"S1": 75_000_000, "S2": 38_400_000}
    assert a.row("pcn", "P1A").total_pence == 18_000_000
    assert a.row("pcn", "P6B").total_pence == 3_360_000


def test_1134000_with_a_10_percent_cd_slice_split_by_list_size():
    a = allocate(113_400_000, six_places(), Basis.parse("list-size"), cd_share_bp=1000, cd_split="list-size")
    assert a.cd_pot_pence == 11_340_000 and a.development_pot_pence == 102_060_000
    for row in a.rows:  # 90p a patient for development, 10p for CDs
        assert (row.development_pence, row.cd_pence) == (90 * row.list_size, 10 * row.list_size)


KINGSTON = {"U1": 38_123, "U2": 41_877, "U3": 29_450, "U4": 35_602, "U5": 46_918}


def test_kingston_like_place_pcns_sum_to_the_place():
    pcns = [pcn(code, size, "08J", "QKK") for code, size in KINGSTON.items()]
    a = allocate(50_000_000, pcns, Basis.parse("list-size"))
    # development 45,000,000 * size / 191,970: floors 8,936,474 9,816,455 6,903,422 8,345,522 10,998,124 (sum
    # 44,999,997); the 3 pennies go to the remainders .738 (U4), .707 (U5) and .696 (U2)
    assert {r.code: r.development_pence for r in a.by_level("pcn")} == {
        "U1": 8_936_474,
        "U2": 9_816_456,
        "U3": 6_903_422,
        "U4": 8_345_523,
        "U5": 10_998_125,
    }
    assert {r.cd_pence for r in a.by_level("pcn")} == {1_000_000}
    place = a.row("place", "08J")
    assert place.total_pence == sum(r.total_pence for r in a.by_level("pcn")) == 50_000_000
    assert (place.list_size, place.pcn_count, place.parent_code) == (191_970, 5, "QKK")


def test_kingston_inside_a_bigger_scope_still_adds_up():
    pcns = [pcn(code, size, "08J", "QKK") for code, size in KINGSTON.items()] + six_places()
    a = allocate(4_350_000_000, pcns, Basis.parse("list-size"))
    kingston = [r for r in a.by_level("pcn") if r.parent_code == "08J"]
    assert (
        sum(r.total_pence for r in kingston)
        == a.row("place", "08J").total_pence
        == a.row("system", "QKK").total_pence
    )


def test_three_pcns_equal_split_of_100p_goes_34_33_33_in_code_order():
    pcns = [pcn("U3", 500), pcn("U1", 100), pcn("U2", 900)]
    a = allocate(100, pcns, Basis.parse("equal"), cd_share_bp=0)
    assert totals(a) == {"U1": 34, "U2": 33, "U3": 33}


def test_blend_50_by_hand():
    # 1000p, list sizes 1, 2, 4: half equally (166.67 each), half by list (71.43, 142.86, 285.71)
    # = 238.10, 309.52, 452.38 → floors 238, 309, 452 and the penny to the largest remainder, .52
    pcns = [pcn("A", 1), pcn("B", 2), pcn("C", 4)]
    a = allocate(1000, pcns, Basis.parse("blend:50"), cd_share_bp=0)
    assert totals(a) == {"A": 238, "B": 310, "C": 452}


def test_blend_50_two_pcns_exact():
    a = allocate(100_000, [pcn("A", 30_000), pcn("B", 10_000)], Basis.parse("blend:50"), cd_share_bp=0)
    assert totals(a) == {"A": 25_000 + 37_500, "B": 25_000 + 12_500}


def test_cd_ten_percent_per_pcn():
    pcns = [pcn("A", 10_000), pcn("B", 20_000), pcn("C", 30_000)]
    a = allocate(1_000_000, pcns, Basis.parse("list-size"))
    # CD pot 100,000 split 3 ways: the leftover penny goes to the largest list (C), so bigger never gets less
    assert {r.code: r.cd_pence for r in a.by_level("pcn")} == {"A": 33_333, "B": 33_333, "C": 33_334}
    assert {r.code: r.development_pence for r in a.by_level("pcn")} == {
        "A": 150_000,
        "B": 300_000,
        "C": 450_000,
    }
    assert totals(a) == {"A": 183_333, "B": 333_333, "C": 483_334}
    assert a.row("system", "S1").cd_pence == 100_000


def test_cd_leftover_pennies_favour_the_bigger_list_whatever_its_code():
    # all the money is CD money, split per PCN: by code alone A would get the penny and B, twice A's size, less
    a = allocate(1, [pcn("A", 1), pcn("B", 2)], Basis.parse("list-size"), cd_share_bp=10_000)
    assert totals(a) == {"A": 0, "B": 1}


def test_cd_per_cd_counts_roles():
    pcns = [pcn("A", 10_000, cd_roles=100), pcn("B", 10_000, cd_roles=200), pcn("C", 10_000, cd_roles=100)]
    a = allocate(1_000_000, pcns, Basis.parse("equal"), cd_split="per-cd")
    assert {r.code: r.cd_pence for r in a.by_level("pcn")} == {"A": 25_000, "B": 50_000, "C": 25_000}


def test_cd_split_by_list_size():
    pcns = [pcn("A", 10_000), pcn("B", 30_000)]
    a = allocate(1_000_000, pcns, Basis.parse("equal"), cd_share_bp=2000, cd_split="list-size")
    assert {r.code: r.cd_pence for r in a.by_level("pcn")} == {"A": 50_000, "B": 150_000}
    assert {r.code: r.development_pence for r in a.by_level("pcn")} == {"A": 400_000, "B": 400_000}


def test_job_share_60_40():
    assert cd_shares(346_890, [("DR-A", 60), ("DR-B", 40)]) == [("DR-A", 208_134), ("DR-B", 138_756)]
    assert cd_shares(1_001, [("DR-B", 40), ("DR-A", 60)]) == [("DR-B", 400), ("DR-A", 601)]
    assert cd_shares(5, [("y", 50), ("x", 50)]) == [("y", 2), ("x", 3)]


def test_cd_shares_refuses_impossible_percentages():
    with pytest.raises(ValueError, match="share must be 0 to 100 percent"):
        cd_shares(100, [("a", 120)])


def test_practice_shares_split_development_money_by_list_size():
    a = allocate(1_000_000, [pcn("A", 10_000)], Basis.parse("list-size"))
    practices = [
        PracticeInput("P1", "One", 2_500),
        PracticeInput("P2", "Two", 7_500),
        PracticeInput("P3", "Three", 0),
    ]
    assert practice_shares(a.row("pcn", "A"), practices) == [("P1", 225_000), ("P2", 675_000), ("P3", 0)]
    with pytest.raises(ValueError, match="for a PCN row, not a place row"):
        practice_shares(a.row("place", "P1"), practices)


def test_rows_are_in_depth_first_tree_order():
    pcns = [
        pcn("Z1", 5, "PB", "S2"),
        pcn("A1", 5, "PA", "S2"),
        pcn("M1", 5, "PC", "S1"),
        pcn("B1", 5, "PA", "S2"),
    ]
    a = allocate(1_000, pcns, Basis.parse("list-size"))
    assert [(r.level, r.code, r.parent_code) for r in a.rows] == [
        ("system", "S1", None),
        ("place", "PC", "S1"),
        ("pcn", "M1", "PC"),
        ("system", "S2", None),
        ("place", "PA", "S2"),
        ("pcn", "A1", "PA"),
        ("pcn", "B1", "PA"),
        ("place", "PB", "S2"),
        ("pcn", "Z1", "PB"),
    ]
    assert a.row("system", "S2").pcn_count == 3
    assert a.row("place", "PA").name == "Place PA"
    with pytest.raises(KeyError, match="No pcn 'nope'"):
        a.row("pcn", "nope")
    with pytest.raises(ValueError, match="Unknown level"):
        a.by_level("region")  # type: ignore[arg-type]


def test_zero_total_allocates_zeros_and_an_empty_scope_nothing():
    a = allocate(0, [pcn("A", 10), pcn("B", 20)], Basis.parse("list-size"))
    assert all(r.total_pence == r.development_pence == r.cd_pence == 0 for r in a.rows)
    assert allocate(0, [], Basis.parse("equal")).rows == ()


def test_basis_may_be_given_as_text():
    assert allocate(100, [pcn("A", 1)], "blend:20").basis == Basis("blend", 20)


def test_unallocated_report():
    assert unallocated_report(1_000, 900, 100, 3) == {
        "practices": 3,
        "patients": 100,
        "would_draw_pence": 100,
    }
    assert unallocated_report(4_350_000_000, 59_649_940, 237_358, 68)["would_draw_pence"] == 17_240_839
    assert unallocated_report(1_000, 0, 0, 0)["would_draw_pence"] == 0
    with pytest.raises(ValueError, match="must not be negative"):
        unallocated_report(1_000, 900, -1, 0)


def test_diff_compares_pcn_by_pcn():
    old = allocate(1_000, [pcn("A", 1), pcn("B", 1), pcn("C", 0)], Basis.parse("list-size"), cd_share_bp=0)
    new = allocate(1_500, [pcn("A", 1), pcn("C", 1), pcn("D", 1)], Basis.parse("list-size"), cd_share_bp=0)
    assert diff(old, new) == [
        RowChange("A", "A PCN", 500, 500, 0, 0),
        RowChange("B", "B PCN", 500, 0, -500, -10_000),
        RowChange("C", "C PCN", 0, 500, 500, None),
        RowChange("D", "D PCN", 0, 500, 500, None),
    ]
    third = allocate(1_000, [pcn("A", 2), pcn("B", 1)], Basis.parse("list-size"), cd_share_bp=0)
    # A 500 → 667: +33.4% = 3,340 bp; B 500 → 333: -33.4%
    assert [(c.change_pence, c.change_bp) for c in diff(old, third)[:2]] == [(167, 3_340), (-167, -3_340)]


# --- Refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "pcns", "kw", "message"),
    [
        (-1, [pcn("A", 1)], {}, r"The total must not be negative \(got -1 pence\)"),
        (100, [pcn("A", 1)], {"cd_share_bp": 10_001}, "CD share must be 0 to 10000 basis points"),
        (100, [pcn("A", 1)], {"cd_share_bp": -1}, "CD share must be 0 to 10000 basis points"),
        (
            100,
            [pcn("A", 1)],
            {"cd_split": "per-head"},
            "Unknown CD split 'per-head': use per-pcn, per-cd, list-size",
        ),
        (100, [], {}, "no PCNs in scope to allocate to"),
        (100, [pcn("A", 1), pcn("A", 2), pcn("B", 1)], {}, "PCN codes must be unique; repeated: A"),
        (100, [pcn("A", -5)], {}, r"PCN A has a negative list size \(-5\)"),
        (100, [pcn("A", 5, cd_roles=-100)], {}, r"PCN A has negative CD roles \(-100\)"),
        (
            100,
            [pcn("A", 1, "P1", "S1"), pcn("B", 1, "P1", "S2")],
            {},
            r"Place P1 is listed under two systems \(S1 and S2\)",
        ),
    ],
)
def test_allocate_refusals(total, pcns, kw, message):
    with pytest.raises(ValueError, match=message):
        allocate(total, pcns, Basis.parse("list-size"), **kw)


def test_allocate_refuses_an_unknown_basis_text():
    with pytest.raises(ValueError, match="Unknown basis 'per-head'"):
        allocate(100, [pcn("A", 1)], "per-head")


def test_engine_does_not_import_django():
    code = (
        "import sys, pcndev.funding.allocation; print(any(m.split('.')[0] == 'django' for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- Properties -------------------------------------------------------------------------------------------

PLACES = {f"P{i}": f"S{i % 3}" for i in range(6)}  # six places in three systems


@st.composite
def scopes(draw, min_size: int = 1, max_size: int = 30) -> list[PCNInput]:
    codes = draw(
        st.lists(
            st.from_regex(r"U[0-9]{3}", fullmatch=True), min_size=min_size, max_size=max_size, unique=True
        )
    )
    pcns = []
    for code in codes:
        place = draw(st.sampled_from(sorted(PLACES)))
        size = draw(st.integers(0, 300_000))
        roles = draw(st.integers(0, 300))
        pcns.append(pcn(code, size, place, PLACES[place], roles))
    return pcns


bases = st.one_of(
    st.sampled_from([Basis("list-size"), Basis("equal")]),
    st.integers(0, 100).map(lambda n: Basis("blend", n)),
)
pots = st.integers(0, 10**11)
cd_bps = st.integers(0, 10_000)
cd_splits = st.sampled_from(["per-pcn", "per-cd", "list-size"])


@settings(max_examples=200)
@given(scopes(), pots, bases, cd_bps, cd_splits)
def test_every_level_sums_exactly(pcns, total, basis, bp, split):
    a = allocate(total, pcns, basis, bp, split)
    for row in a.rows:
        assert row.development_pence + row.cd_pence == row.total_pence
        assert min(row.development_pence, row.cd_pence) >= 0
        if row.level != "pcn":
            kids = [r for r in a.rows if r.parent_code == row.code and r.level != row.level]
            for field in ("development_pence", "cd_pence", "total_pence", "list_size", "pcn_count"):
                assert getattr(row, field) == sum(getattr(k, field) for k in kids), (row.code, field)
    for level in ("system", "place", "pcn"):
        assert sum(r.total_pence for r in a.by_level(level)) == total
    assert sum(r.cd_pence for r in a.by_level("system")) == a.cd_pot_pence == total * bp // 10_000
    assert len(a.by_level("pcn")) == len(pcns)


def _monotonic(a: Allocation, field: str) -> bool:
    rows = a.by_level("pcn")
    return all(
        getattr(x, field) >= getattr(y, field) for x in rows for y in rows if x.list_size > y.list_size
    )


@settings(max_examples=200)
@given(scopes(max_size=40), pots, cd_bps, st.sampled_from(["per-pcn", "list-size"]))
def test_list_size_basis_is_monotonic_across_the_scope(pcns, total, bp, split):
    a = allocate(total, pcns, Basis.parse("list-size"), bp, split)
    assert _monotonic(a, "development_pence")
    assert _monotonic(a, "total_pence")


@given(scopes(max_size=40), pots, cd_bps)
def test_per_cd_with_one_cd_each_is_monotonic_too(pcns, total, bp):
    pcns = [PCNInput(**{**p.__dict__, "cd_roles": 100}) for p in pcns]
    assert _monotonic(allocate(total, pcns, Basis.parse("list-size"), bp, "per-cd"), "total_pence")


@given(st.data(), scopes(), pots, bases, cd_bps, cd_splits)
def test_input_order_does_not_matter(data, pcns, total, basis, bp, split):
    shuffled = data.draw(st.permutations(pcns))
    assert allocate(total, shuffled, basis, bp, split) == allocate(total, pcns, basis, bp, split)


@given(scopes(), pots, bases, cd_bps, cd_splits)
def test_rerun_is_identical(pcns, total, basis, bp, split):
    first = allocate(total, pcns, basis, bp, split)
    assert allocate(total, list(pcns), basis, bp, split) == first
    assert diff(first, first) == [
        RowChange(r.code, r.name, r.total_pence, r.total_pence, 0, 0 if r.total_pence else None)
        for r in sorted(first.by_level("pcn"), key=lambda r: r.code)
    ]


@given(st.integers(0, 10**9), st.lists(st.integers(0, 100), min_size=1, max_size=4))
def test_cd_shares_are_exact(cd_pence, percents):
    shares = [(f"CD{i}", p) for i, p in enumerate(percents)]
    assert sum(pence for _, pence in cd_shares(cd_pence, shares)) == cd_pence
