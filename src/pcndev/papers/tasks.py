"""Background tasks of the papers app (run by `pcndev worker`)."""

import hashlib

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from pcndev.audit.services import record
from pcndev.papers.content import build_paper
from pcndev.papers.docx_paper import render_docx
from pcndev.papers.models import PreparedPaper
from pcndev.papers.pdf_paper import render_pdf

RENDERERS = {PreparedPaper.Kind.PDF: render_pdf, PreparedPaper.Kind.DOCX: render_docx}


@task(queue_name="papers", takes_context=True)
def prepare_paper(context, prepared_id: int) -> dict:
    """Make the paper from live data and store it in its PreparedPaper row, overwriting the last one.

    Running it twice (a worker died after storing the file) stores the same paper again: no other effect.
    """
    row = (
        PreparedPaper.objects.defer("content")
        .select_related("programme", "place__system")
        .get(pk=prepared_id)
    )
    paper = build_paper(row.programme, row.place)
    content = RENDERERS[row.kind](paper)
    digest = hashlib.sha256(content).hexdigest()
    filename = f"{paper.file_stem}.{row.kind}"
    with transaction.atomic():
        row = PreparedPaper.objects.select_for_update().defer("content").get(pk=prepared_id)
        row.content, row.filename, row.size, row.sha256 = content, filename, len(content), digest
        row.generated_at, row.generated_by_id = timezone.now(), row.requested_by_id
        row.save(update_fields=["content", "filename", "size", "sha256", "generated_at", "generated_by"])
        record(
            row.requested_by,
            "paper.generated",
            row.place,
            after={
                "programme": row.programme_id,
                "format": row.kind,
                "filename": filename,
                "bytes": len(content),
                "sha256": digest,
                "task": context.task_result.id,
                "attempt": context.attempt,
            },
        )
    return {"prepared_paper": prepared_id, "bytes": len(content), "sha256": digest}
