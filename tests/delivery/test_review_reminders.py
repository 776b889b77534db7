"""Reminders for progress reviews: the CD of a PCN whose funds are released is reminded of each review due."""

import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from tests.delivery.review_builders import OCT, delivered_plan, record_review
from tests.plans.builders import funded_world


@pytest.fixture
def w(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return funded_world()


def _run(*args) -> dict:
    out = StringIO()
    call_command("send_reminders", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_cd_is_reminded_of_a_review_due_soon_then_overdue_once_a_day(w):
    version = delivered_plan(w)
    _run("--on", "2019-10-26", "--programme", str(w.programme.pk))
    cd_mail = [m.body for m in mail.outbox if m.to == [w.cd.email]]
    assert (
        len(cd_mail) == 1
        and "Submit the progress review due 31 October 2019 (is due 31 October 2019)" in cd_mail[0]
    )
    mail.outbox.clear()
    _run("--on", "2019-10-26", "--programme", str(w.programme.pk))
    assert not [m for m in mail.outbox if m.to == [w.cd.email]]  # the same day again: nothing new
    record_review(w, version, OCT)
    _run("--on", "2019-11-02", "--programme", str(w.programme.pk))
    assert not [m for m in mail.outbox if m.to == [w.cd.email] and "31 October 2019" in m.body]
