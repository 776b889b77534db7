"""Importing NHS Digital files into the register: exact rows, upserts, memberships over time, overrides."""

import datetime
import hashlib
from collections import Counter

import pytest

from pcndev.audit.models import AuditEvent
from pcndev.orgs.importers import import_nhs_files
from pcndev.orgs.models import PCN, ImportRun, ListSize, Place, Practice, PracticeMembership, Region, System
from tests.orgs.nhs_samples import SAMPLE, SamplePractice, moved, write_pair

JAN_2021, JAN_2022, APR_2022 = datetime.date(2021, 1, 1), datetime.date(2022, 1, 1), datetime.date(2022, 4, 1)
pytestmark = pytest.mark.django_db


def actions() -> Counter:
    return Counter(AuditEvent.objects.values_list("action", flat=True))


def pcn_places() -> dict[str, tuple[str, str, str]]:
    return {
        p.code: (p.place.code, p.imported_place.code, p.place_source)
        for p in PCN.objects.select_related("place", "imported_place")
    }


def memberships(code: str) -> list[tuple]:
    return list(
        PracticeMembership.objects.filter(practice__code=code)
        .order_by("valid_from")
        .values_list("pcn__code", "valid_from", "valid_to")
    )


def test_ccg_era_files_give_exactly_these_rows(tmp_path):
    mapping, lists = write_pair(tmp_path)
    result = import_nhs_files(mapping, lists)

    assert list(Region.objects.order_by("code").values_list("code", "name", "ons_code")) == [
        ("Y56", "London", "E40000003"),
        ("Y63", "North East and Yorkshire", "E40000009"),
    ]
    assert list(
        System.objects.order_by("code").values_list("code", "name", "ons_code", "kind", "region__code")
    ) == [
        ("QHM", "Cumbria and North East", "E54000050", "stp", "Y63"),
        ("QKK", "Our Healthier South East London", "E54000030", "stp", "Y56"),
        ("QWE", "South West London Health and Care Partnership", "E54000031", "stp", "Y56"),
    ]
    assert list(
        Place.objects.order_by("code").values_list("code", "name", "ons_code", "kind", "system__code")
    ) == [
        ("07Q", "NHS Bromley CCG", "E38000023", "ccg", "QKK"),
        ("08J", "NHS Kingston CCG", "E38000090", "ccg", "QWE"),
        ("08T", "NHS Sutton CCG", "E38000179", "ccg", "QWE"),
        ("16C", "NHS Tees Valley CCG", "E38000247", "ccg", "QHM"),
    ]
    assert list(PCN.objects.order_by("code").values_list("code", "name")) == [
        ("U00001", "KINGSTON NORTH PCN"),
        ("U00002", "SUTTON PCN"),
        ("U00003", "BROMLEY, CENTRAL PCN"),
        ("U00004", "STOCKTON PCN"),
    ]
    # U00001 has 18,000 patients in Kingston and 12,000 in Sutton
    assert pcn_places() == {
        "U00001": ("08J", "08J", "imported"),
        "U00002": ("08T", "08T", "imported"),
        "U00003": ("07Q", "07Q", "imported"),
        "U00004": ("16C", "16C", "imported"),
    }
    assert set(Practice.objects.values_list("code", "name", "postcode", "home_place__code")) == {
        (p.code, p.name, p.postcode, p.place) for p in SAMPLE
    }
    assert set(
        PracticeMembership.objects.values_list("practice__code", "pcn__code", "valid_from", "valid_to")
    ) == {
        ("H84001", "U00001", JAN_2022, None),
        ("H84002", "U00001", JAN_2022, None),
        ("H85001", "U00001", JAN_2022, None),
        ("H85002", "U00002", JAN_2022, None),
        ("H85003", "U00002", JAN_2022, None),
        ("G84001", "U00003", JAN_2022, None),
        ("A81001", "U00004", JAN_2022, None),
        ("A81002", "U00004", JAN_2022, None),
    }
    assert set(ListSize.objects.values_list("practice__code", "as_of", "patients")) == {
        ("H84001", JAN_2021, 10_000),
        ("H84002", JAN_2021, 8_000),
        ("H85001", JAN_2021, 12_000),
        ("H85002", JAN_2021, 20_000),
        ("H85003", JAN_2021, 5_000),
        ("G84001", JAN_2021, 15_000),
        ("G84002", JAN_2021, 300),
        ("A81001", JAN_2021, 9_000),
        ("Y02157", JAN_2021, 4),
    }
    assert result.as_dict() == {
        "practices": 10,
        "pcns": 4,
        "places": 4,
        "systems": 3,
        "regions": 2,
        "list_sizes": 9,
        "created": 31,
        "updated": 0,
        "unchanged": 0,
        "unmapped_practices": 2,
        "unmapped_patients": 2_000,
        "pcns_spanning_places": ["U00001"],
    }
    assert actions() == {
        "region.created": 2,
        "system.created": 3,
        "place.created": 4,
        "pcn.created": 4,
        "practice.created": 10,
        "membership.opened": 8,
    }
    event = AuditEvent.objects.get(
        action="practice.created", object_id=str(Practice.objects.get(code="H84001").pk)
    )
    assert event.object_type == "orgs.practice" and event.object_repr == "CANBURY MEDICAL CENTRE (H84001)"
    assert event.actor_label == "system" and event.note == "NHS import: gp-reg-pat-prac-map.csv (2022-01-01)"
    assert event.after == {
        "code": "H84001",
        "name": "CANBURY MEDICAL CENTRE",
        "home_place": Place.objects.get(code="08J").pk,
        "postcode": "KT2 6HJ",
    }
    opened = AuditEvent.objects.filter(action="membership.opened", object_repr__startswith="A81002").get()
    assert opened.object_repr == "A81002 in U00004 from 2022-01-01"
    run = ImportRun.objects.get()
    assert (run.mapping_file, run.list_size_file) == ("gp-reg-pat-prac-map.csv", "gp-reg-pat-prac-all.csv")
    assert run.mapping_sha256 == hashlib.sha256(mapping.read_bytes()).hexdigest()
    assert run.list_size_sha256 == hashlib.sha256(lists.read_bytes()).hexdigest()
    assert (run.mapping_extract_date, run.list_size_extract_date) == (JAN_2022, JAN_2021)
    assert run.counts["created"] == 31 and run.counts["by_kind"]["list_size"]["created"] == 9


