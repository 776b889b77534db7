"""Posting releases, spend, returns and reversals from a PCN's money page: success, every refusal, who may."""

import datetime
import re

import pytest
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.funding.ledger import post_many
from pcndev.funding.models import LedgerEntry
from pcndev.orgs.models import PayeeOrganisation
from tests.builders import build_tree, make_user
from tests.funding.builders import make_programme

PAID = {"entry_date[day]": "15", "entry_date[month]": "1", "entry_date[year]": "2020"}


@pytest.fixture
def world(db, client):
    """PCN 0 (payee named): £1,000 allocated, £500 committed, £200 released. PCN 1: £1,000 allocated, no payee."""
    tree = build_tree(regions=1, systems=1, places=2, pcns=2, practices=1, unallocated=0)
    programme = make_programme()
    pcn, bare = tree.pcns[0], tree.pcns[1]
    pcn.payee = PayeeOrganisation.objects.create(name="Riverside GP Federation")
    pcn.save()
    post_many(
        programme,
        [
            dict(pcn=pcn, kind="allocation", amount_pence=100_000),
            dict(pcn=bare, kind="allocation", amount_pence=100_000),
            dict(pcn=pcn, kind="commitment", amount_pence=50_000),
            dict(pcn=bare, kind="commitment", amount_pence=50_000),
            dict(pcn=pcn, kind="release", amount_pence=20_000, reference="MOU-0"),
        ],
    )
    lead = make_user("lead@test.example", Role.PLACE_LEAD, pcn.place)
    client.force_login(lead)
    return tree, programme, pcn, lead


def _new(programme, pcn, kind):
    return reverse("funding:entry-new", args=[programme.pk, pcn.code, kind])


def _snapshot():
    return list(
        LedgerEntry.objects.order_by("id").values_list("id", "kind", "amount_pence")
    ), AuditEvent.objects.count()


def _summary(page: str) -> list[str]:
    """The messages in the NHS error summary, in order."""
    body = page.split('nhsuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r"<a [^>]*>(.*?)</a>", body, re.S)]


def _refused(client, url, data, *messages):
    before = _snapshot()
    response = client.post(url, data)
    assert response.status_code == 400, response.status_code
    page = response.content.decode()
    assert "There is a problem" in page and _summary(page) == [m.replace("'", "&#39;") for m in messages]
    assert _snapshot() == before, "a refused post must write nothing"
    return page


def test_a_place_lead_records_a_release_to_the_payee(client, world):
    _, programme, pcn, lead = world
    form = {"amount": "100.50", **PAID, "fund": "national", "reference": "MOU-7", "note": "Q4 payment"}
    response = client.post(_new(programme, pcn, "release"), form)
    assert response.status_code == 302 and response["Location"] == reverse(
        "funding:pcn", args=[programme.pk, pcn.code]
    )
    entry = LedgerEntry.objects.get(reference="MOU-7")
    assert (entry.kind, entry.amount_pence, entry.payee, entry.entry_date, entry.created_by) == (
        "release",
        10_050,
        "Riverside GP Federation",
        datetime.date(2020, 1, 15),
        lead,
    )
    event = AuditEvent.objects.get(action="ledger.release", object_id=str(entry.pk))
    assert event.actor == lead and event.note == "Q4 payment"
    assert event.after["payee"] == "Riverside GP Federation" and event.after["amount_pence"] == 10_050
    page = client.get(response["Location"]).content.decode()
    assert "The release of £100.50 to Riverside GP Federation was recorded" in page


def test_spend_and_returns_are_recorded_against_released_money(client, world):
    _, programme, pcn, lead = world
    spent = client.post(_new(programme, pcn, "spend"), {"amount": "150", **PAID, "fund": "national"})
    assert spent.status_code == 302
    returned = client.post(
        _new(programme, pcn, "return"), {"amount": "50", **PAID, "fund": "national", "reference": "CN-1"}
    )
    assert returned.status_code == 302
    assert list(
        LedgerEntry.objects.filter(kind__in=["spend", "return"]).values_list("kind", "amount_pence")
    ) == [
        ("return", 5_000),
        ("spend", 15_000),
    ]
    assert AuditEvent.objects.filter(action__in=["ledger.spend", "ledger.return"], actor=lead).count() == 2
    page = client.get(reverse("funding:pcn", args=[programme.pk, pcn.code])).content.decode()
    assert "The return of £50.00 of underspend was recorded" in page


def test_the_ledger_refuses_a_release_beyond_what_is_committed(client, world):
    _, programme, pcn, _ = world
    form = {"amount": "300.01", **PAID, "fund": "national", "reference": "MOU-8"}
    _refused(
        client,
        _new(programme, pcn, "release"),
        form,
        f"{pcn.name}: Cannot release £300.01: only £300.00 of committed money has not been released yet",
    )


def test_a_release_needs_a_payee_and_an_mou_reference(client, world):
    tree, programme, _, _ = world
    bare = tree.pcns[1]
    _refused(
        client,
        _new(programme, bare, "release"),
        {"amount": "10", **PAID, "fund": "national", "reference": "MOU-9"},
        f"Name a payee for {bare.name} before releasing money to it",
    )
    page = _refused(
        client,
        _new(programme, bare, "release"),
        {"amount": "10", **PAID, "fund": "national"},
        "Enter the MOU reference for this release, like MOU-RBD-2019-001",
    )
    assert 'href="#reference"' in page


@pytest.mark.parametrize(
    ("kind", "amount", "message"),
    [
        (
            "spend",
            "200.01",
            "Cannot record £200.01: only £200.00 has been released and not yet spent or returned",
        ),
        (
            "return",
            "999",
            "Cannot record £999.00: only £200.00 has been released and not yet spent or returned",
        ),
    ],
)
def test_the_ledger_refuses_spend_or_returns_beyond_what_was_released(client, world, kind, amount, message):
    _, programme, pcn, _ = world
    _refused(
        client,
        _new(programme, pcn, kind),
        {"amount": amount, **PAID, "fund": "national"},
        f"{pcn.name}: {message}",
    )


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({"amount": "0", **PAID}, ["Enter an amount of more than £0.00"]),
        ({"amount": "ten", **PAID}, ["'ten' is not an amount in pounds, like 43500000 or 1,134,000.00"]),
        ({"amount": "", **PAID}, ["Enter the amount, like 20,000"]),
        ({"amount": "10"}, ["Enter the date of the spend report, like 15 1 2020"]),
        (
            {"amount": "10", "entry_date[day]": "31", "entry_date[month]": "2", "entry_date[year]": "2020"},
            ["Date of the spend report must be a real date, like 15 1 2020"],
        ),
        (
            {"amount": "10", "entry_date[day]": "1", "entry_date[month]": "1", "entry_date[year]": "2999"},
            ["The date cannot be in the future"],
        ),
        ({"amount": "10", **PAID, "fund": "gift"}, ["Choose national development money or a local top-up"]),
    ],
)
def test_spend_form_validation_messages(client, world, data, messages):
    _, programme, pcn, _ = world
    _refused(client, _new(programme, pcn, "spend"), {"fund": "national", **data}, *messages)


