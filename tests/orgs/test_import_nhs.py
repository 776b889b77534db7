"""Importing NHS Digital files into the register: exact rows, upserts, memberships over time, overrides."""

import datetime
import hashlib
from collections import Counter

import pytest

from pcndev.audit.models import AuditEvent
from pcndev.orgs.importers import import_nhs_files
from pcndev.orgs.models import PCN, ImportRun, ListSize, Place, Practice, PracticeMembership, Region, System
from tests.orgs.nhs_samples import SAMPLE, SamplePractice, audited, audited_rows, moved, write_pair

JAN_2021, JAN_2022, APR_2022 = datetime.date(2021, 1, 1), datetime.date(2022, 1, 1), datetime.date(2022, 4, 1)
pytestmark = pytest.mark.django_db


def actions() -> dict[str, int]:
    """Rows audited per action; the import writes one event per action, listing them."""
    events = Counter(AuditEvent.objects.values_list("action", "object_id"))
    assert set(events.values()) <= {1}, events
    return audited_rows()


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
    run = ImportRun.objects.get()
    event = AuditEvent.objects.get(action="practice.created")
    assert (event.object_type, event.object_id) == ("orgs.practice", f"import-run:{run.pk}")
    assert event.object_repr == f"10 practices created (import run {run.pk})"
    assert event.actor_label == "system" and event.note == "NHS import: gp-reg-pat-prac-map.csv (2022-01-01)"
    assert event.before is None and event.after["fields"] == ["id", "name", "home_place", "postcode"]
    h84001 = Practice.objects.get(code="H84001")
    assert audited("practice.created")["H84001"] == (
        None,
        {
            "id": h84001.pk,
            "name": "CANBURY MEDICAL CENTRE",
            "home_place": Place.objects.get(code="08J").pk,
            "postcode": "KT2 6HJ",
        },
    )
    opened = AuditEvent.objects.get(action="membership.opened")
    assert opened.object_repr == f"8 memberships opened (import run {run.pk})"
    a81002 = PracticeMembership.objects.get(practice__code="A81002")
    assert audited("membership.opened")["A81002"] == (
        None,
        {
            "id": a81002.pk,
            "practice": a81002.practice_id,
            "pcn": a81002.pcn_id,
            "pcn_code": "U00004",
            "valid_from": "2022-01-01",
            "valid_to": None,
        },
    )
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
    new_events = AuditEvent.objects.filter(object_id=f"import-run:{result.import_run_id}")
    assert AuditEvent.objects.count() == events_before + 2 == events_before + len(new_events)
    assert audited_rows(new_events) == {"membership.closed": 2, "membership.opened": 2}
    closed = audited("membership.closed", new_events)
    old = PracticeMembership.objects.get(practice__code="H85001", valid_from=JAN_2022)
    row = {"id": old.pk, "practice": old.practice_id, "pcn": old.pcn_id, "pcn_code": "U00001"}
    row["valid_from"] = "2022-01-01"
    assert closed.keys() == {"H85001", "H85003"}
    assert closed["H85001"] == (row | {"valid_to": None}, row | {"valid_to": "2022-04-01"})
    assert set(audited("membership.opened", new_events)) == {"H85001", "G84002"}
    again = import_nhs_files(*april_files)
    assert (again.created, again.updated) == (0, 0) and AuditEvent.objects.count() == events_before + 2