def test_sub_icb_era_files_make_sub_icb_places_and_icbs(tmp_path):
    mapping, lists = write_pair(tmp_path, era="icb", mapping_date="2026-04-01", list_date="01-Apr-26")
    result = import_nhs_files(mapping, lists)
    assert set(Place.objects.values_list("code", "name", "kind")) == {
        ("07Q", "NHS South East London ICB - 07Q", "sub_icb"),
        ("08J", "NHS South West London ICB - 08J", "sub_icb"),
        ("08T", "NHS South West London ICB - 08T", "sub_icb"),
        ("16C", "NHS North East and North Cumbria ICB - 16C", "sub_icb"),
    }
    assert set(System.objects.values_list("code", "name", "kind")) == {
        ("QWE", "NHS South West London ICB", "icb"),
        ("QKK", "NHS South East London ICB", "icb"),
        ("QHM", "NHS North East and North Cumbria ICB", "icb"),
    }
    assert set(PracticeMembership.objects.values_list("valid_from", flat=True)) == {datetime.date(2026, 4, 1)}
    assert set(ListSize.objects.values_list("as_of", flat=True)) == {datetime.date(2026, 4, 1)}
    assert result.created == 31 and result.pcns_spanning_places == ["U00001"]


def test_reimporting_the_same_files_changes_nothing(tmp_path):
    mapping, lists = write_pair(tmp_path)
    import_nhs_files(mapping, lists)
    tables = (Region, System, Place, PCN, Practice, PracticeMembership, ListSize, AuditEvent)
    before = {m.__name__: list(m.objects.order_by("pk").values_list()) for m in tables}
    again = import_nhs_files(mapping, lists)
    after = {m.__name__: list(m.objects.order_by("pk").values_list()) for m in tables}
    assert after == before
    assert (again.created, again.updated, again.unchanged) == (0, 0, 31)
    assert again.by_kind["list_size"] == {"created": 0, "updated": 0, "unchanged": 9}
    assert ImportRun.objects.count() == 2  # each run is still recorded


