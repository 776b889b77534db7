"""The committee paper in the API: the JSON says what the page says (the same Paper), the downloads are the page's
files, preparing in the background goes through the same queue, and only people who can see the place get any of
it (a 404 with no hint for anyone else)."""

import html
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from docx import Document

from pcndev.accounts.models import ApiToken, Role
from pcndev.audit.models import AuditEvent
from pcndev.config.formatting import format_count
from pcndev.ops.worker import run_enqueued
from pcndev.orgs.models import PCN
from pcndev.papers import tasks as paper_tasks
from pcndev.papers.content import build_paper
from pcndev.papers.models import PreparedPaper
from tests.builders import make_user
from tests.papers.builders import add_plan, funded_place, latest_line, list_size_of, practices_in

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOT_FOUND = {"detail": "Not found"}


@pytest.fixture
def world(db):
    w = funded_place(pcns=2, practices=2)
    w.place, w.other = w.tree.places
    for pcn in PCN.objects.filter(place=w.place):
        add_plan(w.programme, pcn, w.areas)
    w.base = f"/api/v1/programmes/{w.programme.pk}/places/{w.place.code}/paper"
    w.lead = make_user("lead@test.example", Role.PLACE_LEAD, w.place)
    return w


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _rows(rows) -> list[tuple]:
    return [
        (r["name"], r["code"], r["practices"], r["pcns"], r["list_size"], r["funding_pence"]) for r in rows
    ]


def test_the_json_is_the_papers_content_as_the_page_shows_it(world):
    client = _as(world.lead)
    response = client.get(world.base)
    assert response.status_code == 200
    body = response.json()
    paper = build_paper(world.programme, world.place)
    assert body["title"] == paper.title == f"PCN development support funding 2019/20: {world.place.name}"
    assert body["recommendation"] == paper.recommendation and body["place_code"] == world.place.code
    assert body["file_stem"] == paper.file_stem
    # The recommendation tables: every place of the system, then the place's PCNs, each with its total.
    assert _rows(body["places"]) == [
        (f.name, f.code, f.practices, f.pcns, f.list_size, f.funding_pence) for f in paper.places
    ]
    assert [r["highlight"] for r in body["places"]] == [r["code"] == world.place.code for r in body["places"]]
    assert {r[1] for r in _rows(body["places"])} == {world.place.code, world.other.code}
    pcns = PCN.objects.filter(place=world.place).order_by("name")
    assert _rows(body["pcns"]) == [
        (
            p.name,
            p.code,
            practices_in(pk=p.pk),
            1,
            list_size_of(world.programme, pk=p.pk),
            latest_line(world.programme, "pcn", pcn=p).total_pence,
        )
        for p in pcns
    ]
    assert body["pcns_total"]["funding_pence"] == sum(r["funding_pence"] for r in body["pcns"])
    assert body["pcns_total"]["list_size"] == sum(r["list_size"] for r in body["pcns"])
    place_line = latest_line(world.programme, "place", place=world.place)
    assert body["funding"]["place_pence"] == place_line.total_pence
    assert [(s["label"], s["value"]) for s in body["summary"]] == list(paper.summary)
    # Initiatives sit under their maturity areas, with their PCN, support and measures.
    areas = {a["title"]: a["initiatives"] for a in body["areas"]}
    assert list(areas) == [a.title for a in paper.areas] and len(areas) == 2
    titles = {i["title"] for items in areas.values() for i in items}
    assert titles == {
        f"{p.name} {what}" for p in pcns for what in ("leadership coaching", "population analytics")
    }
    first = areas[world.areas[0].title][0]
    assert first["support_required"] == "Coaching for the clinical director"
    assert [(m["description"], m["target"], m["due"]) for m in first["measures"]] == [
        ("Sessions held", "6", "2020-03-31")
    ]
    # The page shows the same title, recommendation, areas, initiatives and table rows.
    page = client.get(reverse("papers:place", args=[world.programme.pk, world.place.code])).content.decode()
    shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    for text in [
        body["title"],
        body["recommendation"],
        *areas,
        *titles,
        *(r["name"] for r in body["places"]),
    ]:
        assert " ".join(text.split()) in shown, text
    for row in [*body["places"], *body["pcns"], body["pcns_total"]]:
        assert row["funding_text"] in shown and format_count(row["list_size"]) in shown, row


def test_the_downloads_are_the_pages_files(world):
    client = _as(world.lead)
    stem = build_paper(world.programme, world.place).file_stem
    docx = client.get(f"{world.base}/docx")
    assert docx.status_code == 200 and docx["Content-Type"] == DOCX_TYPE and docx.content.startswith(b"PK")
    assert docx["Content-Disposition"] == f'attachment; filename="{stem}.docx"'
    assert docx["Cache-Control"] == "private, no-store"
    assert Document(io.BytesIO(docx.content)).paragraphs  # a Word document python-docx can read
    pdf = client.get(f"{world.base}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert (
        pdf.content.startswith(b"%PDF") and pdf["Content-Disposition"] == f'attachment; filename="{stem}.pdf"'
    )
    # With a token too (no session), as any API client would.
    _, raw = ApiToken.objects.issue(world.lead, "test")
    token = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert token.get(f"{world.base}/pdf").content.startswith(b"%PDF")


