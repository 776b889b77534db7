"""Optimistic locking with many clients at once: 8 threads, each with its own database connection, save the same
plan or review from the same lock_version, released together. Exactly one save wins per lock version, every other
gets the stale message (who saved, and when), and what the winner saved is all there: nothing lost, nothing
half-written. Then rounds of the same race, each client re-reading first: one winner a round, all kept.

On PostgreSQL (transactional tests, so that the threads see each other's commits). SQLite takes one writer at a
time for the whole database and its tests' database lives in one connection's memory, so the race cannot
happen there.
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from pcndev.accounts.models import ApiToken
from pcndev.audit.models import AuditEvent
from pcndev.delivery.review_models import ProgressReview
from pcndev.delivery.reviewing import StaleReview, save_review
from pcndev.plans.editing import StaleEdit, save_initiative, update_plan
from pcndev.plans.models import Initiative, PlanVersion
from tests.delivery.review_builders import OCT, delivered_plan, review_data
from tests.plans.builders import funded_world, initiative_data, ready_plan

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises every writer and keeps the test database in one connection: run with "
        "DATABASE_URL=postgres://… to race 8 clients",
    ),
]
CLIENTS = 8
ROUNDS = 4


def race(save, clients: int = CLIENTS) -> list:
    """Run save(i) in `clients` threads released at once; each one's result or the exception it raised."""
    gate, results = threading.Barrier(clients), [None] * clients

    def one(i):
        try:
            gate.wait()
            results[i] = save(i)
        except Exception as exc:  # noqa: BLE001 - kept for the assertions
            results[i] = exc
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _one_winner(results, stale_type, saved_by: str):
    winners = [r for r in results if not isinstance(r, Exception)]
    stale = [r for r in results if isinstance(r, stale_type)]
    other = [r for r in results if isinstance(r, Exception) and not isinstance(r, stale_type)]
    assert not other, f"neither saved nor stale: {other!r}"
    assert len(winners) == 1 and len(stale) == CLIENTS - 1
    what = "This plan" if stale_type is StaleEdit else "This review"
    assert all(s.message.startswith(f"{what} was changed by {saved_by} on ") for s in stale)
    return winners[0]


def test_eight_clients_editing_a_plan_at_once_one_wins_each_lock(db):
    w = funded_world()
    version = ready_plan(w)
    for n in range(ROUNDS):
        lock = PlanVersion.objects.get(pk=version.pk).lock_version
        results = race(
            lambda i, lock=lock, n=n: update_plan(version, lock, w.cd, f"Priority {n}.{i}", "", [])
        )
        winner = _one_winner(results, StaleEdit, str(w.cd))
        saved = PlanVersion.objects.get(pk=version.pk)
        assert saved.lock_version == lock + 1
        assert saved.improvement_priority == winner.improvement_priority
    assert AuditEvent.objects.filter(action="plan.updated", object_id=str(version.pk)).count() == ROUNDS


def test_eight_clients_adding_initiatives_at_once_add_one_each_lock(db):
    w = funded_world()
    version = ready_plan(w, costs=(1_000_00,))
    for n in range(ROUNDS):
        lock = PlanVersion.objects.get(pk=version.pk).lock_version
        before = Initiative.objects.filter(version=version).count()

        def add(i, lock=lock, n=n):
            return save_initiative(
                version, lock, w.cd, initiative_data(1_000_00, title=f"Round {n} client {i}")
            )

        winner = _one_winner(race(add), StaleEdit, str(w.cd))
        titles = list(Initiative.objects.filter(version=version).values_list("title", flat=True))
        assert len(titles) == before + 1 and winner.title in titles


def test_eight_clients_recording_a_review_at_once_one_wins_each_lock(db):
    w = funded_world()
    version = delivered_plan(w)
    plan = version.plan
    for n in range(ROUNDS):  # the first round creates the review: no row to lock yet
        row = ProgressReview.objects.filter(plan=plan, due=OCT).first()
        lock = row.lock_version if row else 0
        results = race(
            lambda i, lock=lock, n=n: save_review(
                plan, OCT, lock, w.cd, review_data(version, actions=f"{n}.{i}")
            )
        )
        winner = _one_winner(results, StaleReview, str(w.cd))
        saved = ProgressReview.objects.get(plan=plan, due=OCT)
        assert saved.actions == winner.actions and saved.lock_version == winner.lock_version
        assert saved.updates.count() == version.initiatives.count()
    assert ProgressReview.objects.filter(plan=plan).count() == 1


def test_eight_api_clients_saving_one_plan_get_one_200_and_seven_409s(db):
    w = funded_world()
    version = ready_plan(w)
    token = ApiToken.objects.issue(w.cd)[1]
    lock = version.lock_version

    def patch(i):
        client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")
        body = {"lock_version": lock, "improvement_priority": f"Client {i}"}
        return client.patch(f"/api/v1/plans/versions/{version.pk}", body, content_type="application/json")

    responses = race(patch)
    assert sorted(r.status_code for r in responses) == [200] + [409] * (CLIENTS - 1)
    winner = next(r for r in responses if r.status_code == 200).json()
    assert all(
        r.json()["detail"].startswith("This plan was changed by") for r in responses if r.status_code == 409
    )
    assert PlanVersion.objects.get(pk=version.pk).improvement_priority == winner["improvement_priority"]


def test_eight_clients_recording_a_cd_plan_review_at_once_one_wins_each_lock(db):
    from pcndev.delivery.cd_reviewing import save_cd_review
    from pcndev.delivery.review_models import CDPlanReview
    from pcndev.orgs.models import ClinicalDirector
    from pcndev.plans.cd_plans import add_item, agree_cd_plan
    from pcndev.plans.models import CDDevelopmentPlan
    from tests.delivery.review_builders import MEETING, update

    w = funded_world()
    director = ClinicalDirector.objects.create(pcn=w.pcn, name="Dr A", share_percent=100, user=w.cd)
    plan = CDDevelopmentPlan.objects.create(programme=w.programme, director=director, pcn=w.pcn)
    item = add_item(plan, w.cd, "coaching", "Six coaching sessions", 2_000_00)
    agree_cd_plan(plan, w.place_lead)
    plan.refresh_from_db()
    for n in range(ROUNDS):
        row = CDPlanReview.objects.filter(cd_plan=plan, due=OCT).first()
        lock = row.lock_version if row else 0

        def save(i, lock=lock, n=n):
            meeting = {
                "meeting_date": MEETING,
                "cd_attended": True,
                "place_lead_attended": True,
                "progress": f"{n}.{i}",
            }
            return save_cd_review(plan, OCT, lock, w.cd, meeting, {item.pk: update()})

        winner = _one_winner(race(save), StaleReview, str(w.cd))
        assert CDPlanReview.objects.get(cd_plan=plan, due=OCT).progress == winner.progress
    assert CDPlanReview.objects.filter(cd_plan=plan).count() == 1