def test_a_practice_that_moves_pcn_keeps_its_history(tmp_path):
    import_nhs_files(*write_pair(tmp_path / "jan"))
    april = moved(SAMPLE, "H85001", pcn_code="U00002", pcn_name="SUTTON PCN")
    april = moved(april, "H85003", pcn_code="U", pcn_name="Unallocated")  # leaves its PCN
    april = moved(april, "G84002", pcn_code="U00003", pcn_name="BROMLEY, CENTRAL PCN")  # joins one
    events_before = AuditEvent.objects.count()
    april_files = write_pair(tmp_path / "apr", april, mapping_date="01Apr2022")
    result = import_nhs_files(*april_files)

    assert memberships("H85001") == [("U00001", JAN_2022, APR_2022), ("U00002", APR_2022, None)]
    assert memberships("H85003") == [("U00002", JAN_2022, APR_2022)]
    assert memberships("G84002") == [("U00003", APR_2022, None)]
    assert memberships("H84001") == [("U00001", JAN_2022, None)]
    assert PracticeMembership.objects.current().count() == 8
    # 23 organisations and 6 memberships unchanged
    assert (result.created, result.updated, result.unchanged) == (2, 2, 29)
    new_events = AuditEvent.objects.order_by("id")[events_before:]
    assert Counter(e.action for e in new_events) == {"membership.closed": 2, "membership.opened": 2}
    closed = next(
        e for e in new_events if e.action == "membership.closed" and e.object_repr.startswith("H85001")
    )
    assert (closed.before, closed.after) == ({"valid_to": None}, {"valid_to": "2022-04-01"})
    assert closed.object_repr == "H85001 in U00001 from 2022-01-01"
    again = import_nhs_files(*april_files)
    assert (again.created, again.updated) == (0, 0) and AuditEvent.objects.count() == events_before + 4


def test_same_date_reimport_corrects_the_open_membership(tmp_path):
    import_nhs_files(*write_pair(tmp_path / "a"))
    fixed = moved(SAMPLE, "H85001", pcn_code="U00002", pcn_name="SUTTON PCN")
    fixed = moved(fixed, "H85003", pcn_code="U", pcn_name="Unallocated")
    result = import_nhs_files(*write_pair(tmp_path / "b", fixed))
    assert memberships("H85001") == [("U00002", JAN_2022, None)]
    assert memberships("H85003") == []
    assert result.updated == 2 and result.created == 0
    assert actions()["membership.corrected"] == 1 and actions()["membership.deleted"] == 1