def test_prepare_then_run_the_worker_then_download(world):
    client = _as(world.lead)
    states = client.get(f"{world.base}/prepared").json()
    assert [(s["kind"], s["state"], s["has_file"], s["download"]) for s in states] == [
        ("pdf", "none", False, None),
        ("docx", "none", False, None),
    ]
    assert client.get(f"{world.base}/prepared/pdf").status_code == 409  # nothing stored yet
    assert "prepared yet" in client.get(f"{world.base}/prepared/pdf").json()["detail"]

    asked = _post(client, f"{world.base}/prepare", {"kind": "pdf"})
    assert asked.status_code == 201
    out = asked.json()
    assert out["enqueued"] is True and out["prepared"]["state"] == "waiting"
    assert out["prepared"]["requested_by"] == "Lead" and out["prepared"]["requested_at"]
    again = _post(client, f"{world.base}/prepare", {"kind": "pdf"})  # while it waits: the same request
    assert again.status_code == 200 and again.json()["enqueued"] is False
    assert DBTaskResult.objects.count() == 1
    row = PreparedPaper.objects.get()
    assert AuditEvent.objects.get(action="paper.requested").after == {
        "programme": world.programme.pk,
        "format": "pdf",
        "task": row.task_id,
    }

    assert run_enqueued() == 1
    pdf, docx = client.get(f"{world.base}/prepared").json()
    assert (pdf["state"], pdf["has_file"], pdf["generated_by"]) == ("done", True, "Lead")
    assert docx["state"] == "none"  # the DOCX was not asked for
    stored = PreparedPaper.objects.get(kind="pdf")
    assert (pdf["filename"], pdf["size"], pdf["sha256"]) == (stored.filename, stored.size, stored.sha256)
    assert pdf["download"] == f"{world.base}/prepared/pdf"
    download = client.get(pdf["download"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF") and len(download.content) == stored.size
    assert download["Content-Disposition"] == f'attachment; filename="{stored.filename}"'
    assert download["Cache-Control"] == "private, no-store"
    # The page offers the same stored file.
    page = client.get(reverse("papers:prepared", args=[world.programme.pk, world.place.code, "pdf"]))
    assert page.content == download.content


def test_the_word_document_is_prepared_the_same_way(world):
    client = _as(world.lead)
    assert _post(client, f"{world.base}/prepare", {"kind": "docx"}).status_code == 201
    run_enqueued()
    docx = client.get(f"{world.base}/prepared/docx")
    assert docx["Content-Type"] == DOCX_TYPE and docx.content.startswith(b"PK")
    assert client.get(f"{world.base}/prepared/pdf").status_code == 409


def test_a_failure_is_reported_and_can_be_retried(world, monkeypatch):
    client = _as(world.lead)

    def broken(paper):
        raise RuntimeError("the PDF engine crashed")

    monkeypatch.setitem(paper_tasks.RENDERERS, "pdf", broken)
    _post(client, f"{world.base}/prepare", {"kind": "pdf"})
    run_enqueued()
    pdf = client.get(f"{world.base}/prepared").json()[0]
    task_id = PreparedPaper.objects.get().task_id
    assert pdf["state"] == "failed" and pdf["has_file"] is False
    assert pdf["error"] == f"an error stopped it (RuntimeError; reference {task_id})"  # no internals
    monkeypatch.undo()
    assert _post(client, f"{world.base}/prepare", {"kind": "pdf"}).status_code == 201
    run_enqueued()
    assert client.get(f"{world.base}/prepared").json()[0]["state"] == "done"


def test_bad_input_is_refused_with_a_detail(world):
    client = _as(world.lead)
    for body in ({"kind": "xlsx"}, {}, {"kind": None}):
        response = _post(client, f"{world.base}/prepare", body)
        assert response.status_code == 422 and response.json()["detail"], body
    not_json = client.post(f"{world.base}/prepare", "{", content_type="application/json")
    assert not_json.status_code == 400 and not_json.json()["detail"]
    assert client.get(f"{world.base}/prepared/xlsx").status_code == 422
    assert not DBTaskResult.objects.exists()
    gone = f"/api/v1/programmes/{world.programme.pk + 99}/places/{world.place.code}/paper"
    assert client.get(gone).status_code == 404


def _all(client, world) -> list:
    return [
        client.get(world.base),
        client.get(f"{world.base}/docx"),
        client.get(f"{world.base}/pdf"),
        _post(client, f"{world.base}/prepare", {"kind": "pdf"}),
        client.get(f"{world.base}/prepared"),
        client.get(f"{world.base}/prepared/pdf"),
    ]


def test_only_people_who_can_see_the_place_get_the_paper(world):
    lead = _as(world.lead)
    _post(lead, f"{world.base}/prepare", {"kind": "pdf"})
    run_enqueued()
    outsiders = [
        make_user("other-place@test.example", Role.PLACE_LEAD, world.other),
        make_user("other-viewer@test.example", Role.VIEWER, world.other),
        make_user("cd-elsewhere@test.example", Role.PCN_CD, PCN.objects.filter(place=world.other).first()),
        make_user("nobody@test.example"),
    ]
    for user in outsiders:
        for response in _all(_as(user), world):
            assert response.status_code == 404 and response.json() == NOT_FOUND, user  # no hint
    assert DBTaskResult.objects.count() == 1  # nobody outside put anything on the queue
    assert all(r.status_code == 401 for r in _all(Client(), world))
    insiders = [
        make_user("viewer@test.example", Role.VIEWER, world.place),  # as the page: a viewer may prepare too
        make_user("system@test.example", Role.SYSTEM_LEAD, world.place.system),
        make_user("national@test.example", Role.NATIONAL_ADMIN),
    ]
    for user in insiders:
        statuses = [r.status_code for r in _all(_as(user), world)]
        assert statuses[:3] == [200, 200, 200] and statuses[3] in (200, 201) and statuses[4:] == [200, 200]
    assert _as(insiders[0]).get(f"{world.base}/prepared/pdf").content.startswith(b"%PDF")
