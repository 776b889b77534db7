"""Every form a user can reach gets oversized, Unicode (emoji, right-to-left), NUL, negative and empty values.

The forms are found by signing in as each role on the demo data and following links (tests/faults/crawl.py). Each
kind of field of each form is sent each bad value that applies to it, the rest of the form as it was shown (empty
boxes filled in); every submission is rolled back. Never a server error; a form shown again says what is wrong; NUL characters and
numbers too big for the database are never accepted.
"""

import pytest
from django.db import transaction
from django.test import Client

from pcndev.accounts.models import Role
from pcndev.ops.checksums import differences, table_checksums
from tests.faults.bad_values import BAD_VALUES, applies, never_accepted, plausible, representatives
from tests.faults.crawl import crawl
from tests.faults.dbfaults import audit_writes
from tests.fuzz.world import build_world

ERROR_MARKERS = (b"nhsuk-error-summary", b"nhsuk-error-message")
# Those who act first, so that each form is kept as someone who may submit it sees it (the clinical directors of
# the demo's plans, then the demo users); the region lead and the viewer reach no form the others do not.
CRAWLED = (Role.PCN_CD, Role.PRACTICE_MEMBER, Role.PLACE_LEAD, Role.SYSTEM_LEAD, Role.NATIONAL_ADMIN)
PLAN_CDS = (
    2  # of the demo's plans' clinical directors: one delivering (reviews), one drafting (the plan forms)
)


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The demo data, the users of each role and the forms they reach (built once, rolled back at the end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        users = build_world().users()
        cds = [r for r in users if r.startswith(f"{Role.PCN_CD}:")]
        chosen = [cds[0], cds[-1]][:PLAN_CDS] + list(CRAWLED)
        users = {r: users[r] for r in chosen}
        found = crawl(users)
        yield users, found, _submittable(users, found)
        transaction.set_rollback(True)


def _submittable(users, found) -> list:
    """One form of each kind: the first whose user gets past the permission check with it as shown."""
    clients, chosen = {}, []
    for candidates in found.forms.values():
        for form in candidates:
            client = clients.get(form.role) or clients.setdefault(form.role, _client(users[form.role]))
            if _submit(client, form, form.fields).status_code not in (403, 404):
                chosen.append(form)
                break
        else:
            chosen.append(candidates[0])
    return chosen


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _submit(client, form, data):
    with transaction.atomic():
        response = getattr(client, form.method)(form.action, data)
        transaction.set_rollback(True)
    return response


def test_every_page_reached_renders(site):
    _, found, _ = site
    assert not found.server_errors, "\n".join(found.server_errors)


def test_the_crawl_reaches_the_forms(site):
    _, found, _ = site
    names = {key[1] for key in found.forms}
    for expected in (
        "search",
        "funding:programme-new",
        "funding:entry-new",
        "maturity:rate",
        "maturity:consensus",
        "plans:committee",
        "plans:initiative-new",
        "plans:version-edit",
        "delivery:review",
    ):
        assert expected in names, f"no {expected} form found; visited {found.visited}"


def _check(form, name, bad, response) -> str | None:
    status = response.status_code
    if status >= 500:
        return "server error"
    if form.method == "post" and status in (200, 400):
        if not any(marker in response.content for marker in ERROR_MARKERS):
            return "the form came back without saying what is wrong"
    elif status in (301, 302, 303) and never_accepted(bad, form.kinds.get(name, "text")):
        return "accepted"
    return None


@pytest.mark.parametrize("bad", list(BAD_VALUES))
def test_every_form_refuses_bad_values_clearly(site, db, bad):
    users, _, forms = site
    clients: dict[str, Client] = {}
    problems, answered = [], {}
    for form in forms:
        if form.role not in clients:
            clients[form.role] = _client(users[form.role])
        for name in representatives(form.editable(), form.kinds):
            if not applies(bad, form.kinds.get(name, "text")):
                continue
            filled = plausible(form.fields, form.kinds, form.choices)
            response = _submit(clients[form.role], form, {**filled, name: BAD_VALUES[bad]})
            answered.setdefault(f"{form.method.upper()} {form.action}", set()).add(response.status_code)
            if problem := _check(form, name, bad, response):
                problems.append(
                    f"{form.method.upper()} {form.action} {name}={bad!r} as {form.role}: {problem}"
                )
    refused = [where for where, statuses in answered.items() if statuses <= {403, 404}]
    assert not refused, f"never past the permission check, so not tested: {refused}"
    assert not problems, "\n".join(problems)


# Written around the request's own work, not by it: the session (messages) and the cache.
BOOKKEEPING = ("django_session ", "pcndev_cache ")


def test_the_database_going_away_at_any_forms_last_write_keeps_nothing(site, db, monkeypatch):
    """Each form that saves, submitted as a user would, with the database gone at its last audit write (the
    end of a service's transaction): the error page, and every table as it was, so no half-done save."""
    users, _, forms = site
    tested, problems = [], []
    for form in (f for f in forms if f.method == "post"):
        client = _client(users[form.role])
        data = plausible(form.fields, form.kinds, form.choices)
        with audit_writes(monkeypatch) as dry_run:
            _submit(client, form, data)
        if dry_run.count == 0:
            continue  # refused, or saves nothing
        tested.append(form.action)
        with transaction.atomic():
            before = table_checksums()
            with audit_writes(monkeypatch, fail_at=dry_run.count):
                response = client.post(form.action, data)
            changed = [d for d in differences(before, table_checksums()) if not d.startswith(BOOKKEEPING)]
            transaction.set_rollback(True)
        if response.status_code != 503 or b"Sorry, there is a problem" not in response.content:
            problems.append(f"{form.action} as {form.role}: {response.status_code}, not the error page")
        if changed:
            problems.append(f"{form.action} as {form.role}: kept {changed}")
    assert len(tested) >= 5, f"too few forms saved anything to test: {tested}"
    assert not problems, "\n".join(problems)
