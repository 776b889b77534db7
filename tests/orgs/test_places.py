"""Defining local places: the service, the CLI and the place editor form."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.orgs.models import PCN, Place
from pcndev.orgs.places import PlaceErrors, PlaceSpec, define_places, delete_place
from tests.builders import build_tree, make_user


@pytest.fixture
def system_tree(db):
    return build_tree(regions=2, systems=1, places=1, pcns=4, practices=1, unallocated=0)


def test_defining_places_moves_pcns_and_audits_each_move(system_tree):
    system = system_tree.systems[0]
    codes = [p.code for p in system_tree.pcns if p.place.system_id == system.id]
    result = define_places(
        system, [PlaceSpec("KINGSTON", "Kingston", codes[:2]), PlaceSpec("SUTTON", "Sutton", codes[2:])]
    )
    assert result.created == ["KINGSTON", "SUTTON"] and result.moved_pcns == 4
    kingston = Place.objects.get(code="KINGSTON")
    assert kingston.kind == Place.Kind.DEFINED and kingston.system == system
    assert set(kingston.pcns.values_list("code", flat=True)) == set(codes[:2])
    assert PCN.objects.filter(code__in=codes, place_source=PCN.PlaceSource.MANUAL).count() == 4
    assert AuditEvent.objects.filter(action="pcn.place_changed").count() == 4
    assert AuditEvent.objects.filter(action="place.created").count() == 2


def test_unlisted_pcns_return_to_their_imported_place(system_tree):
    system = system_tree.systems[0]
    codes = [p.code for p in system_tree.pcns if p.place.system_id == system.id]
    define_places(system, [PlaceSpec("KINGSTON", "Kingston", codes)])
    define_places(system, [PlaceSpec("KINGSTON", "Kingston upon Thames", codes[:1])])
    kingston = Place.objects.get(code="KINGSTON")
    assert kingston.name == "Kingston upon Thames"
    assert list(kingston.pcns.values_list("code", flat=True)) == codes[:1]
    released = PCN.objects.get(code=codes[1])
    assert released.place == released.imported_place and released.place_source == PCN.PlaceSource.IMPORTED


def test_every_problem_is_reported_and_nothing_changes(system_tree):
    system, other = system_tree.systems
    foreign_pcn = next(p for p in system_tree.pcns if p.place.system_id == other.id)
    mine = next(p for p in system_tree.pcns if p.place.system_id == system.id)
    before = list(PCN.objects.values_list("code", "place_id"))
    specs = [
        PlaceSpec("ok", "", [foreign_pcn.code]),
        PlaceSpec("DUP", "A", [mine.code]),
        PlaceSpec("DUP", "B", [mine.code, "U00000"]),
        PlaceSpec(system_tree.places[0].code, "Imported", []),
    ]
    with pytest.raises(PlaceErrors) as caught:
        define_places(system, specs)
    errors = caught.value.errors
    assert (
        "Place 1 (ok): code must be 2–20 capital letters, digits or hyphens, like KINGSTON or SWL-KIN"
        in errors
    )
    assert "Place 1 (ok): enter a name" in errors
    assert f"Place 1 (ok): PCN {foreign_pcn.code} is not in {system}" in errors
    assert "Place 3 (DUP): code DUP is used twice" in errors
    assert f"Place 3 (DUP): PCN {mine.code} is already in place DUP" in errors
    assert f"Place 3 (DUP): PCN U00000 is not in {system}" in errors
    assert any("comes from NHS data" in e or "cannot be redefined" in e for e in errors)
    assert list(PCN.objects.values_list("code", "place_id")) == before
    assert not Place.objects.filter(kind=Place.Kind.DEFINED).exists()


def test_a_place_can_only_be_deleted_once_empty(system_tree):
    system = system_tree.systems[0]
    code = next(p.code for p in system_tree.pcns if p.place.system_id == system.id)
    define_places(system, [PlaceSpec("KINGSTON", "Kingston", [code])])
    kingston = Place.objects.get(code="KINGSTON")
    with pytest.raises(PlaceErrors, match="Move the PCNs out of Kingston"):
        delete_place(kingston)
    define_places(system, [PlaceSpec("KINGSTON", "Kingston", [])])
    delete_place(kingston)
    assert not Place.objects.filter(code="KINGSTON").exists()
    with pytest.raises(PlaceErrors, match="comes from NHS data"):
        delete_place(system_tree.places[0])


def test_cli_defines_places_from_yaml(system_tree, tmp_path, capsys):
    system = system_tree.systems[0]
    codes = [p.code for p in system_tree.pcns if p.place.system_id == system.id]
    path = tmp_path / "places.yaml"
    path.write_text(f"places:\n  - code: KINGSTON\n    name: Kingston\n    pcns: [{codes[0]}, {codes[1]}]\n")
    call_command("places", "define", "--system", system.code, "--file", str(path))
    assert "Places created: 1, renamed: 0, PCNs moved: 2" in capsys.readouterr().out
    assert Place.objects.get(code="KINGSTON").pcns.count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("places: [", "not valid YAML"),
        ("- just a list", "expected a mapping with a 'places' list"),
        ("places:\n  - 3", "place 1 must be a mapping with code, name and pcns"),
        ("places:\n  - code: K1\n    name: K\n    pcns: U1", "place 1: pcns must be a list of PCN codes"),
    ],
)
def test_cli_rejects_malformed_files_clearly(system_tree, tmp_path, content, message):
    path = tmp_path / "places.yaml"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("places", "define", "--system", system_tree.systems[0].code, "--file", str(path))
    assert not Place.objects.filter(kind=Place.Kind.DEFINED).exists()


def test_cli_reports_unknown_pcns_and_changes_nothing(system_tree, tmp_path, capsys):
    path = tmp_path / "places.yaml"
    path.write_text("places:\n  - code: KINGSTON\n    name: Kingston\n    pcns: [U99999]\n")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("places", "define", "--system", system_tree.systems[0].code, "--file", str(path))
    assert "PCN U99999 is not in" in capsys.readouterr().err
    assert not Place.objects.filter(code="KINGSTON").exists()


def test_place_editor_form_shows_errors_and_saves(client, system_tree):
    system = system_tree.systems[0]
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, system))
    url = reverse("orgs:place-new", args=[system.code])
    response = client.post(url, {"name": "", "code": "bad code"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and "Enter a name for the place" in page
    assert "Code must be 2 to 20 capital letters" in page
    code = next(p.code for p in system_tree.pcns if p.place.system_id == system.id)
    response = client.post(url, {"name": "Kingston", "code": "kingston", "pcns": [code]})
    assert response.status_code == 302 and response["Location"] == reverse("orgs:place", args=["KINGSTON"])
    assert Place.objects.get(code="KINGSTON").pcns.get().code == code
    assert AuditEvent.objects.filter(action="place.created", actor__email="lead@test.example").exists()
