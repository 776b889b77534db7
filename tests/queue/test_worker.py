"""The worker in this process: enqueue → run → result; failures; leases; recovery of tasks a dead worker left."""

import datetime
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db.models import DBTaskResult

from pcndev.ops import queue
from pcndev.ops.worker import Worker, run_enqueued
from tests.queue import sample_tasks
from tests.queue.helpers import left_running_by_dead_worker, row

pytestmark = pytest.mark.django_db


def test_the_queue_is_the_database_backend_in_tests_too():
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert type(task_backends["default"]).__name__ == "DatabaseBackend"


def test_an_enqueued_task_waits_in_the_database_until_a_worker_runs_it():
    result = sample_tasks.add.enqueue(2, 3)
    assert row(result.id).status == TaskResultStatus.READY
    assert run_enqueued(worker_id="w1") == 1
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 5
    assert result.worker_ids == ["w1"] and result.started_at and result.finished_at
    assert row(result.id).run_after == datetime.datetime(
        9999, 1, 1, tzinfo=datetime.UTC
    )  # its own, given back
    assert run_enqueued() == 0


def test_a_task_enqueued_in_a_transaction_that_rolls_back_never_exists():
    with pytest.raises(RuntimeError), transaction.atomic():
        result = sample_tasks.add.enqueue(1, 1)
        raise RuntimeError("the request failed")
    assert not DBTaskResult.objects.filter(pk=result.id).exists()


def test_a_failing_task_is_failed_with_its_error_and_not_run_again():
    result = sample_tasks.fail.enqueue("no data for this place")
    assert run_enqueued() == 1
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "builtins.ValueError"
    assert "no data for this place" in result.errors[0].traceback
    assert run_enqueued() == 0


def test_a_return_value_that_is_not_json_fails_the_task():
    result = sample_tasks.not_json.enqueue()
    run_enqueued()
    result.refresh()
    assert (
        result.status == TaskResultStatus.FAILED
        and result.errors[0].exception_class_path == "builtins.TypeError"
    )


def test_a_worker_takes_only_its_queues():
    mine = sample_tasks.add.using(queue_name="papers").enqueue(1, 2)
    other = sample_tasks.add.enqueue(3, 4)
    assert Worker(queues=["papers"], batch=True, manage_connections=False).run() == 1
    assert row(mine.id).status == TaskResultStatus.SUCCESSFUL
    assert row(other.id).status == TaskResultStatus.READY


def test_a_claim_holds_a_lease_that_renewing_extends(tmp_path):
    sample_tasks.add.enqueue(1, 2)
    claim = queue.claim_next("w1", "default", None, lease_seconds=60)
    held = row(claim.row.pk)
    assert held.status == TaskResultStatus.RUNNING and held.worker_ids == ["w1"]
    assert timezone.now() + datetime.timedelta(seconds=50) < held.run_after
    assert queue.claim_next("w2", "default", None, 60) is None  # nobody else gets it
    assert queue.recover().requeued == []  # the lease is live
    assert queue.renew(claim, 120)
    assert timezone.now() + datetime.timedelta(seconds=100) < row(claim.row.pk).run_after


def test_a_task_left_running_by_a_dead_worker_is_put_back_and_completes_once(tmp_path):
    log = tmp_path / "runs.txt"
    result = sample_tasks.note_run.enqueue(str(log))
    left_running_by_dead_worker(result.id)
    assert run_enqueued(worker_id="w2") == 1
    done = row(result.id)
    assert done.status == TaskResultStatus.SUCCESSFUL and done.return_value == 2  # the second attempt
    assert done.worker_ids == ["dead-worker", "w2"]
    assert log.read_text() == "start 2\ndone 2\n"
    assert run_enqueued() == 0


def test_a_task_whose_workers_keep_dying_is_failed_after_the_last_attempt(tmp_path):
    result = sample_tasks.note_run.enqueue(str(tmp_path / "never.txt"))
    left_running_by_dead_worker(result.id, workers=("a", "b", "c"))
    assert run_enqueued() == 0
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "pcndev.ops.queue.WorkerLost"
    assert "stopped before it finished, 3 times" in result.errors[0].traceback
    assert not (tmp_path / "never.txt").exists()


def test_a_worker_that_lost_its_lease_does_not_overwrite_the_newer_run():
    result = sample_tasks.add.enqueue(1, 2)
    slow = queue.claim_next("slow", "default", None, 60)
    left_running_by_dead_worker(result.id, workers=("slow",))  # the slow worker's lease ran out
    assert queue.recover().requeued == [result.id]
    fresh = queue.claim_next("fresh", "default", None, 60)
    assert queue.finish(fresh, return_value=3)
    assert not queue.renew(slow, 60) and not queue.finish(slow, return_value=99)
    assert row(result.id).return_value == 3 and row(result.id).worker_ids == ["slow", "fresh"]


def test_a_slow_worker_takes_back_its_task_if_nobody_claimed_it_since():
    result = sample_tasks.add.enqueue(1, 2)
    claim = queue.claim_next("slow", "default", None, 60)
    DBTaskResult.objects.filter(pk=result.id).update(run_after=timezone.now() - datetime.timedelta(seconds=1))
    assert queue.recover().requeued == [result.id]
    assert queue.renew(claim, 60) and row(result.id).status == TaskResultStatus.RUNNING


def test_a_released_task_is_ready_again_at_once():
    result = sample_tasks.add.enqueue(1, 2)
    claim = queue.claim_next("w1", "default", None, 60)
    assert queue.release(claim)
    assert row(result.id).status == TaskResultStatus.READY
    assert run_enqueued() == 1 and row(result.id).worker_ids == ["w1", row(result.id).worker_ids[1]]


def test_the_command_reports_the_queue_and_recovers_on_request(tmp_path, monkeypatch):
    monkeypatch.setattr("pcndev.ops.worker.close_old_connections", lambda: None)  # the test's transaction
    sample_tasks.add.enqueue(1, 2)
    stuck = sample_tasks.note_run.enqueue(str(tmp_path / "x.txt"))
    left_running_by_dead_worker(stuck.id)

    def run(*args) -> dict:
        out = StringIO()
        call_command("worker", *args, stdout=out)
        return json.loads(out.getvalue())

    status = run("--status")
    assert status["ready"] == 1 and status["due"] == 1 and status["running"] == 1
    assert status["expired_leases"] == 1
    assert run("--recover") == {"requeued": [stuck.id], "failed": []}
    assert run("--status")["ready"] == 2
    out = StringIO()
    call_command("worker", "--batch", "--worker-id", "cmd", stdout=out)
    assert "worker cmd ran 2 tasks" in out.getvalue()
