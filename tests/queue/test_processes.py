"""Real `pcndev worker` processes: one killed mid-task (SIGKILL) → the next puts the task back and completes it,
once; a live worker keeps its lease on a task longer than the lease; SIGTERM finishes the task in hand and
stops, a second SIGTERM gives the task back to the queue.

The workers run on this test's database: PostgreSQL's test database itself, or for SQLite (an in-memory test
database) a file copy of it made after the tasks are enqueued.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.queue import sample_tasks

ROOT = Path(__file__).resolve().parents[2]
LEASE = "1.5"  # seconds: renewed every 0.5 s while a task runs; a dead worker's task is free 1.5 s after


class SideDB:
    """The database the worker processes use, and reading task rows back from it."""

    def __init__(self, tmp_path: Path):
        self.vendor = connection.vendor
        s = connection.settings_dict
        if self.vendor == "postgresql":
            self.url = (
                f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
            )
        else:
            self.file = tmp_path / "queue.sqlite3"
            self.url = f"sqlite:///{self.file}"

    def publish(self) -> None:
        """Make what this process wrote visible to the workers (SQLite: copy the in-memory database)."""
        if self.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def task(self, task_id: str) -> tuple[str, list, object]:
        """(status, worker ids, return value) of a task, as the workers left it."""
        if self.vendor == "postgresql":
            row = DBTaskResult.objects.get(pk=task_id)
            return row.status, row.worker_ids, row.return_value
        with sqlite3.connect(self.file) as db:
            status, workers, value = db.execute(
                "SELECT status, worker_ids, return_value FROM django_tasks_database_dbtaskresult WHERE id = ?",
                (uuid.UUID(task_id).hex,),
            ).fetchone()
        return status, json.loads(workers), json.loads(value) if value is not None else None


@pytest.fixture
def side(transactional_db, tmp_path):
    return SideDB(tmp_path)


@pytest.fixture
def spawn(side, tmp_path):
    started = []
    env = os.environ | {"DATABASE_URL": side.url, "PCNDEV_DEBUG": "0", "PCNDEV_DATA_DIR": str(tmp_path)}

    def start(worker_id: str, *args) -> subprocess.Popen:
        out = (tmp_path / f"{worker_id}.log").open("w")
        argv = [sys.executable, "-m", "pcndev", "worker", "--worker-id", worker_id, "--lease", LEASE]
        process = subprocess.Popen(
            [*argv, "--interval", "0.1", *args], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _wait_for(predicate, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _has(log: Path, line: str):
    return lambda: log.exists() and line in log.read_text().splitlines()


def test_a_killed_worker_s_task_is_put_back_and_completed_once_by_another(side, spawn, tmp_path):
    log = tmp_path / "runs.txt"
    task_id = sample_tasks.note_run.enqueue(str(log), sleep_first=60).id
    side.publish()
    first = spawn("first")
    _wait_for(_has(log, "start 1"), "the first worker to start the task")
    first.send_signal(signal.SIGKILL)  # no chance to clean up: the task is left RUNNING
    first.wait(timeout=10)
    assert side.task(task_id)[:2] == ("RUNNING", ["first"])

    second = spawn("second", "--max-tasks", "1")
    assert second.wait(timeout=30) == 0, (tmp_path / "second.log").read_text()
    assert (
        log.read_text() == "start 1\nstart 2\ndone 2\n"
    )  # the killed run never finished; the rerun did, once
    assert side.task(task_id) == ("SUCCESSFUL", ["first", "second"], 2)
    assert "put back on the queue: worker first stopped" in (tmp_path / "second.log").read_text()


def test_a_live_worker_keeps_its_task_past_the_lease_and_idle_workers_stop_on_sigterm(side, spawn, tmp_path):
    log, release = tmp_path / "runs.txt", tmp_path / "release"
    task_id = sample_tasks.note_run.enqueue(str(log), sleep_first=60, until=str(release)).id
    side.publish()
    busy = spawn("busy")
    _wait_for(_has(log, "start 1"), "the task to start")
    idle = spawn("idle")
    idle_log = tmp_path / "idle.log"
    _wait_for(lambda: "Worker idle started" in idle_log.read_text(), "the idle worker to start")
    time.sleep(2 * float(LEASE))
    release.touch()  # the task ran two leases alongside a worker sweeping for expired ones: renewed, not taken
    _wait_for(_has(log, "done 1"), "the task to finish", seconds=20)
    _wait_for(lambda: side.task(task_id)[0] == "SUCCESSFUL", "the outcome")
    for process in (busy, idle):
        process.send_signal(signal.SIGTERM)
    assert busy.wait(timeout=10) == 0 and idle.wait(timeout=10) == 0
    assert log.read_text() == "start 1\ndone 1\n"  # never run twice
    assert side.task(task_id) == ("SUCCESSFUL", ["busy"], 1)


def test_sigterm_finishes_the_task_in_hand_and_a_second_one_gives_it_back(side, spawn, tmp_path):
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    first = sample_tasks.note_run.enqueue(str(one), sleep_first=2).id
    second = sample_tasks.note_run.enqueue(str(two), sleep_first=60).id
    side.publish()
    worker = spawn("graceful")
    _wait_for(_has(one, "start 1"), "the first task to start")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=20) == 0
    assert one.read_text() == "start 1\ndone 1\n" and side.task(first)[0] == "SUCCESSFUL"
    assert side.task(second) == ("READY", [], None) and not two.exists()  # not started after the signal
    output = (tmp_path / "graceful.log").read_text()
    assert "SIGTERM: stopping after the current task" in output and "ran 1 tasks" in output

    hurried = spawn("hurried")
    _wait_for(_has(two, "start 1"), "the second task to start")
    hurried.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    hurried.send_signal(signal.SIGTERM)
    assert hurried.wait(timeout=10) == 0
    assert side.task(second)[:2] == ("READY", ["hurried"])  # back on the queue, to run again from the start
    assert two.read_text() == "start 1\n"
