"""The engine on the real national files in ../shared/data/nhs (counts from their README), when they are present.

The seed check: £43.5m (2019/20) with a 10% clinical director slice split per PCN gives every one of the 1,254
PCNs between £3,000 and £4,000 for CD development, as the national guidance expected.
"""

import os
from pathlib import Path

import pytest

from pcndev.funding.allocation import (
    Allocation,
    Basis,
    NHSInputs,
    allocate,
    pcn_inputs_from_nhs_csv,
    practice_shares,
    unallocated_report,
)

NHS_DIR = Path(
    os.environ.get("PCNDEV_NHS_DATA_DIR") or Path(__file__).resolve().parents[3] / "shared" / "data" / "nhs"
)
MAPPING = NHS_DIR / "gp-reg-pat-prac-map-2022-01.csv"
LIST_SIZES = NHS_DIR / "gp-reg-pat-prac-all-2021-01.csv"
POT_2019 = 4_350_000_000  # £43.5m
POT_2020 = 4_370_000_000  # £43.7m

pytestmark = pytest.mark.nhsdata


@pytest.fixture(scope="module")
def national() -> NHSInputs:
    if not (MAPPING.exists() and LIST_SIZES.exists()):
        pytest.skip(f"shared NHS files not found in {NHS_DIR} (set PCNDEV_NHS_DATA_DIR to point at them)")
    return pcn_inputs_from_nhs_csv(MAPPING, LIST_SIZES)


def test_inputs_match_the_readme(national):
    assert len(national.pcns) == 1_254
    assert sum(len(p.practices) for p in national.pcns) == 6_527 - 68
    assert (national.unallocated_practices, national.unallocated_patients) == (68, 237_358)
    assert sum(p.list_size for p in national.pcns) == 59_649_940
    assert min(p.list_size for p in national.pcns) == 9_222
    barnsley = max(national.pcns, key=lambda p: p.list_size)
    assert (barnsley.name, barnsley.list_size, len(barnsley.practices)) == ("BARNSLEY PCN", 264_141, 32)
    u39721 = next(p for p in national.pcns if p.code == "U39721")
    assert {q.code: q.list_size for q in u39721.practices}["Y07020"] == 0  # opened after January 2021


def _assert_exact(a: Allocation, pot: int) -> None:
    for level in ("system", "place", "pcn"):
        assert sum(r.total_pence for r in a.by_level(level)) == pot, level
    for place in a.by_level("place"):
        kids = [r for r in a.by_level("pcn") if r.parent_code == place.code]
        assert sum(r.total_pence for r in kids) == place.total_pence


@pytest.mark.parametrize("pot", [POT_2019, POT_2020])
def test_national_pot_allocates_exactly_and_every_cd_gets_3000_to_4000(national, pot):
    a = allocate(pot, national.pcns, Basis.parse("list-size"))
    assert len(a.by_level("system")) == 42
    assert len(a.by_level("place")) == 106
    assert len(a.by_level("pcn")) == 1_254
    _assert_exact(a, pot)
    cd = [r.cd_pence for r in a.by_level("pcn")]
    assert sum(cd) == pot // 10
    assert all(300_000 <= pence <= 400_000 for pence in cd), (min(cd), max(cd))
    assert max(cd) - min(cd) <= 1


def test_list_size_basis_is_monotonic_nationally(national):
    a = allocate(POT_2019, national.pcns, Basis.parse("list-size"))
    rows = sorted(a.by_level("pcn"), key=lambda r: (r.list_size, r.total_pence))
    best_smaller = {"development_pence": -1, "total_pence": -1}
    previous_size = -1
    running = dict(best_smaller)
    for r in rows:
        if r.list_size > previous_size:
            best_smaller, previous_size = dict(running), r.list_size
        for field in running:
            assert getattr(r, field) >= best_smaller[field], (r.code, field)
            running[field] = max(running[field], getattr(r, field))


@pytest.mark.parametrize("basis", ["equal", "blend:50"])
@pytest.mark.parametrize("split", ["per-cd", "list-size"])
def test_other_bases_and_cd_splits_add_up(national, basis, split):
    _assert_exact(allocate(POT_2019, national.pcns, Basis.parse(basis), cd_split=split), POT_2019)


def test_practice_shares_add_up_to_the_pcn(national):
    a = allocate(POT_2019, national.pcns, Basis.parse("list-size"))
    for p in national.pcns:
        row = a.row("pcn", p.code)
        assert sum(pence for _, pence in practice_shares(row, p.practices)) == row.development_pence


def test_unallocated_patients_would_have_drawn(national):
    allocated = sum(p.list_size for p in national.pcns)
    report = unallocated_report(
        POT_2019, allocated, national.unallocated_patients, national.unallocated_practices
    )
    assert report == {"practices": 68, "patients": 237_358, "would_draw_pence": 17_240_839}
