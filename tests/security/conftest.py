import pytest
from django.db import transaction
from django.test import Client

from tests.security.world import ANONYMOUS, build_world


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    """The security world, built once (per worker) for the suite and rolled back at its end. Each test still runs
    in its own transaction inside it, so tests that build their own trees beside it leave nothing behind."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="package")
def clients(world):
    """One signed-in client per role holder, and an anonymous one. 500s come back as responses, not exceptions."""
    out = {}
    for key in world.holders:
        client = Client(raise_request_exception=False)
        if key != ANONYMOUS:
            client.force_login(world.users[key])
        out[key] = client
    return out
