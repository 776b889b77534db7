"""The bounded API fuzz run (the full one is bench/fuzz.py): every operation in the OpenAPI document gets a few
schemathesis cases, each as a user of one of the roles, against the demo data. No response may be a server error,
and every response must be documented: its status code, its content type and its body's schema.

About 7 cases per operation (about 500 in all), derandomized so that a run is repeatable. The demo data is built
once per module (per worker) inside a transaction that is rolled back at the end, and each operation's writes are
rolled back after it.
"""

import pytest
from django.db import transaction

from tests.fuzz import engine
from tests.fuzz.world import build_world

SCHEMA = engine.load_schema()
OPERATIONS = engine.operations(SCHEMA)
EXAMPLES = 7


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_operation(operation, world, db):
    stats = engine.Stats()
    with engine.app_requests() as (app, errors):
        engine.fuzz_operation(operation, world, app, errors, stats, EXAMPLES)
    assert stats.requests, "no case could be generated"
    failures = stats.server_errors + stats.schema_failures
    assert not failures, engine.report(failures)
