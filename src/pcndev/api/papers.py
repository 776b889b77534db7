"""The committee paper in the API: its content as JSON, the DOCX and PDF downloads, and preparing either in the
background.

The same helpers and services as the pages (papers/views.py, papers/preparing.py): the same Paper object, the same
files (content type, file name, no caching) and the same queue, so the JSON, the page, the DOCX and the PDF say the
same thing. Anyone whose roles reach the place may read, download and prepare its paper; anyone else gets a 404
that says nothing about it (as the pages do).
"""

import datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.responses import Status

from pcndev.papers.access import (
    CONTENT_TYPES,
    DOCX_TYPE,
    file_download,
    paper_or_404,
    programme_place_or_404,
)
from pcndev.papers.docx_paper import render_docx
from pcndev.papers.models import PreparedPaper
from pcndev.papers.paper import Figures, Paper
from pcndev.papers.pdf_paper import render_pdf
from pcndev.papers.preparing import SHORT, Prepared, prepared_states, request_paper

router = Router(tags=["papers"])

PaperFormat = Literal["pdf", "docx"]
BINARY = {"type": "string", "format": "binary"}


def _file_response(description: str, *content_types: str) -> dict:
    return {
        "responses": {
            200: {
                "description": description,
                "headers": {
                    "Content-Disposition": {
                        "description": 'attachment; filename="committee-paper-….pdf|docx"',
                        "schema": {"type": "string"},
                    }
                },
                "content": {t: {"schema": BINARY} for t in content_types},
            }
        }
    }


class PaperProblem(Schema):
    detail: str


class PaperSummaryRowOut(Schema):
    label: str
    value: str


class PaperStepOut(Schema):
    when: str
    what: str


class PaperFundingOut(Schema):
    national_pence: int
    system_pence: int | None
    place_pence: int | None = Field(description="Null when no allocation has been saved for the place")
    place_development_pence: int | None
    place_cd_pence: int | None
    cd_share_bp: int = Field(description="The clinical directors' share, in basis points (1000 = 10%)")
    cd_percent: str


class PaperMeasureOut(Schema):
    description: str
    target: str
    due: datetime.date | None
    text: str = Field(description="As the paper prints it")


class PaperInitiativeOut(Schema):
    pcn_name: str = Field(description="Every PCN taking it up, comma separated")
    pcn_code: str
    title: str
    support_required: str
    measures: list[PaperMeasureOut]


class PaperAreaOut(Schema):
    title: str = Field(description="The maturity area, or 'Not linked to an area'")
    initiatives: list[PaperInitiativeOut]


class PaperFiguresOut(Schema):
    name: str
    code: str
    practices: int
    pcns: int
    list_size: int
    funding_pence: int | None = Field(description="Null when not allocated yet")
    funding_text: str
    payee: str
    highlight: bool = Field(description="The row of the paper's own place")


class PaperOut(Schema):
    programme: int
    title: str
    committee: str
    committee_short: str
    programme_name: str
    year_label: str
    place_name: str
    place_code: str
    place_kind: str
    system_name: str
    list_size_date: datetime.date
    prepared_on: datetime.date
    file_stem: str = Field(description="The downloads' file name, without .pdf or .docx")
    summary: list[PaperSummaryRowOut]
    purpose: list[str]
    funding: PaperFundingOut
    background: list[str]
    domains: list[str]
    timetable: list[PaperStepOut]
    plans_note: str
    areas: list[PaperAreaOut] = Field(description="The initiatives, by maturity area")
    recommendation: str
    places: list[PaperFiguresOut] = Field(description="The recommendation table: every place of the system")
    places_total: PaperFiguresOut
    pcns: list[PaperFiguresOut] = Field(description="The recommendation table: the place's PCNs")
    pcns_total: PaperFiguresOut
    next_steps: list[str]


class PrepareIn(Schema):
    kind: PaperFormat = Field(description="pdf or docx")


