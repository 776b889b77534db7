"""Shared helpers for the queue tests."""

import datetime

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def left_running_by_dead_worker(task_id: str, workers=("dead-worker",), minutes_ago: int = 10) -> None:
    """What a worker killed mid-task leaves behind: RUNNING, its claim, a lease nobody renews (expired)."""
    now = timezone.now()
    DBTaskResult.objects.filter(pk=task_id).update(
        status=TaskResultStatus.RUNNING,
        started_at=now - datetime.timedelta(minutes=minutes_ago),
        worker_ids=list(workers),
        run_after=now - datetime.timedelta(minutes=minutes_ago - 1),
    )


def row(task_id: str) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=task_id)
