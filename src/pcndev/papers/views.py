"""The committee paper pages: read-only, for anyone who can see the place (anyone else gets a 404).

The page, DOCX and PDF are made per request. For a large place or a busy service the paper can also be prepared
in the background (POST prepare, a task on the queue): the page then says it is being prepared, with a link to
check again, and offers the stored file once a worker has made it.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from pcndev.funding.models import Programme
from pcndev.orgs.models import Place
from pcndev.papers.access import CONTENT_TYPES, DOCX_TYPE, file_download, paper_or_404, programme_place_or_404
from pcndev.papers.docx_paper import render_docx
from pcndev.papers.models import PreparedPaper
from pcndev.papers.pdf_paper import render_pdf
from pcndev.papers.preparing import prepared_states, request_paper, when


def _prepared_section(programme: Programme, place: Place) -> str:
    return reverse("papers:place", args=[programme.pk, place.code]) + "#prepared"


@login_required
@require_safe
def paper_page(request, pk, code):
    programme, place, paper = paper_or_404(request, pk, code)
    crumbs = [
        {"href": reverse("funding:programmes"), "text": "Funding"},
        {
            "href": reverse("funding:programme", args=[programme.pk]),
            "text": f"{programme.name} {programme.year_label}",
        },
        {"href": reverse("funding:place", args=[programme.pk, place.code]), "text": place.name},
    ]
    context = {"paper": paper, "programme": programme, "place": place, "crumbs": crumbs, "nav": "funding"}
    context |= {"prepared": prepared_states(programme, place), "when": when}
    return render(request, "papers/paper.jinja", context)


@login_required
@require_safe
def paper_docx(request, pk, code):
    _, _, paper = paper_or_404(request, pk, code)
    return file_download(render_docx(paper), DOCX_TYPE, f"{paper.file_stem}.docx")


@login_required
@require_safe
def paper_pdf(request, pk, code):
    _, _, paper = paper_or_404(request, pk, code)
    return file_download(render_pdf(paper), "application/pdf", f"{paper.file_stem}.pdf")


@login_required
@require_POST
def prepare(request, pk, code):
    """Queue the paper in one format (kind=pdf|docx); once at a time per format: a second ask while it waits is
    the same request."""
    programme, place = programme_place_or_404(request, pk, code)
    kind = request.POST.get("kind", "")
    if kind not in PreparedPaper.Kind.values:
        return HttpResponseBadRequest("Choose the PDF or the Word document (DOCX).")
    request_paper(request.user, programme, place, kind)
    return redirect(_prepared_section(programme, place))


@login_required
@require_safe
def prepared(request, pk, code, kind):
    """The stored file last prepared; back to the page while there is none yet."""
    programme, place = programme_place_or_404(request, pk, code)
    if kind not in PreparedPaper.Kind.values:
        raise Http404("No such format")
    row = PreparedPaper.objects.filter(
        programme=programme, place=place, kind=kind, generated_at__isnull=False
    ).first()
    if row is None:
        return redirect(_prepared_section(programme, place))
    return file_download(bytes(row.content), CONTENT_TYPES[kind], row.filename)
