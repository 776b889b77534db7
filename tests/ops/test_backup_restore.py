"""Round trips through `pcndev backup` and `pcndev restore` (they manage their own transactions)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from pcndev.accounts.models import User
from pcndev.audit.models import AuditEvent
from pcndev.audit.services import record
from pcndev.demo.build import build_demo, ensure_users
from pcndev.demo.maturity import build_maturity
from pcndev.demo.money import build_money
from pcndev.demo.plans import build_plans
from pcndev.ops.checksums import table_checksums
from pcndev.ops.tables import cleared_on_restore
from pcndev.ops.triggers import user_triggers
from pcndev.orgs.models import Practice, Region
from tests.ops.helpers import add_session, backup_to, build_spread, read_backup

pytestmark = pytest.mark.django_db(transaction=True)


def _audit_triggers():
    return user_triggers(connection, ["audit_auditevent"])


def _assert_audit_is_append_only():
    event = AuditEvent.objects.order_by("pk").first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    if connection.vendor == "postgresql":  # SQLite's trigger refuses updates only (see the audit migration)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk)._raw_delete(AuditEvent.objects.db)
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_the_demo_round_trips_into_an_emptied_database_with_identical_data(tmp_path):
    build_demo()
    ensure_users()
    build_money()
    build_maturity()
    build_plans()
    before = table_checksums()
    region_type = ContentType.objects.get_for_model(Region).pk
    file = backup_to(tmp_path / "demo.zip")
    manifest, _ = read_backup(file)
    assert {t["name"]: (t["rows"], t["sha256"]) for t in manifest["tables"]} == before
    assert sum(count for count, _ in before.values()) > 2000

    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.filter(app_label="orgs").delete()  # so migrate gives them new ids
    call_command("migrate", interactive=False, verbosity=0)
    assert ContentType.objects.get_for_model(Region).pk != region_type
    call_command("restore", str(file), verbosity=0)  # empty but for content types: no --force needed

    assert table_checksums() == before
    assert ContentType.objects.get_for_model(Region).pk == region_type  # ids as they were, cache cleared
    _assert_audit_is_append_only()
    # New rows get fresh ids (PostgreSQL's sequences were reset to the restored rows).
    newest = Region.objects.order_by("-pk").first().pk
    assert Region.objects.create(code="NEW", name="New region").pk > newest
    latest_event = AuditEvent.objects.order_by("-pk").first().pk
    record(None, "ops.after-restore", Region.objects.get(code="NEW"))
    assert AuditEvent.objects.get(action="ops.after-restore").pk > latest_event
    User.objects.create_user(email="new@example.org", password="a-long-test-password-1")


def test_a_restore_into_a_database_with_data_refuses_and_changes_nothing(tmp_path):
    build_spread()
    file = backup_to(tmp_path / "b.zip")
    Region.objects.create(code="LATER", name="Added after the backup")
    before, triggers = table_checksums(), _audit_triggers()
    with pytest.raises(
        Exception, match=r"database is not empty \(15 tables have rows.*use --force"
    ) as refused:
        call_command("restore", str(file), verbosity=0)
    assert type(refused.value).__name__ == "CommandError"
    assert table_checksums() == before and _audit_triggers() == triggers


def test_force_replaces_all_data_and_puts_the_audit_triggers_back(tmp_path):
    build_spread()
    backed_up = table_checksums()
    file = backup_to(tmp_path / "b.zip")
    triggers = _audit_triggers()
    assert [t.name for t in triggers] == ["audit_no_update"]
    # Change the database every way: new rows with higher ids, an edit, a deletion, more audit, a session.
    Region.objects.create(code="LATER", name="Added after the backup")
    Practice.objects.filter(pk=Practice.objects.order_by("pk").first().pk).update(name="Renamed")
    Practice.objects.order_by("-pk").first().delete()
    for n in range(5):
        record(None, f"ops.later.{n}", Region.objects.get(code="LATER"))
    add_session()
    cache.set("ops.cached", "from before the restore")
    assert table_checksums() != backed_up

    out = call_command("restore", str(file), "--force", verbosity=0)
    assert out is None or out == ""
    assert table_checksums() == backed_up
    assert not Region.objects.filter(code="LATER").exists() and not Session.objects.exists()
    if "pcndev_cache" in cleared_on_restore():  # a database cache is emptied with the data
        assert cache.get("ops.cached") is None
    assert _audit_triggers() == triggers
    _assert_audit_is_append_only()
    latest = AuditEvent.objects.order_by("-pk").first().pk
    record(None, "ops.after-restore", Region.objects.order_by("pk").first())
    assert AuditEvent.objects.get(action="ops.after-restore").pk == latest + 1


def test_restoring_the_same_backup_twice_with_force_is_idempotent(tmp_path):
    build_spread()
    file = backup_to(tmp_path / "b.zip")
    before = table_checksums()
    call_command("restore", str(file), "--force", verbosity=0)
    call_command("restore", str(file), "--force", verbosity=0)
    assert table_checksums() == before
    again = backup_to(tmp_path / "again.zip")
    first, second = read_backup(file), read_backup(again)
    assert first[1] == second[1]  # byte-identical table data
    assert first[0]["tables"] == second[0]["tables"] and first[0]["schema"] == second[0]["schema"]
