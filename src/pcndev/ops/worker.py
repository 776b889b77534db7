"""The background worker behind `pcndev worker`: runs queued tasks under a lease (pcndev.ops.queue), renewing it
from a second thread while a task runs, and puts back tasks whose worker died.

Stopping: the first SIGTERM (or SIGINT, SIGQUIT) lets the running task finish, then the worker exits; a second
one gives the task back to the queue (READY) and exits at once. A worker killed outright (SIGKILL, out of memory,
the machine gone) leaves its task RUNNING with a lease nobody renews: any worker puts it back when it runs out.
"""

import logging
import os
import secrets
import signal
import socket
import threading
import time

from django.db import DatabaseError, close_old_connections, connections
from django_tasks import TaskContext
from django_tasks.signals import task_finished, task_started
from django_tasks_db.models import DBTaskResult

from pcndev.ops import queue

logger = logging.getLogger("pcndev.queue")

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGQUIT") if hasattr(signal, name)
)


BATCH_TRIES = 5  # a batch run gives up when the queue cannot be reached this many times running


class Abandon(BaseException):
    """Raised in the running task when the worker is told to stop a second time: the task goes back to READY."""


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"


class _LeaseKeeper(threading.Thread):
    """Renews one claim's lease every lease/3 seconds until stopped (its own database connection)."""

    def __init__(self, claim: queue.Claim, lease_seconds: float):
        super().__init__(name=f"lease-{claim.row.pk}", daemon=True)
        self.claim, self.lease_seconds = claim, lease_seconds
        self._done = threading.Event()

    def run(self) -> None:
        try:
            while not self._done.wait(self.lease_seconds / 3):
                try:
                    if not queue.renew(self.claim, self.lease_seconds):
                        logger.warning("Task id=%s: lease lost (claimed again elsewhere)", self.claim.row.pk)
                        return
                except DatabaseError as e:
                    logger.warning("Task id=%s: could not renew the lease: %s", self.claim.row.pk, e)
        finally:
            connections.close_all()  # this thread's connections only

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=30)


class Worker:
    def __init__(
        self,
        *,
        queues: list[str] | None = None,
        backend: str = "default",
        interval: float = 1.0,
        lease_seconds: float = queue.DEFAULT_LEASE_SECONDS,
        max_attempts: int = queue.DEFAULT_MAX_ATTEMPTS,
        batch: bool = False,
        max_tasks: int | None = None,
        worker_id: str | None = None,
        manage_connections: bool = True,
    ):
        self.queues = queues or ["*"]
        self.backend = backend
        self.interval = interval
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.batch = batch
        self.max_tasks = max_tasks
        self.worker_id = worker_id or default_worker_id()
        # Between tasks, drop broken or old database connections (as Django does between requests); off when run
        # inside someone else's transaction (a test), whose connection must not be closed.
        self.manage_connections = manage_connections
        self.done = 0
        self.stopping = False
        self.current: queue.Claim | None = None
        self._wake = threading.Event()

    # Signals -------------------------------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame) -> None:
        name = signal.Signals(signum).name
        if self.stopping and self.current is not None:
            logger.warning(
                "%s again: giving task id=%s back to the queue and stopping", name, self.current.row.pk
            )
            raise Abandon(name)
        self.stop(f"{name}: stopping" + (" after the current task" if self.current else ""))

    def stop(self, why: str = "stopping") -> None:
        logger.warning("Worker %s: %s", self.worker_id, why)
        self.stopping = True
        self._wake.set()

    # The loop ------------------------------------------------------------------------------------------------

    def _tidy_connections(self) -> None:
        if self.manage_connections:
            close_old_connections()

    def recover(self) -> queue.Recovered:
        return queue.recover(self.backend, self.max_attempts)

    def run(self) -> int:
        """Run tasks until stopped (or, with batch, until none is ready); returns how many were run."""
        logger.info("Worker %s started (queues %s)", self.worker_id, ",".join(self.queues))
        next_sweep, troubles = 0.0, 0
        try:
            while not self.stopping:
                self._tidy_connections()
                claim = None
                try:
                    if time.monotonic() >= next_sweep:
                        self.recover()
                        next_sweep = time.monotonic() + self.lease_seconds / 2
                    claim = queue.claim_next(self.worker_id, self.backend, self.queues, self.lease_seconds)
                except DatabaseError as e:  # a locked SQLite file, PostgreSQL restarting: try again shortly
                    troubles += 1
                    logger.warning("Worker %s: the queue is not reachable: %s", self.worker_id, e)
                    if self.batch and troubles >= BATCH_TRIES:
                        raise
                else:
                    troubles = 0
                if claim is not None:
                    self.run_one(claim)
                    if self.max_tasks is not None and self.done >= self.max_tasks:
                        break
                    continue
                if self.batch and not troubles:
                    break
                self._wake.wait(self.interval)
        except Abandon:
            pass
        finally:
            self._tidy_connections()
        logger.info("Worker %s stopped after %d tasks", self.worker_id, self.done)
        return self.done

    def run_one(self, claim: queue.Claim) -> None:
        """Run one claimed task and record its outcome (the lease is renewed meanwhile)."""
        row = claim.row
        keeper = _LeaseKeeper(claim, self.lease_seconds)
        self.current = claim
        keeper.start()
        sender, outcome = None, {}
        try:
            try:
                task = row.task
                result = row.task_result
                sender = type(task.get_backend())
                task_started.send(sender=sender, task_result=result)
                args = (TaskContext(task_result=result), *result.args) if task.takes_context else result.args
                outcome = {"return_value": task.call(*args, **result.kwargs)}
            except (Abandon, KeyboardInterrupt):
                keeper.stop()
                queue.release(claim)
                raise
            except BaseException as e:  # the task's own failure, SystemExit included
                outcome = {"exc": e}
        finally:
            keeper.stop()
            self.current = None
        self.done += 1
        self._record(claim, sender, outcome)

    def _record(self, claim: queue.Claim, sender, outcome: dict) -> None:
        row = claim.row
        for attempt in range(3):
            try:
                kept = queue.finish(claim, **outcome)
                break
            except DatabaseError as e:
                logger.warning(
                    "Task id=%s: could not record the outcome (%s), try %d", row.pk, e, attempt + 1
                )
                self._tidy_connections()
                time.sleep(0.5 * (attempt + 1))
        else:
            logger.error("Task id=%s: outcome not recorded; it runs again once its lease runs out", row.pk)
            return
        if not kept:
            logger.warning("Task id=%s: lease lost while running; the newer run's outcome stands", row.pk)
            return
        if sender is None:
            logger.error(
                "Task id=%s path=%s could not be loaded: %s", row.pk, row.task_path, outcome.get("exc")
            )
            return
        task_finished.send(sender=sender, task_result=DBTaskResult.objects.get(pk=row.pk).task_result)


def run_enqueued(**options) -> int:
    """Run every ready task now, in this process and on its current connection (tests, one-off scripts)."""
    return Worker(batch=True, manage_connections=False, **options).run()
