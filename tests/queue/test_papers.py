"""Committee papers prepared in the background: the page flow without JavaScript, who may download the stored
file, failures shown and retried, a dead worker's paper finished once, and the audit trail."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.ops.worker import run_enqueued
from pcndev.orgs.models import PCN
from pcndev.papers import tasks as paper_tasks
from pcndev.papers.models import PreparedPaper
from tests.builders import make_user
from tests.papers.builders import add_plan, funded_place
from tests.queue.helpers import left_running_by_dead_worker

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def world(db):
    w = funded_place(pcns=2, practices=2)
    w.place, w.other = w.tree.places
    for pcn in PCN.objects.filter(place=w.place):
        add_plan(w.programme, pcn, w.areas)
    w.args = [w.programme.pk, w.place.code]
    w.lead = make_user("lead@test.example", Role.PLACE_LEAD, w.place)
    return w


def _page(client, w) -> str:
    response = client.get(reverse("papers:place", args=w.args))
    assert response.status_code == 200
    return response.content.decode()


def _block(page: str, kind: str) -> str:
    return re.search(rf'<div class="app-prepared" data-format="{kind}"[^>]*>(.*?)</div>', page, re.S).group(0)


def _csrf(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _prepare(client, w, kind: str, page: str | None = None):
    token = _csrf(page or _page(client, w))
    return client.post(reverse("papers:prepare", args=w.args), {"kind": kind, "csrfmiddlewaretoken": token})


def test_prepare_then_check_again_then_download_without_javascript(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.lead)
    page = _page(client, world)
    assert 'data-state="none"' in _block(page, "pdf") and "Prepare the PDF</button>" in page.replace("\n", "")
    assert (
        '<details id="prepared" class="nhsuk-details app-paper-screen-only">' in page
    )  # closed: nothing yet

    no_token = client.post(reverse("papers:prepare", args=world.args), {"kind": "pdf"})
    assert no_token.status_code == 403 and not DBTaskResult.objects.exists()

    response = _prepare(client, world, "pdf", page)
    assert response.status_code == 302
    assert response["Location"] == reverse("papers:place", args=world.args) + "#prepared"
    page = _page(client, world)
    block = _block(page, "pdf")
    assert 'data-state="waiting"' in block and "The PDF is being prepared" in block
    # A plain link to the page (no fragment: from page#prepared, a link to page#prepared would not reload it).
    assert f'<a href="{reverse("papers:place", args=world.args)}">Check again</a>' in block
    assert "Download the prepared" not in block and "<form" not in block
    assert (
        'http-equiv="refresh"' not in page
        and '<details id="prepared" class="nhsuk-details app-paper-screen-only" open>' in page
    )
    download = reverse("papers:prepared", args=[*world.args, "pdf"])
    assert client.get(download)["Location"].endswith("#prepared")  # nothing stored yet: back to the page

    _prepare(client, world, "pdf")  # asking again while it waits is the same request
    assert DBTaskResult.objects.count() == 1

    assert run_enqueued() == 1
    block = _block(_page(client, world), "pdf")
    assert (
        'data-state="done"' in block
        and f'<a href="{download}" download>Download the prepared PDF</a>' in block
    )
    assert "for Lead" in block and "Prepare the PDF again" in block
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and response["Cache-Control"] == "private, no-store"
    stored = PreparedPaper.objects.get(kind="pdf")
    assert response["Content-Disposition"] == f'attachment; filename="{stored.filename}"'
    assert stored.filename.startswith("committee-paper-2019-20-") and stored.size == len(response.content)
    assert stored.generated_by == world.lead and stored.requested_by == world.lead


def test_the_word_document_is_prepared_the_same_way(world):
    client = Client()
    client.force_login(world.lead)
    _prepare(client, world, "docx")
    run_enqueued()
    response = client.get(reverse("papers:prepared", args=[*world.args, "docx"]))
    assert response["Content-Type"] == DOCX_TYPE and response.content.startswith(b"PK")
    assert 'data-state="none"' in _block(_page(client, world), "pdf")  # the PDF was not asked for


def test_who_generated_what_is_audited(world):
    client = Client()
    client.force_login(world.lead)
    _prepare(client, world, "pdf")
    task_id = PreparedPaper.objects.get().task_id
    run_enqueued()
    events = {e.action: e for e in AuditEvent.objects.filter(action__startswith="paper.")}
    assert set(events) == {"paper.requested", "paper.generated"}
    generated = events["paper.generated"]
    assert generated.actor == world.lead and generated.object_id == str(world.place.pk)
    stored = PreparedPaper.objects.get()
    assert generated.after == {
        "programme": world.programme.pk,
        "format": "pdf",
        "filename": stored.filename,
        "bytes": stored.size,
        "sha256": stored.sha256,
        "task": task_id,
        "attempt": 1,
    }
    assert events["paper.requested"].after["task"] == task_id


def test_only_people_who_can_see_the_place_may_prepare_or_download(world):
    lead = Client()
    lead.force_login(world.lead)
    _prepare(lead, world, "pdf")
    run_enqueued()
    download = reverse("papers:prepared", args=[*world.args, "pdf"])
    prepare = reverse("papers:prepare", args=world.args)
    anonymous = Client()
    assert anonymous.get(download).status_code == 302 and "sign-in" in anonymous.get(download)["Location"]
    assert anonymous.post(prepare, {"kind": "pdf"}).status_code == 302
    outsiders = [
        make_user("other-place@test.example", Role.PLACE_LEAD, world.other),
        make_user("cd-elsewhere@test.example", Role.PCN_CD, PCN.objects.filter(place=world.other).first()),
        make_user("nobody@test.example"),
    ]
    for user in outsiders:
        client = Client()
        client.force_login(user)
        assert client.get(download).status_code == 404, user
        assert client.post(prepare, {"kind": "pdf"}).status_code == 404, user
    assert DBTaskResult.objects.count() == 1
    for user in (
        make_user("system@test.example", Role.SYSTEM_LEAD, world.place.system),
        make_user("viewer@test.example", Role.VIEWER, world.place),
        make_user("national@test.example", Role.NATIONAL_ADMIN),
    ):
        client = Client()
        client.force_login(user)
        assert client.get(download).content.startswith(b"%PDF"), user
    assert lead.get(reverse("papers:prepared", args=[*world.args, "xlsx"])).status_code == 404
    assert lead.post(prepare, {"kind": "xlsx"}).status_code == 400
    assert lead.get(prepare).status_code == 405


def test_a_failure_is_shown_clearly_and_can_be_retried(world, monkeypatch):
    client = Client()
    client.force_login(world.lead)

    def broken(paper):
        raise RuntimeError("the PDF engine crashed")

    monkeypatch.setitem(paper_tasks.RENDERERS, "pdf", broken)
    _prepare(client, world, "pdf")
    run_enqueued()
    task_id = PreparedPaper.objects.get().task_id
    block = _block(_page(client, world), "pdf")
    assert 'data-state="failed"' in block
    assert f"The PDF could not be prepared: an error stopped it (RuntimeError; reference {task_id})" in block
    assert "Try preparing the PDF again" in block and "crashed" not in block  # no internals shown
    monkeypatch.undo()
    _prepare(client, world, "pdf")
    assert PreparedPaper.objects.get().task_id != task_id
    run_enqueued()
    assert 'data-state="done"' in _block(_page(client, world), "pdf")


def test_a_paper_whose_worker_died_is_prepared_once_by_the_next_worker(world):
    client = Client()
    client.force_login(world.lead)
    _prepare(client, world, "pdf")
    task_id = PreparedPaper.objects.get().task_id
    left_running_by_dead_worker(task_id)
    assert 'data-state="waiting"' in _block(
        _page(client, world), "pdf"
    )  # still being prepared, as far as anyone knows
    assert run_enqueued(worker_id="next") == 1
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.SUCCESSFUL
    assert AuditEvent.objects.filter(action="paper.generated").count() == 1
    assert client.get(reverse("papers:prepared", args=[*world.args, "pdf"])).content.startswith(b"%PDF")


def test_running_the_task_twice_leaves_one_stored_file(world):
    """What a worker dying after storing the file but before recording success amounts to."""
    client = Client()
    client.force_login(world.lead)
    _prepare(client, world, "pdf")
    run_enqueued()
    first = PreparedPaper.objects.get()
    DBTaskResult.objects.filter(pk=first.task_id).update(status=TaskResultStatus.READY)
    run_enqueued()
    again = PreparedPaper.objects.get()
    assert PreparedPaper.objects.count() == 1 and again.pk == first.pk and again.size > 0
    assert again.generated_at >= first.generated_at


def test_a_task_lost_too_many_times_says_so(world):
    client = Client()
    client.force_login(world.lead)
    _prepare(client, world, "pdf")
    left_running_by_dead_worker(PreparedPaper.objects.get().task_id, workers=("a", "b", "c"))
    run_enqueued()
    block = _block(_page(client, world), "pdf")
    assert "the background worker preparing it stopped before it finished, several times" in block
    assert "Try preparing the PDF again" in block
