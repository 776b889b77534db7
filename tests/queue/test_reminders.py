"""`pcndev send-reminders --enqueue`: cron only enqueues, a worker sends the same emails, once."""

import json
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pcndev.delivery.models import ReminderSent
from pcndev.ops.worker import run_enqueued
from tests.delivery.test_reminders import world  # noqa: F401  (the fixture)
from tests.queue.helpers import left_running_by_dead_worker


def _command(*args) -> dict:
    out = StringIO()
    call_command("send_reminders", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def _sent() -> list[tuple[str, str]]:
    return sorted((m.to[0], m.body) for m in mail.outbox)


def test_enqueued_reminders_are_sent_by_the_worker_as_the_command_sends_them(world):  # noqa: F811
    _, programme, _ = world
    enqueued = _command("--enqueue", "--on", "2019-10-02", "--programme", str(programme.pk))
    assert enqueued["day"] == "2019-10-02" and enqueued["programme"] == programme.pk
    task = DBTaskResult.objects.get(pk=enqueued["enqueued"])
    assert task.queue_name == "reminders" and task.status == TaskResultStatus.READY
    assert mail.outbox == []  # nothing is sent until a worker runs it

    assert run_enqueued() == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.return_value["emails"] == 2 and task.return_value["day"] == "2019-10-02"
    by_queue = _sent()
    assert {to for to, _ in by_queue} == {"cd@test.example", "member@test.example"}

    # The same run straight from the command now sends nothing: it is the same reminders, already sent.
    assert _command("--on", "2019-10-02")["emails"] == 0

    # Done directly instead (a fresh day), the command sends the same set of emails the worker sent.
    mail.outbox.clear()
    _command("--on", "2019-10-03", "--programme", str(programme.pk))
    direct = _sent()
    assert [to for to, _ in direct] == [to for to, _ in by_queue]


def test_enqueued_twice_or_rerun_after_a_dead_worker_it_sends_each_email_once(world):  # noqa: F811
    first = _command("--enqueue", "--on", "2019-10-02")["enqueued"]
    _command("--enqueue", "--on", "2019-10-02")  # cron ran twice
    left_running_by_dead_worker(first)  # and the worker running the first one was killed
    assert run_enqueued() == 2
    assert len(mail.outbox) == 2 and len({m.to[0] for m in mail.outbox}) == 2
    assert ReminderSent.objects.count() == 2
    results = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert results == [TaskResultStatus.SUCCESSFUL, TaskResultStatus.SUCCESSFUL]


def test_without_a_day_the_worker_uses_its_own_today(world):  # noqa: F811
    out = StringIO()
    call_command("send_reminders", "--enqueue", stdout=out)
    assert out.getvalue().startswith("enqueued reminders as task ")
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["kwargs"] == {"day": None, "programme_id": None, "dry_run": False}
    assert run_enqueued() == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value["day"]
