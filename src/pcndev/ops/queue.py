"""The background queue's bookkeeping: claiming a task under a lease, renewing it, finishing it, recovering it.

The queue is django-tasks' database backend (django_tasks_db): one row per task in the same database as everything
else, so enqueueing inside a transaction commits the task with the data it is about, or neither. What the stock
`db_worker` lacks is recovery: a task it claims stays RUNNING for ever if the worker dies. Here every claim is a
**lease** held in the row itself:

- claiming sets status RUNNING, started_at (the claim's token) and ``run_after = now + lease``. ``run_after`` is
  "the earliest this task may run"; while a task is RUNNING nothing else reads it, so it says when the task may
  run *again* if nobody renews the lease;
- the worker renews the lease (``run_after = now + lease``) every lease/3 seconds while the task runs;
- `recover` puts every RUNNING task whose lease has run out back to READY: its worker has died (killed, OOM, the
  machine lost). It is then claimed again like any other task, first in its priority (its run_after is past).
  After `max_attempts` claims it is marked FAILED instead (WorkerLost), so a task that kills its worker cannot
  take the pool down for ever;
- finishing writes the outcome only while the row still carries this claim's started_at: a worker that lost its
  lease (and whose task another worker has claimed since) leaves the newer run's outcome alone.

All times the lease is compared with come from the database clock (Now()), so servers' clocks need not agree.
Tasks must be idempotent, since a recovered task runs again from the start: a committee paper overwrites its own
row, and reminders are written to ReminderSent before they are sent.
"""

import datetime
import json
import logging
from dataclasses import dataclass, field
from traceback import format_exception

from django.db.models import Count
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger("pcndev.queue")

DEFAULT_LEASE_SECONDS = 60
DEFAULT_MAX_ATTEMPTS = 3


class WorkerLost(Exception):
    """The worker running a task stopped (was killed, ran out of memory, lost its machine) too many times."""


@dataclass(frozen=True)
class Claim:
    """One worker's claim on one task: the row, the claim's token (started_at) and the row's own run_after."""

    row: DBTaskResult
    started_at: datetime.datetime
    run_after: datetime.datetime

    @property
    def mine(self):
        return DBTaskResult.objects.filter(pk=self.row.pk, started_at=self.started_at)


@dataclass
class Recovered:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _lease_end(lease_seconds: float):
    return Now() + datetime.timedelta(seconds=lease_seconds)


def ready_tasks(backend: str, queues: list[str] | None = None):
    tasks = DBTaskResult.objects.ready().filter(backend_name=backend)
    return tasks if not queues or "*" in queues else tasks.filter(queue_name__in=queues)


def claim_next(worker_id: str, backend: str, queues: list[str] | None, lease_seconds: float) -> Claim | None:
    """Lock the next ready task (others skip it), mark it RUNNING under a lease and return the claim."""
    tasks = ready_tasks(backend, queues)
    with exclusive_transaction(tasks.db):
        row = tasks.get_locked()
        if row is None:
            return None
        original_run_after = row.run_after
        row.status = TaskResultStatus.RUNNING
        row.started_at = timezone.now()
        row.worker_ids = [*row.worker_ids, worker_id]
        DBTaskResult.objects.filter(pk=row.pk).update(
            status=row.status,
            started_at=row.started_at,
            worker_ids=row.worker_ids,
            run_after=_lease_end(lease_seconds),
        )
    return Claim(row, row.started_at, original_run_after)


def renew(claim: Claim, lease_seconds: float) -> bool:
    """Extend the lease; False when it was lost (another worker has claimed the task since).

    A task recovered while its worker was alive but slow (READY, still with this claim's token) is taken back.
    """
    return bool(
        claim.mine.filter(status__in=[TaskResultStatus.RUNNING, TaskResultStatus.READY]).update(
            status=TaskResultStatus.RUNNING, run_after=_lease_end(lease_seconds)
        )
    )


def _failure_fields(exc: BaseException) -> dict:
    return {
        "status": TaskResultStatus.FAILED,
        "finished_at": timezone.now(),
        "return_value": None,
        "exception_class_path": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "traceback": "".join(format_exception(exc)),
    }


def finish(claim: Claim, return_value=None, exc: BaseException | None = None) -> bool:
    """Record the outcome, giving the row its own run_after back; False when the claim was lost meanwhile."""
    if exc is None:
        try:
            json.dumps(return_value)  # checked here: a failed UPDATE would spoil an enclosing transaction
        except (TypeError, ValueError) as e:
            exc = e
    if exc is not None:
        values = _failure_fields(exc)
    else:
        values = {
            "status": TaskResultStatus.SUCCESSFUL,
            "finished_at": timezone.now(),
            "return_value": return_value,
            "exception_class_path": "",
            "traceback": "",
        }
    return bool(claim.mine.update(run_after=claim.run_after, **values))


def release(claim: Claim) -> bool:
    """Give a task back to the queue unfinished (the worker was told to stop at once): READY now."""
    return bool(
        claim.mine.filter(status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, run_after=Now()
        )
    )


def expired(backend: str | None = None):
    """RUNNING tasks whose lease has run out: their worker is gone."""
    tasks = DBTaskResult.objects.running().filter(run_after__lt=Now())
    return tasks if backend is None else tasks.filter(backend_name=backend)


def recover(backend: str = "default", max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> Recovered:
    """Put tasks left RUNNING by dead workers back on the queue (or fail them after max_attempts claims)."""
    out = Recovered()
    tasks = expired(backend)
    with exclusive_transaction(tasks.db):
        for row in tasks.select_for_update(skip_locked=True):
            attempts = len(row.worker_ids)
            if attempts >= max_attempts:
                exc = WorkerLost(
                    f"The worker running this task stopped before it finished, {attempts} times "
                    f"(workers {', '.join(row.worker_ids)}); it is not tried again."
                )
                DBTaskResult.objects.filter(pk=row.pk).update(**_failure_fields(exc))
                out.failed.append(str(row.pk))
                logger.error("Task id=%s path=%s failed: %s", row.pk, row.task_path, exc)
            else:
                DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.READY)
                out.requeued.append(str(row.pk))
                logger.warning(
                    "Task id=%s path=%s put back on the queue: worker %s stopped without finishing it",
                    row.pk,
                    row.task_path,
                    row.worker_ids[-1] if row.worker_ids else "?",
                )
    return out


def counts(backend: str = "default") -> dict:
    """How many tasks are in each state, how many of the ready ones may run now, and how many leases expired."""
    rows = DBTaskResult.objects.filter(backend_name=backend)
    out = {s.value.lower(): 0 for s in TaskResultStatus}
    for status, n in rows.order_by().values_list("status").annotate(n=Count("pk")):
        out[status.lower()] = n
    out["due"] = DBTaskResult.objects.ready().filter(backend_name=backend).count()
    out["expired_leases"] = expired(backend).count()
    return out