def test_manual_place_is_kept_and_imported_place_follows_the_data(tmp_path):
    import_nhs_files(*write_pair(tmp_path / "jan"))
    qwe = System.objects.get(code="QWE")
    local = Place.objects.create(
        code="SUTTON-LOCAL", name="Sutton (local)", kind=Place.Kind.DEFINED, system=qwe
    )
    PCN.objects.filter(code="U00002").update(place=local, place_source=PCN.PlaceSource.MANUAL)
    # Sutton Medical Group (20,000) moves to Kingston's CCG: U00002 is now mostly in 08J.
    # Holmwood Corner (8,000) moves to Sutton's CCG: U00001 is now mostly in 08T.
    april = moved(moved(SAMPLE, "H85002", place="08J"), "H84002", place="08T")
    result = import_nhs_files(*write_pair(tmp_path / "apr", april, mapping_date="01Apr2022"))

    places = pcn_places()
    assert places["U00002"] == ("SUTTON-LOCAL", "08J", "manual")
    assert places["U00001"] == ("08T", "08T", "imported")
    assert places["U00003"] == ("07Q", "07Q", "imported")
    assert result.pcns_spanning_places == ["U00001", "U00002"]
    assert Practice.objects.get(code="H85002").home_place.code == "08J"
    updates = {
        e.object_repr: (e.before, e.after) for e in AuditEvent.objects.filter(action__in=["pcn.updated"])
    }
    ids = dict(Place.objects.values_list("code", "id"))
    assert updates == {
        "SUTTON PCN": ({"imported_place": ids["08T"]}, {"imported_place": ids["08J"]}),
        "KINGSTON NORTH PCN": (
            {"place": ids["08J"], "imported_place": ids["08J"]},
            {"place": ids["08T"], "imported_place": ids["08T"]},
        ),
    }
    assert actions()["practice.updated"] == 2


def test_place_ties_go_to_most_practices_then_lowest_code(tmp_path):
    practices = [
        SamplePractice("P1", "ONE", "KT1 1AA", "U00005", "TIE PCN", "08J", 5_000),
        SamplePractice("P2", "TWO", "SM1 1AA", "U00005", "TIE PCN", "08T", 2_500),
        SamplePractice("P3", "THREE", "SM1 1AB", "U00005", "TIE PCN", "08T", 2_500),
        SamplePractice("P4", "FOUR", "SM1 1AC", "U00006", "EVEN PCN", "08T", 3_000),
        SamplePractice("P5", "FIVE", "KT1 1AB", "U00006", "EVEN PCN", "08J", 3_000),
        SamplePractice("P6", "SIX", "BR1 1AA", "U00007", "SMALL PCN", "07Q", None),
        SamplePractice("P7", "SEVEN", "TS1 1AA", "U00007", "SMALL PCN", "16C", 1),
    ]
    import_nhs_files(*write_pair(tmp_path, practices))
    assert {code: place for code, (place, _, _) in pcn_places().items()} == {
        "U00005": "08T",
        "U00006": "08J",
        "U00007": "16C",
    }


def test_era_change_updates_kinds_and_names_in_place(tmp_path):
    import_nhs_files(*write_pair(tmp_path / "ccg"))
    ids = dict(Place.objects.values_list("code", "id"))
    result = import_nhs_files(
        *write_pair(tmp_path / "icb", era="icb", mapping_date="2022-07-01", list_date="01-Jul-22")
    )
    assert dict(Place.objects.values_list("code", "id")) == ids
    assert set(Place.objects.values_list("kind", flat=True)) == {"sub_icb"}
    assert set(System.objects.values_list("kind", flat=True)) == {"icb"}
    assert result.by_kind["place"] == {"created": 0, "updated": 4, "unchanged": 0}
    assert result.by_kind["membership"] == {"created": 0, "updated": 0, "unchanged": 8}
    event = AuditEvent.objects.get(action="place.updated", object_id=str(ids["08J"]))
    assert event.before == {"name": "NHS Kingston CCG", "kind": "ccg"}
    assert event.after == {"name": "NHS South West London ICB - 08J", "kind": "sub_icb"}
    assert ListSize.objects.count() == 18


def test_as_of_overrides_the_list_size_date(tmp_path):
    mapping, lists = write_pair(tmp_path)
    import_nhs_files(mapping, lists, as_of=datetime.date(2021, 12, 31))
    assert set(ListSize.objects.values_list("as_of", flat=True)) == {datetime.date(2021, 12, 31)}
    assert ImportRun.objects.get().list_size_extract_date == datetime.date(2021, 12, 31)
