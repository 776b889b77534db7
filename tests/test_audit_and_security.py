import pytest
from django.db import DatabaseError, connection, transaction

from pcndev.audit.models import AppendOnlyError, AuditEvent
from pcndev.audit.services import record
from pcndev.config.formatting import format_count, format_date, format_pence


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted(tree):
    record(None, "test.event", tree.regions[0], {"a": 1}, {"a": 2})
    event = AuditEvent.objects.get(action="test.event")
    assert (event.before, event.after, event.actor_label) == ({"a": 1}, {"a": 2}, "system")
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(DatabaseError), transaction.atomic():  # the database refuses too
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    if (
        connection.vendor == "postgresql"
    ):  # SQLite's test flush needs DELETE; there the model refuses it (above)
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.django_db
def test_pages_carry_security_headers_and_make_no_external_requests(client, tree):
    response = client.get("/account/sign-in/")
    csp = response["Content-Security-Policy"]
    assert csp.startswith("default-src 'self'") and "'nonce-" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    page = response.content.decode()
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page.replace(
        "https://www.w3.org", ""
    )


@pytest.mark.parametrize(
    ("pence", "text"), [(0, "£0.00"), (123456, "£1,234.56"), (-5, "-£0.05"), (14312000, "£143,120.00")]
)
def test_money_is_shown_as_pounds_and_pence(pence, text):
    assert format_pence(pence) == text


def test_counts_and_dates_are_formatted_for_people():
    import datetime

    assert format_count(59649940) == "59,649,940"
    assert format_date(datetime.date(2021, 1, 1)) == "1 January 2021"


@pytest.mark.django_db
def test_bulk_recorded_events_read_back_like_single_ones(tree):
    from pcndev.audit.services import Change, record_many
    from tests.builders import make_user

    user = make_user("lead@test.example")
    record(user, "one.by.one", tree.pcns[0], None, {"place": 1, "names": ["a", "ü"]}, "single")
    assert (
        record_many(
            user, [Change("in.bulk", tree.pcns[0], None, {"place": 1, "names": ["a", "ü"]}, "single")]
        )
        == 1
    )
    single, bulk = (AuditEvent.objects.get(action=a) for a in ("one.by.one", "in.bulk"))
    for field in (
        "actor_id",
        "actor_label",
        "object_type",
        "object_id",
        "object_repr",
        "before",
        "after",
        "note",
    ):
        assert getattr(single, field) == getattr(bulk, field), field
    assert bulk.before is None and bulk.after == {"place": 1, "names": ["a", "ü"]}
    assert abs((bulk.at - single.at).total_seconds()) < 60


@pytest.mark.django_db
def test_an_event_about_many_rows_names_what_it_covers_and_stays_append_only():
    from pcndev.audit.services import Change, Target, record_many

    target = Target("orgs.practice", "import-run:7", "2 practices created (import run 7)")
    table = {"fields": ["id", "name"], "rows": {"A81001": [1, "ONE"], "A81002": [2, "TWO"]}}
    record(None, "one.by.one", target, None, table, "single")
    assert record_many(None, [Change("in.bulk", target, None, table, "bulk")]) == 1
    for event in AuditEvent.objects.filter(action__in=["one.by.one", "in.bulk"]):
        assert (event.object_type, event.object_id) == ("orgs.practice", "import-run:7")
        assert event.object_repr == "2 practices created (import run 7)"
        assert event.before is None and event.after == table and event.actor_label == "system"
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(after={})
    assert not AuditEvent.objects.filter(object_type="orgs.practice", object_id="7").exists()