def test_same_date_reimport_corrects_the_open_membership(tmp_path):
    import_nhs_files(*write_pair(tmp_path / "a"))
    fixed = moved(SAMPLE, "H85001", pcn_code="U00002", pcn_name="SUTTON PCN")
    fixed = moved(fixed, "H85003", pcn_code="U", pcn_name="Unallocated")
    result = import_nhs_files(*write_pair(tmp_path / "b", fixed))
    assert memberships("H85001") == [("U00002", JAN_2022, None)]
    assert memberships("H85003") == []
    assert result.updated == 2 and result.created == 0
    assert actions()["membership.corrected"] == 1 and actions()["membership.deleted"] == 1
    fixed_row = PracticeMembership.objects.get(practice__code="H85001")
    before, after = audited("membership.corrected")["H85001"]
    assert (before["pcn_code"], after["pcn_code"], after["pcn"]) == ("U00001", "U00002", fixed_row.pcn_id)
    assert before["id"] == after["id"] == fixed_row.pk
    assert audited("membership.deleted")["H85003"][1] is None


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
    ids = dict(Place.objects.values_list("code", "id"))
    pcn = dict(PCN.objects.values_list("code", "id"))

    def row(code, name, place, imported):
        return {"id": pcn[code], "name": name, "place": ids[place], "imported_place": ids[imported]}

    assert audited("pcn.updated") == {
        "U00002": (
            row("U00002", "SUTTON PCN", "SUTTON-LOCAL", "08T"),
            row("U00002", "SUTTON PCN", "SUTTON-LOCAL", "08J"),
        ),
        "U00001": (
            row("U00001", "KINGSTON NORTH PCN", "08J", "08J"),
            row("U00001", "KINGSTON NORTH PCN", "08T", "08T"),
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
    qwe = System.objects.get(code="QWE").pk
    row = {"id": ids["08J"], "system": qwe, "ons_code": "E38000090"}
    assert audited("place.updated")["08J"] == (
        row | {"name": "NHS Kingston CCG", "kind": "ccg"},
        row | {"name": "NHS South West London ICB - 08J", "kind": "sub_icb"},
    )
    assert len(audited("place.updated")) == 4 and len(audited("system.updated")) == 3
    assert ListSize.objects.count() == 18


def test_as_of_overrides_the_list_size_date(tmp_path):
    mapping, lists = write_pair(tmp_path)
    import_nhs_files(mapping, lists, as_of=datetime.date(2021, 12, 31))
    assert set(ListSize.objects.values_list("as_of", flat=True)) == {datetime.date(2021, 12, 31)}
    assert ImportRun.objects.get().list_size_extract_date == datetime.date(2021, 12, 31)


def register() -> dict[str, dict[str, dict]]:
    """Every imported row as the audit shows it: label -> code -> {field: value}."""

    def rows(model, *fields, **renamed):
        out = {}
        for values in model.objects.values("code", "id", *fields, *renamed.values()):
            code = values.pop("code")
            out[code] = {name: values.pop(column) for name, column in renamed.items()} | values
        return out

    memberships = {}
    for m in PracticeMembership.objects.select_related("practice", "pcn"):
        key = (m.practice.code, m.valid_from.isoformat())
        memberships[key] = {
            "id": m.pk,
            "practice": m.practice_id,
            "pcn": m.pcn_id,
            "pcn_code": m.pcn.code,
            "valid_from": m.valid_from.isoformat(),
            "valid_to": m.valid_to and m.valid_to.isoformat(),
        }
    return {
        "region": rows(Region, "name", "ons_code"),
        "system": rows(System, "name", "ons_code", "kind", region="region_id"),
        "place": rows(Place, "name", "ons_code", "kind", system="system_id"),
        "pcn": rows(PCN, "name", place="place_id", imported_place="imported_place_id"),
        "practice": rows(Practice, "name", "postcode", home_place="home_place_id"),
        "membership": memberships,
    }


def by_practice(memberships: dict) -> dict[str, dict]:
    return {practice: row for (practice, _), row in memberships.items()}


def test_every_row_an_import_writes_is_audited_with_before_and_after(tmp_path):
    first = import_nhs_files(*write_pair(tmp_path / "jan"))
    jan = register()
    events = AuditEvent.objects.filter(object_id=f"import-run:{first.import_run_id}")
    assert events.count() == AuditEvent.objects.count() == 6
    for label in ("region", "system", "place", "pcn", "practice"):
        assert audited(f"{label}.created", events) == {c: (None, r) for c, r in jan[label].items()}, label
    opened = by_practice(jan["membership"])
    assert audited("membership.opened", events) == {c: (None, r) for c, r in opened.items()}

    april = moved(SAMPLE, "H84001", name="CANBURY MEDICAL PRACTICE", postcode="KT2 6HK")  # renamed
    april = moved(april, "H85002", place="08J")  # moves CCG: SUTTON PCN is now mostly in Kingston
    april = moved(april, "H85001", pcn_code="U00002", pcn_name="SUTTON PCN")  # changes PCN
    april = moved(april, "H85003", pcn_code="U", pcn_name="Unallocated")  # leaves its PCN
    april = moved(april, "A81001", pcn_name="STOCKTON CENTRAL PCN")  # its PCN is renamed
    april.append(SamplePractice("A81003", "NEW SURGERY", "TS1 3BB", "U00005", "NEW PCN", "16C", 1_000))
    second = import_nhs_files(*write_pair(tmp_path / "apr", april, mapping_date="01Apr2022"))
    apr = register()
    events = AuditEvent.objects.filter(object_id=f"import-run:{second.import_run_id}")
    assert AuditEvent.objects.count() == 6 + events.count()
    for label in ("region", "system", "place", "pcn", "practice"):
        before, after = jan[label], apr[label]
        created = {c: (None, r) for c, r in after.items() if c not in before}
        changed = {c: (before[c], r) for c, r in after.items() if c in before and before[c] != r}
        assert audited(f"{label}.created", events) == created, label
        assert audited(f"{label}.updated", events) == changed, label
    assert set(audited("practice.updated", events)) == {"H84001", "H85002"}
    assert set(audited("pcn.updated", events)) == {"U00002", "U00004"}
    assert set(audited("practice.created", events)) == {"A81003"}
    assert set(audited("pcn.created", events)) == {"U00005"}
    closed = {
        k: r for k, r in apr["membership"].items() if r["valid_to"] and not jan["membership"][k]["valid_to"]
    }
    assert audited("membership.closed", events) == {
        practice: (jan["membership"][(practice, since)], row) for (practice, since), row in closed.items()
    }
    assert set(audited("membership.closed", events)) == {"H85001", "H85003"}
    new = {k: r for k, r in apr["membership"].items() if k not in jan["membership"]}
    assert audited("membership.opened", events) == {c: (None, r) for c, r in by_practice(new).items()}
    assert set(audited("membership.opened", events)) == {"H85001", "A81003"}
    assert {e.action for e in events} == {
        "practice.updated",
        "practice.created",
        "pcn.updated",
        "pcn.created",
        "membership.closed",
        "membership.opened",
    }