class PreparedOut(Schema):
    kind: PaperFormat
    label: str
    state: Literal["none", "waiting", "done", "failed"] = Field(
        description="The latest request's: none asked (or long since pruned), waiting on the queue, done or failed"
    )
    error: str = Field(description="Why the latest request failed; empty otherwise")
    requested_by: str | None = Field(description="Who asked last (name, else email)")
    requested_at: datetime.datetime | None
    has_file: bool = Field(description="A prepared file is stored (it may be older than a pending request)")
    generated_at: datetime.datetime | None
    generated_by: str | None
    filename: str | None
    size: int | None = Field(description="Bytes")
    sha256: str | None
    download: str | None = Field(description="Where to download the stored file, when there is one")


class PrepareOut(Schema):
    enqueued: bool = Field(description="False when it was already waiting: asking again is the same request")
    prepared: PreparedOut


def _figures(f: Figures) -> dict:
    return {
        "name": f.name,
        "code": f.code,
        "practices": f.practices,
        "pcns": f.pcns,
        "list_size": f.list_size,
        "funding_pence": f.funding_pence,
        "funding_text": f.funding_text,
        "payee": f.payee,
        "highlight": f.highlight,
    }


def paper_out(programme_pk: int, paper: Paper) -> dict:
    """The Paper the page lays out, as the API's JSON."""
    funding = paper.funding
    return {
        "programme": programme_pk,
        "title": paper.title,
        "committee": paper.committee,
        "committee_short": paper.committee_short,
        "programme_name": paper.programme_name,
        "year_label": paper.year_label,
        "place_name": paper.place_name,
        "place_code": paper.place_code,
        "place_kind": paper.place_kind,
        "system_name": paper.system_name,
        "list_size_date": paper.list_size_date,
        "prepared_on": paper.prepared_on,
        "file_stem": paper.file_stem,
        "summary": [{"label": label, "value": value} for label, value in paper.summary],
        "purpose": list(paper.purpose),
        "funding": {
            "national_pence": funding.national_pence,
            "system_pence": funding.system_pence,
            "place_pence": funding.place_pence,
            "place_development_pence": funding.place_development_pence,
            "place_cd_pence": funding.place_cd_pence,
            "cd_share_bp": funding.cd_share_bp,
            "cd_percent": funding.cd_percent,
        },
        "background": list(paper.background),
        "domains": list(paper.domains),
        "timetable": [{"when": s.when, "what": s.what} for s in paper.timetable],
        "plans_note": paper.plans_note,
        "areas": [
            {
                "title": area.title,
                "initiatives": [
                    {
                        "pcn_name": i.pcn_name,
                        "pcn_code": i.pcn_code,
                        "title": i.title,
                        "support_required": i.support_required,
                        "measures": [
                            {"description": m.description, "target": m.target, "due": m.due, "text": m.text}
                            for m in i.measures
                        ],
                    }
                    for i in area.initiatives
                ],
            }
            for area in paper.areas
        ],
        "recommendation": paper.recommendation,
        "places": [_figures(f) for f in paper.places],
        "places_total": _figures(paper.places_total),
        "pcns": [_figures(f) for f in paper.pcns],
        "pcns_total": _figures(paper.pcns_total),
        "next_steps": list(paper.next_steps),
    }


def _name(user) -> str | None:
    return (user.full_name or user.email) if user is not None else None


def _prepared_out(programme, place, p: Prepared) -> dict:
    row = p.row
    has_file = p.has_file
    return {
        "kind": p.kind,
        "label": p.label,
        "state": p.state,
        "error": p.error,
        "requested_by": _name(row.requested_by) if row else None,
        "requested_at": row.requested_at if row else None,
        "has_file": has_file,
        "generated_at": row.generated_at if has_file else None,
        "generated_by": _name(row.generated_by) if has_file else None,
        "filename": row.filename if has_file else None,
        "size": row.size if has_file else None,
        "sha256": row.sha256 if has_file else None,
        "download": reverse("api:papers_prepared_file", args=[programme.pk, place.code, p.kind])
        if has_file
        else None,
    }


