import datetime
import decimal
import uuid
import zoneinfo

import pytest
from django.db import models

from pcndev.audit.models import AuditEvent
from pcndev.ops.checksums import differences, table_checksums
from pcndev.ops.rows import dump_line, encode, row_decoder
from pcndev.ops.tables import FILLED_BY_MIGRATE, NOT_BACKED_UP, backup_tables
from pcndev.orgs.models import Region
from tests.ops.helpers import build_spread

LONDON = zoneinfo.ZoneInfo("Europe/London")


def test_values_are_normalised_so_both_databases_write_the_same_line():
    at = datetime.datetime(2019, 9, 1, 9, 30, 0, 123456, tzinfo=LONDON)
    assert encode(None, at) == "2019-09-01T08:30:00.123456+00:00"  # always UTC
    assert encode(None, datetime.date(2020, 3, 31)) == "2020-03-31"
    assert encode(models.DecimalField(decimal_places=2), decimal.Decimal("1.5")) == "1.50"
    assert encode(None, b"\x00\xff") == "AP8="
    assert encode(None, uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert encode(None, datetime.timedelta(days=1, seconds=2)) == "P1DT00H00M02S"
    assert dump_line([1, "é", {"b": 1, "a": [None, True]}]) == '[1,"é",{"a":[null,true],"b":1}]\n'.encode()
    with pytest.raises(TypeError, match="cannot back up a object in orgs_region.code"):
        encode(Region._meta.get_field("code"), object())


@pytest.mark.django_db
def test_every_model_table_is_backed_up_in_dependency_order_except_sessions():
    specs = backup_tables()
    tables = [s.table for s in specs]
    assert {"auth_permission", "django_content_type", "accounts_user_groups", "audit_auditevent"} <= set(
        tables
    )
    assert "plans_initiative_elements" in tables  # auto-created many-to-many tables too
    assert not NOT_BACKED_UP & set(tables) and "django_migrations" not in tables
    assert set(tables) >= FILLED_BY_MIGRATE
    position = {t: i for i, t in enumerate(tables)}
    assert position["orgs_region"] < position["orgs_system"] < position["orgs_place"] < position["orgs_pcn"]
    assert position["django_content_type"] < position["auth_permission"]
    assert position["accounts_user"] < position["audit_auditevent"]


@pytest.mark.django_db
def test_a_row_decodes_back_to_what_the_database_stores():
    build_spread()
    spec = next(s for s in backup_tables() if s.table == "audit_auditevent")
    event = AuditEvent.objects.get(action="ops.test")
    line = [encode(f, getattr(event, f.attname)) for f in spec.fields]
    params = row_decoder(spec, "default")(line)
    assert params[0] == event.pk and len(params) == len(spec.fields)
    with pytest.raises(ValueError, match="not 11"):
        row_decoder(spec, "default")([1, 2])


@pytest.mark.django_db
def test_checksums_count_rows_and_see_any_change():
    build_spread()
    before = table_checksums()
    assert before == table_checksums()  # stable
    assert before["orgs_region"][0] == 2 and before["auth_group"][0] == 1
    assert before["accounts_user_groups"][0] == 1
    region = Region.objects.order_by("pk").first()
    region.name += "."
    region.save()
    after = table_checksums()
    assert after["orgs_region"][0] == 2 and after["orgs_region"][1] != before["orgs_region"][1]
    assert {t for t in before if before[t] != after[t]} == {"orgs_region"}
    assert differences(before, after) == ["orgs_region has different data"]
    Region.objects.create(code="NEW", name="New")
    assert differences(before, table_checksums()) == ["orgs_region has 3 rows, not 2"]
