"""`pcndev send-reminders`: who gets what, opt-outs respected, and a second run the same day sends nothing."""

import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from pcndev.accounts.models import Role
from pcndev.delivery.models import ReminderSent
from tests.builders import build_tree, make_user
from tests.delivery.builders import assessment, plan_at, programme_and_round, with_cds
from tests.maturity.builders import practice_response


@pytest.fixture
def world(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tree = build_tree(regions=1, systems=1, places=1, pcns=2, practices=2, unallocated=0)
    with_cds(tree.pcns)
    programme, rnd = programme_and_round()
    a, b = tree.pcns
    people = {
        "cd": make_user("cd@test.example", Role.PCN_CD, a),
        "member": make_user("member@test.example", Role.PRACTICE_MEMBER, tree.practices[0]),
        "rated": make_user("rated@test.example", Role.PRACTICE_MEMBER, tree.practices[1]),
        "place": make_user("place@test.example", Role.PLACE_LEAD, tree.places[0]),
        "other_cd": make_user("other-cd@test.example", Role.PCN_CD, b),
    }
    practice_response(assessment(rnd, a, submitted=False), tree.practices[1], submitted=True)
    assessment(rnd, b)
    plan_at(programme, b, "agreed")
    return tree, programme, people


def _run(*args) -> dict:
    out = StringIO()
    call_command("send_reminders", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def _to() -> dict[str, str]:
    return {m.to[0]: m.body for m in mail.outbox}


def test_the_holders_of_an_overdue_self_assessment_are_reminded(world):
    tree, programme, _ = world
    summary = _run("--on", "2019-10-02", "--programme", str(programme.pk))
    to = _to()
    assert set(to) == {"cd@test.example", "member@test.example"}
    assert "Submit the PCN's self-assessment (was due 30 September 2019)" in to["cd@test.example"]
    assert "Submit your practice's ratings" in to["member@test.example"]
    assert summary["emails"] == 2 and summary["already_sent"] == 0


def test_a_second_run_on_the_same_day_sends_nothing_new(world):
    _run("--on", "2019-10-02")
    sent = len(mail.outbox)
    rows = ReminderSent.objects.count()
    summary = _run("--on", "2019-10-02")
    assert len(mail.outbox) == sent and ReminderSent.objects.count() == rows
    assert summary["emails"] == 0 and summary["already_sent"] == rows
    _run("--on", "2019-10-03")
    assert len(mail.outbox) == 2 * sent  # the next day it reminds again


def test_people_who_opted_out_get_nothing(world):
    _, _, people = world
    people["cd"].email_notifications = False
    people["cd"].save()
    _run("--on", "2019-10-02")
    assert set(_to()) == {"member@test.example"}


def test_place_leads_are_reminded_of_plans_waiting_for_committee_or_release(world):
    tree, programme, _ = world
    _run("--on", "2019-11-01")
    to = _to()
    assert "Release the funds" in to["place@test.example"] and tree.pcns[1].name in to["place@test.example"]
    assert "other-cd@test.example" not in to  # the release is the place lead's action


def test_soon_due_actions_are_reminded_a_week_ahead(world):
    _run("--on", "2019-09-24")
    assert "is due 30 September 2019" in _to()["cd@test.example"]
    mail.outbox.clear()
    _run("--on", "2019-09-20")
    assert mail.outbox == []


def test_a_dry_run_sends_and_records_nothing(world):
    summary = _run("--on", "2019-10-02", "--dry-run")
    assert summary["emails"] == 2 and summary["dry_run"]
    assert mail.outbox == [] and not ReminderSent.objects.exists()
    out = StringIO()
    call_command("send_reminders", "--on", "2019-10-02", stdout=out)
    assert "sent 2 emails" in out.getvalue()