@router.get(
    "/programmes/{pk}/places/{code}/paper", response=PaperOut, operation_id="pcndev_api_papers_get_paper"
)
def get_paper(request, pk: int, code: str):
    """The committee paper for the place in the programme, made from live data: the summary, background,
    initiatives by maturity area, the recommendation and its tables (every place of the system, the place's
    PCNs) and next steps. As the page shows it, the other places of the system included."""
    programme, _, paper = paper_or_404(request, pk, code)
    return paper_out(programme.pk, paper)


@router.get(
    "/programmes/{pk}/places/{code}/paper/docx",
    openapi_extra=_file_response("The committee paper as a Word document", DOCX_TYPE),
    operation_id="pcndev_api_papers_docx",
)
def paper_docx(request, pk: int, code: str):
    """The paper as a Word document (DOCX), made now, as the page's download."""
    _, _, paper = paper_or_404(request, pk, code)
    return file_download(render_docx(paper), DOCX_TYPE, f"{paper.file_stem}.docx")


@router.get(
    "/programmes/{pk}/places/{code}/paper/pdf",
    openapi_extra=_file_response("The committee paper as a PDF", "application/pdf"),
    operation_id="pcndev_api_papers_pdf",
)
def paper_pdf(request, pk: int, code: str):
    """The paper as a PDF, made now, as the page's download."""
    _, _, paper = paper_or_404(request, pk, code)
    return file_download(render_pdf(paper), "application/pdf", f"{paper.file_stem}.pdf")


@router.post(
    "/programmes/{pk}/places/{code}/paper/prepare",
    response={200: PrepareOut, 201: PrepareOut},
    operation_id="pcndev_api_papers_prepare",
)
def prepare(request, pk: int, code: str, body: PrepareIn):
    """Prepare the PDF or the DOCX in the background, as the page's button does: 201 when it is put on the
    queue, 200 when it is already waiting there (the same request). Then poll …/paper/prepared."""
    programme, place = programme_place_or_404(request, pk, code)
    _, enqueued = request_paper(request.user, programme, place, body.kind)
    state = next(p for p in prepared_states(programme, place) if p.kind == body.kind)
    return Status(
        201 if enqueued else 200, {"enqueued": enqueued, "prepared": _prepared_out(programme, place, state)}
    )


@router.get(
    "/programmes/{pk}/places/{code}/paper/prepared",
    response=list[PreparedOut],
    operation_id="pcndev_api_papers_prepared",
)
def prepared(request, pk: int, code: str):
    """Each format's preparation: none, waiting, done or failed (and why), who asked and when, and the stored
    file (when made, for whom, its size and where to download it)."""
    programme, place = programme_place_or_404(request, pk, code)
    return [_prepared_out(programme, place, p) for p in prepared_states(programme, place)]


@router.get(
    "/programmes/{pk}/places/{code}/paper/prepared/{kind}",
    response={409: PaperProblem},
    openapi_extra=_file_response("The file last prepared", "application/pdf", DOCX_TYPE),
    operation_id="pcndev_api_papers_prepared_file",
    url_name="papers_prepared_file",
)
def prepared_file(request, pk: int, code: str, kind: PaperFormat):
    """The stored file last prepared in that format; 409 while none has been prepared yet."""
    programme, place = programme_place_or_404(request, pk, code)
    row = PreparedPaper.objects.filter(
        programme=programme, place=place, kind=kind, generated_at__isnull=False
    ).first()
    if row is None:
        return Status(
            409, {"detail": f"No {SHORT[kind]} has been prepared yet: ask for one with POST …/paper/prepare."}
        )
    return file_download(bytes(row.content), CONTENT_TYPES[kind], row.filename)
