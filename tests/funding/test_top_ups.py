import pytest

from pcndev.funding.ledger import balances_by
from pcndev.funding.models import LedgerEntry
from pcndev.funding.top_ups import TopUpError, add_top_up
from tests.builders import build_tree
from tests.funding.builders import make_programme


@pytest.fixture
def setup(db):
    tree = build_tree(regions=1, systems=1, places=2, pcns=3, practices=1, unallocated=0)
    return make_programme(), tree


def test_a_place_top_up_is_spread_by_list_size_and_kept_apart_from_national_money(setup):
    programme, tree = setup
    place = tree.places[0]
    add_top_up(programme, place, 600_00, "CCG primary care budget")
    entries = LedgerEntry.objects.filter(kind="top_up", fund="local").order_by("pcn__code")
    assert [e.pcn.place_id for e in entries] == [place.id] * 3
    # practices have 1,000, 2,000 and 3,000 patients: £100, £200 and £300
    assert [e.amount_pence for e in entries] == [100_00, 200_00, 300_00]
    local = balances_by(programme, "place", [place.id], fund="local")[place.id]
    national = balances_by(programme, "place", [place.id], fund="national")[place.id]
    assert local.topped_up == 600_00 and national.funds == 0


def test_a_top_up_can_go_to_one_pcn_or_be_spread_equally(setup):
    programme, tree = setup
    add_top_up(programme, tree.pcns[0], 123, "Federation reserves")
    add_top_up(programme, tree.systems[0], 100, "ICS transformation fund", spread="equal")
    amounts = sorted(LedgerEntry.objects.filter(kind="top_up").values_list("amount_pence", flat=True))
    assert sum(amounts) == 223 and amounts.count(123) == 1
    assert sorted(a for a in amounts if a != 123) == [16, 16, 17, 17, 17, 17]


@pytest.mark.parametrize(
    ("amount", "source", "spread", "message"),
    [
        (0, "x", "list-size", "Enter an amount of more than £0.00"),
        (-1, "x", "list-size", "Enter an amount of more than £0.00"),
        (100, " ", "list-size", "Say where the money comes from"),
        (100, "x", "random", "Spread must be one of list-size, equal"),
    ],
)
def test_bad_top_ups_are_refused_and_write_nothing(setup, amount, source, spread, message):
    programme, tree = setup
    with pytest.raises(TopUpError, match=message):
        add_top_up(programme, tree.places[0], amount, source, spread=spread)
    assert not LedgerEntry.objects.exists()
