import pytest
from django.db import transaction

from pcndev.accounts.models import Role
from tests.builders import make_user
from tests.dashboards.builders import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world per test module (it takes a few seconds to build), rolled back at the end of the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            w = build_world()
            yield w, make_user("national@test.example", Role.NATIONAL_ADMIN)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
