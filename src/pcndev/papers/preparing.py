"""Preparing a committee paper in the background: asking for it (enqueues prepare_paper once at a time) and what
the page says about each format (nothing yet, being prepared, failed and why, or the stored file to download)."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from pcndev.audit.services import record
from pcndev.papers.models import PreparedPaper
from pcndev.papers.tasks import prepare_paper

PENDING = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
SHORT = {PreparedPaper.Kind.PDF: "PDF", PreparedPaper.Kind.DOCX: "Word document"}
WORKER_LOST = "pcndev.ops.queue.WorkerLost"


@dataclass(frozen=True)
class Prepared:
    kind: str
    label: str  # "Word document (DOCX)"
    short: str  # "Word document"
    state: str  # "none", "waiting", "failed" or "done" (the latest request's)
    row: PreparedPaper | None = None
    error: str = ""

    @property
    def has_file(self) -> bool:
        return self.row is not None and self.row.ready


def when(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _error(result) -> str:
    path = result.errors[0].exception_class_path if result.errors else ""
    if path == WORKER_LOST:
        return "the background worker preparing it stopped before it finished, several times"
    name = path.rsplit(".", 1)[-1] or "unknown"
    return f"an error stopped it ({name}; reference {result.id})"


def task_state(task_id: str) -> tuple[str, str]:
    """("none" | "waiting" | "failed" | "done", error text) for a prepare_paper task."""
    if not task_id:
        return "none", ""
    try:
        result = prepare_paper.get_result(task_id)
    except (TaskResultDoesNotExist, TaskResultMismatch):
        return "none", ""  # pruned from the queue long since
    if result.status in PENDING:
        return "waiting", ""
    if result.status == TaskResultStatus.FAILED:
        return "failed", _error(result)
    return "done", ""


def prepared_states(programme, place) -> list[Prepared]:
    rows = {
        r.kind: r
        for r in PreparedPaper.objects.filter(programme=programme, place=place)
        .defer("content")
        .select_related("requested_by", "generated_by")
    }
    out = []
    for kind, label in PreparedPaper.Kind.choices:
        row = rows.get(kind)
        state, error = task_state(row.task_id) if row else ("none", "")
        out.append(Prepared(kind, label, SHORT[kind], state, row, error))
    return out


def request_paper(user, programme, place, kind: str) -> tuple[PreparedPaper, bool]:
    """Put the paper on the queue unless it is already waiting there; (row, whether a task was enqueued).

    The task is written in the same transaction as the row that names it: both are there, or neither.
    """
    with transaction.atomic():
        row, _ = (
            PreparedPaper.objects.select_for_update()
            .defer("content")
            .get_or_create(programme=programme, place=place, kind=kind)
        )
        if task_state(row.task_id)[0] == "waiting":
            return row, False
        result = prepare_paper.enqueue(row.pk)
        row.task_id, row.requested_by, row.requested_at = result.id, user, timezone.now()
        row.save(update_fields=["task_id", "requested_by", "requested_at"])
        record(
            user,
            "paper.requested",
            place,
            after={"programme": programme.pk, "format": kind, "task": result.id},
        )
    return row, True
