"""The committee paper pages: read-only, for anyone who can see the place (anyone else gets a 404)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import Place
from pcndev.papers.content import Paper, build_paper
from pcndev.papers.docx_paper import render_docx
from pcndev.papers.pdf_paper import render_pdf

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _paper(request, pk: int, code: str) -> tuple[Programme, Place, Paper]:
    programme = get_object_or_404(Programme, pk=pk)
    place = get_visible_or_404(request.user, Place, ("system",), code=code)
    return programme, place, build_paper(programme, place)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def paper_page(request, pk, code):
    programme, place, paper = _paper(request, pk, code)
    crumbs = [
        {"href": reverse("funding:programmes"), "text": "Funding"},
        {
            "href": reverse("funding:programme", args=[programme.pk]),
            "text": f"{programme.name} {programme.year_label}",
        },
        {"href": reverse("funding:place", args=[programme.pk, place.code]), "text": place.name},
    ]
    return render(
        request,
        "papers/paper.jinja",
        {"paper": paper, "programme": programme, "place": place, "crumbs": crumbs, "nav": "funding"},
    )


@login_required
@require_safe
def paper_docx(request, pk, code):
    _, _, paper = _paper(request, pk, code)
    return _download(render_docx(paper), DOCX_TYPE, f"{paper.file_stem}.docx")


@login_required
@require_safe
def paper_pdf(request, pk, code):
    _, _, paper = _paper(request, pk, code)
    return _download(render_pdf(paper), "application/pdf", f"{paper.file_stem}.pdf")
