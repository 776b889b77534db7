"""What the paper pages and the API share: the programme and place a user may see (404 otherwise, with no hint),
the paper built for them, and a file download that is never cached."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import Place
from pcndev.papers.content import Paper, build_paper
from pcndev.papers.models import PreparedPaper

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {PreparedPaper.Kind.PDF: "application/pdf", PreparedPaper.Kind.DOCX: DOCX_TYPE}


def programme_place_or_404(request, pk: int, code: str) -> tuple[Programme, Place]:
    programme = get_object_or_404(Programme, pk=pk)
    return programme, get_visible_or_404(request.user, Place, ("system",), code=code)


def paper_or_404(request, pk: int, code: str) -> tuple[Programme, Place, Paper]:
    programme, place = programme_place_or_404(request, pk, code)
    return programme, place, build_paper(programme, place)


def file_download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
