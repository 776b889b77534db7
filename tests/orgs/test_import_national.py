"""The real national files in ../shared/data/nhs (counts from their README), when they are present."""

import datetime

import pytest
from django.conf import settings
from django.db.models import Sum

from pcndev.audit.models import AuditEvent
from pcndev.orgs.importers import import_nhs_files
from pcndev.orgs.models import PCN, ListSize, Place, Practice, PracticeMembership, Region, System
from tests.orgs.nhs_samples import audited, audited_rows

MAPPING = "gp-reg-pat-prac-map-2022-01.csv"
LIST_SIZES = "gp-reg-pat-prac-all-2021-01.csv"


@pytest.fixture
def national_files():
    directory = settings.NHS_DATA_DIR
    paths = directory / MAPPING, directory / LIST_SIZES
    if not all(p.exists() for p in paths):
        pytest.skip(f"shared NHS files not found at {directory}")
    return paths


@pytest.mark.nhsdata
@pytest.mark.django_db
def test_national_files(national_files):
    result = import_nhs_files(*national_files)

    summary = result.as_dict()
    spanning = summary.pop("pcns_spanning_places")
    assert summary == {
        "practices": 6_527,
        "pcns": 1_254,
        "places": 106,
        "systems": 42,
        "regions": 7,
        "list_sizes": 6_523,
        "created": 7 + 42 + 106 + 1_254 + 6_527 + (6_527 - 68),
        "updated": 0,
        "unchanged": 0,
        "unmapped_practices": 135,
        "unmapped_patients": 719_047,
    }
    assert len(spanning) == 11 and {"U22471", "U57294", "U25294", "U41591"} <= set(spanning)
    assert (Region.objects.count(), System.objects.count(), Place.objects.count()) == (7, 42, 106)
    assert set(Place.objects.values_list("kind", flat=True)) == {"ccg"}
    assert set(System.objects.values_list("kind", flat=True)) == {"stp"}
    assert (PCN.objects.count(), Practice.objects.count(), ListSize.objects.count()) == (1_254, 6_527, 6_523)
    assert PracticeMembership.objects.current().count() == 6_527 - 68
    members = PracticeMembership.objects.current().values("practice_id")
    in_pcns = ListSize.objects.filter(as_of=datetime.date(2021, 1, 1), practice__in=members)
    assert in_pcns.aggregate(n=Sum("patients"))["n"] == 59_649_940
    assert ListSize.objects.aggregate(n=Sum("patients"))["n"] == 59_649_940 + 237_358
    # BARNSLEY PCN, the largest: 32 practices, 264,141 patients
    barnsley = PCN.objects.get(name="BARNSLEY PCN")
    assert barnsley.memberships.count() == 32
    assert (
        ListSize.objects.filter(practice__memberships__pcn=barnsley).aggregate(n=Sum("patients"))["n"]
        == 264_141
    )
    # one audit event per table, listing every row created
    assert AuditEvent.objects.count() == result.audit_events == 6
    assert audited_rows() == {
        "region.created": 7,
        "system.created": 42,
        "place.created": 106,
        "pcn.created": 1_254,
        "practice.created": 6_527,
        "membership.opened": 6_527 - 68,
    }
    practices = audited("practice.created")
    assert practices == {
        code: (None, {"id": pk, "name": name, "home_place": place, "postcode": postcode})
        for code, pk, name, place, postcode in Practice.objects.values_list(
            "code", "id", "name", "home_place_id", "postcode"
        )
    }
    opened = audited("membership.opened")
    assert {code: after["id"] for code, (_, after) in opened.items()} == dict(
        PracticeMembership.objects.current().values_list("practice__code", "id")
    )
    assert opened["A81001"][1]["pcn_code"] == "U89141"

    again = import_nhs_files(*national_files)
    assert (again.created, again.updated, again.unchanged) == (0, 0, result.created)
    assert AuditEvent.objects.count() == 6 and again.audit_events == 0
