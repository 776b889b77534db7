"""Ledger rules: each refusal has a clear reason and writes nothing; corrections are reversals."""

import threading

import pytest
from django.db import connection

from pcndev.audit.models import AuditEvent
from pcndev.funding.ledger import LedgerRefused, balances_by, post
from pcndev.funding.ledger_rules import Balances, refusals
from pcndev.funding.models import LedgerEntry
from tests.builders import build_tree
from tests.funding.builders import make_programme


@pytest.fixture
def fund(db):
    tree = build_tree(regions=1, systems=1, places=2, pcns=2, practices=1, unallocated=0)
    programme = make_programme()
    pcn = tree.pcns[0]
    post(programme, pcn, "allocation", 100_000)
    return programme, pcn, tree


def _refused(programme, pcn, kind, amount, **kw) -> list[str]:
    before = LedgerEntry.objects.count()
    with pytest.raises(LedgerRefused) as caught:
        post(programme, pcn, kind, amount, **kw)
    assert LedgerEntry.objects.count() == before, "a refused entry must write nothing"
    return caught.value.reasons


def test_balances_follow_each_kind_of_entry(fund):
    programme, pcn, _ = fund
    post(programme, pcn, "top_up", 20_000, fund="local")
    post(programme, pcn, "commitment", 90_000)
    post(programme, pcn, "release", 60_000, reference="MOU-2019-01", payee="Federation")
    post(programme, pcn, "spend", 50_000)
    post(programme, pcn, "return", 5_000)
    b = balances_by(programme, "pcn", [pcn.id])[pcn.id]
    assert b == Balances(
        allocated=100_000, topped_up=20_000, committed=90_000, released=60_000, spent=50_000, returned=5_000
    )
    assert (b.available, b.unreleased, b.unspent) == (30_000, 30_000, 5_000)
    local = balances_by(programme, "pcn", [pcn.id], fund="local")[pcn.id]
    assert local.topped_up == 20_000 and local.allocated == 0
    assert AuditEvent.objects.filter(action__startswith="ledger.").count() == 6


def test_cannot_commit_beyond_what_is_available(fund):
    programme, pcn, _ = fund
    post(programme, pcn, "commitment", 60_000)
    reasons = _refused(programme, pcn, "commitment", 40_001)
    assert reasons == [
        f"{pcn.name}: Cannot commit £400.01: only £400.00 is available "
        "(allocated £1,000.00 + top-ups £0.00 − committed £600.00)"
    ]


def test_cannot_release_beyond_what_is_committed(fund):
    programme, pcn, _ = fund
    post(programme, pcn, "commitment", 30_000)
    post(programme, pcn, "release", 20_000)
    reasons = _refused(programme, pcn, "release", 10_001)
    assert reasons == [
        f"{pcn.name}: Cannot release £100.01: only £100.00 of committed money has not been released yet"
    ]


def test_cannot_report_spend_beyond_what_was_released(fund):
    programme, pcn, _ = fund
    post(programme, pcn, "commitment", 30_000)
    post(programme, pcn, "release", 10_000)
    reasons = _refused(programme, pcn, "spend", 10_001)
    assert reasons == [
        f"{pcn.name}: Cannot record £100.01: only £100.00 has been released and not yet spent or returned"
    ]


@pytest.mark.parametrize("amount", [0, -5, 1.5])
def test_amounts_must_be_positive_whole_pence(fund, amount):
    programme, pcn, _ = fund
    assert _refused(programme, pcn, "commitment", amount) == [
        f"{pcn.name}: Enter an amount of more than £0.00"
    ]


def test_a_reversal_corrects_an_entry_once_and_in_full(fund):
    programme, pcn, _ = fund
    wrong = post(programme, pcn, "commitment", 70_000)
    assert _refused(programme, pcn, "reversal", 1, reverses=wrong) == [
        f"{pcn.name}: A reversal must be for the whole amount of the entry it reverses"
    ]
    reversal = post(programme, pcn, "reversal", 70_000, reverses=wrong, note="keyed twice")
    assert balances_by(programme, "pcn", [pcn.id])[pcn.id].committed == 0
    assert _refused(programme, pcn, "reversal", 70_000, reverses=wrong) == [
        f"{pcn.name}: Entry {wrong.pk} has already been reversed"
    ]
    assert _refused(programme, pcn, "reversal", 70_000, reverses=reversal) == [
        f"{pcn.name}: A reversal cannot itself be reversed; post a new entry instead"
    ]
    with pytest.raises(ValueError, match="cannot be changed"):
        wrong.note = "edited"
        wrong.save()


def test_a_reversal_may_not_break_the_rules(fund):
    programme, pcn, _ = fund
    allocation = LedgerEntry.objects.get(kind="allocation")
    commitment = post(programme, pcn, "commitment", 50_000)
    post(programme, pcn, "release", 50_000)
    assert _refused(programme, pcn, "reversal", 100_000, reverses=allocation) == [
        f"{pcn.name}: Cannot reverse £1,000.00: £500.00 is already committed against funds of £1,000.00"
    ]
    assert _refused(programme, pcn, "reversal", 50_000, reverses=commitment) == [
        f"{pcn.name}: Cannot reverse £500.00: £500.00 has already been released against the commitments"
    ]


def test_a_reversal_must_match_programme_and_pcn(fund):
    programme, pcn, tree = fund
    other = tree.pcns[1]
    entry = LedgerEntry.objects.get(kind="allocation")
    assert _refused(programme, other, "reversal", entry.amount_pence, reverses=entry) == [
        f"{other.name}: The entry to reverse belongs to another programme or PCN"
    ]


def test_rules_alone_never_allow_negative_buckets():
    assert refusals(Balances(), "commitment", 1) == [
        "Cannot commit £0.01: only £0.00 is available (allocated £0.00 + top-ups £0.00 − committed £0.00)"
    ]
    assert refusals(Balances(allocated=5), "reversal", 5, reversing="allocation") == []
    assert refusals(Balances(allocated=5), "reversal", 6, reversing="allocation") == [
        "This would leave allocated below £0.00"
    ]
    assert refusals(Balances(), "bonus", 1) == ["Unknown kind of ledger entry: bonus"]


def test_balances_roll_up_to_places_and_systems(fund):
    programme, pcn, tree = fund
    for other in tree.pcns[1:]:
        post(programme, other, "allocation", 10_000)
    by_place = balances_by(programme, "place")
    by_system = balances_by(programme, "system")
    assert sum(b.allocated for b in by_place.values()) == 100_000 + 10_000 * (len(tree.pcns) - 1)
    assert by_system[tree.systems[0].id].allocated == sum(b.allocated for b in by_place.values())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locking race needs PostgreSQL (CI runs it there)"
)
def test_two_commitments_racing_for_the_last_pounds_cannot_both_succeed():
    tree = build_tree(regions=1, systems=1, places=1, pcns=1, practices=1, unallocated=0)
    programme = make_programme()
    pcn = tree.pcns[0]
    post(programme, pcn, "allocation", 10_000)
    barrier = threading.Barrier(2)
    outcomes = []

    def commit():
        barrier.wait()
        try:
            post(programme, pcn, "commitment", 6_000)
            outcomes.append("ok")
        except LedgerRefused as exc:
            outcomes.append(exc.reasons[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=commit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[1] == "ok" and outcomes.count("ok") == 1, outcomes
    assert "Cannot commit £60.00: only £40.00 is available" in sorted(outcomes)[0]
    assert balances_by(programme, "pcn", [pcn.id])[pcn.id].committed == 6_000