def test_a_reversal_takes_an_entry_back_out_and_is_audited(client, world):
    _, programme, pcn, lead = world
    release = LedgerEntry.objects.get(kind="release")
    url = reverse("funding:reverse", args=[programme.pk, pcn.code, release.pk])
    page = client.get(url).content.decode()
    assert f"Reverse entry {release.pk}" in page and "£200.00" in page and "MOU-0" in page
    _refused(client, url, {"note": "  "}, "Say why this entry is being reversed")
    response = client.post(url, {"note": "Paid to the wrong payee"})
    assert response.status_code == 302
    reversal = LedgerEntry.objects.get(kind="reversal")
    assert (reversal.reverses, reversal.amount_pence, reversal.note, reversal.created_by) == (
        release,
        20_000,
        "Paid to the wrong payee",
        lead,
    )
    assert AuditEvent.objects.filter(
        action="ledger.reversal", object_id=str(reversal.pk), actor=lead
    ).exists()
    money = client.get(response["Location"]).content.decode()
    assert f"Entry {release.pk} (release to payee, £200.00) was reversed" in money
    assert "<td>Reversed</td>" in money
    again = client.get(url).content.decode()
    assert (
        "This entry cannot be reversed" in again and f"Entry {release.pk} has already been reversed" in again
    )
    _refused(client, url, {"note": "Twice"}, f"Entry {release.pk} has already been reversed")


def test_reversals_that_would_break_the_rules_are_refused_with_the_reason(client, world):
    _, programme, pcn, _ = world
    commitment = LedgerEntry.objects.get(kind="commitment", pcn=pcn)
    _refused(
        client,
        reverse("funding:reverse", args=[programme.pk, pcn.code, commitment.pk]),
        {"note": "Plan withdrawn"},
        f"{pcn.name}: Cannot reverse £500.00: £200.00 has already been released against the commitments",
    )
    allocation = LedgerEntry.objects.get(kind="allocation", pcn=pcn)
    url = reverse("funding:reverse", args=[programme.pk, pcn.code, allocation.pk])
    message = "Allocations are corrected by saving a new allocation run, not by reversing an entry"
    assert message in client.get(url).content.decode()
    _refused(client, url, {"note": "Wrong"}, message)


def test_entries_of_another_pcn_or_unknown_kinds_are_not_found(client, world):
    tree, programme, pcn, _ = world
    other_entry = LedgerEntry.objects.get(kind="allocation", pcn=tree.pcns[1])
    assert (
        client.get(reverse("funding:reverse", args=[programme.pk, pcn.code, other_entry.pk])).status_code
        == 404
    )
    assert client.get(_new(programme, pcn, "allocation")).status_code == 404
    elsewhere = tree.pcns[2]  # in the other place
    assert client.get(_new(programme, elsewhere, "release")).status_code == 404


def test_a_clinical_director_sees_why_they_may_not_post(client, world):
    _, programme, pcn, _ = world
    client.force_login(make_user("cd@test.example", Role.PCN_CD, pcn))
    reason = f"Only a place, system, region or national lead covering {pcn} can change its money."
    money = client.get(reverse("funding:pcn", args=[programme.pk, pcn.code])).content.decode()
    assert reason in money and "Record a release" not in money and "Reverse" not in money
    before = _snapshot()
    for url in (
        _new(programme, pcn, "release"),
        reverse("funding:reverse", args=[programme.pk, pcn.code, LedgerEntry.objects.first().pk]),
    ):
        for response in (client.get(url), client.post(url, {"amount": "1", **PAID, "note": "x"})):
            assert response.status_code == 403 and reason in response.content.decode()
    assert _snapshot() == before


def test_the_money_page_offers_the_forms_and_reversals_to_a_lead(client, world):
    _, programme, pcn, _ = world
    page = client.get(reverse("funding:pcn", args=[programme.pk, pcn.code])).content.decode()
    for kind in ("release", "spend", "return"):
        assert f'href="{_new(programme, pcn, kind)}"' in page
    release = LedgerEntry.objects.get(kind="release")
    allocation = LedgerEntry.objects.get(kind="allocation", pcn=pcn)
    assert reverse("funding:reverse", args=[programme.pk, pcn.code, release.pk]) in page
    assert reverse("funding:reverse", args=[programme.pk, pcn.code, allocation.pk]) not in page
