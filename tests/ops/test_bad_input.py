"""Bad files and bad rows: one clear line, and the database exactly as it was (even with --force)."""

import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from pcndev.ops.archive import member_name
from pcndev.ops.checksums import table_checksums
from pcndev.ops.triggers import user_triggers
from pcndev.orgs.models import Region
from tests.ops.helpers import backup_to, build_spread, edit_table, read_backup, write_backup_file


@pytest.fixture
def backed_up(tmp_path):
    """A database with data, its backup, then one more change, so that a restore would change something."""
    build_spread()
    file = backup_to(tmp_path / "good.zip")
    Region.objects.create(code="LATER", name="After the backup")
    return file


def _restore_fails(file, match: str):
    before, triggers = table_checksums(), user_triggers(connection, ["audit_auditevent"])
    with pytest.raises(CommandError, match=match) as failed:
        call_command("restore", str(file), "--force", verbosity=0)
    assert "\n" not in str(failed.value)
    assert table_checksums() == before, "a failed restore must leave the database as it was"
    assert user_triggers(connection, ["audit_auditevent"]) == triggers
    return str(failed.value)


def _manifest_edit(edit):
    def make(good, path):
        manifest, members = read_backup(good)
        edit(manifest, members)
        return write_backup_file(path, manifest, members)

    return make


def _missing(good, path):
    return path


def _text(good, path):
    path.write_text("id,name\n1,not a backup\n")
    return path


def _truncated(good, path):
    data = good.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def _version(manifest, members):
    manifest["version"] = 2


def _schema(manifest, members):
    manifest["schema"]["orgs"] = "0099_from_the_future"


def _no_member(manifest, members):
    del members[member_name("orgs_practice")]


def _columns(manifest, members):
    next(t for t in manifest["tables"] if t["name"] == "orgs_region")["columns"].append("extra")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "match"),
    [
        (_missing, r"missing\.zip: no such file$"),
        (_text, r"is not a pcndev backup, or it is truncated \(not a readable zip file\)"),
        (_truncated, r"is not a pcndev backup, or it is truncated"),
        (_manifest_edit(lambda m, _: m.update(format="other")), r"is not a pcndev backup \(its manifest"),
        (_manifest_edit(lambda m, _: m.clear()), r"is not a pcndev backup"),
        (_manifest_edit(_version), r"is in backup format version 2; this pcndev reads version 1"),
        (
            _manifest_edit(_schema),
            r"not migrated to the backup's migrations \(orgs: backup 0099_from_the_future",
        ),
        (_manifest_edit(_no_member), r"has no data for table orgs_practice; the file is incomplete"),
        (_manifest_edit(_columns), r"table orgs_region has other columns"),
    ],
    ids=[
        "missing",
        "text",
        "truncated",
        "format",
        "empty-manifest",
        "version",
        "schema",
        "member",
        "columns",
    ],
)
def test_a_file_that_is_not_a_usable_backup_is_refused_before_anything_changes(
    backed_up, tmp_path, make, match
):
    _restore_fails(make(backed_up, tmp_path / "missing.zip"), match)


def test_a_zip_without_a_manifest_is_not_a_backup(tmp_path, db):
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(CommandError, match=r"is not a pcndev backup \(it has no manifest.json\)"):
        call_command("restore", str(tmp_path / "other.zip"), verbosity=0)


def _flip_bytes(good, path):
    """Damage the compressed data in the middle of a table loaded late."""
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo(member_name("audit_auditevent"))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(8):
        data[start + info.compress_size // 2 + k] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def _rows(table, edit, fix_manifest=True):
    return lambda good, path: edit_table(good, path, table, edit, fix_manifest=fix_manifest)


def _missing_parent(rows, col):
    rows[0][col["payee_id"]] = 987654
    return rows


def _read_back_differently(rows, col):
    rows[0][col["is_superuser"]] = 1  # loads as true, so it reads back as true, not as 1
    return rows


def _bad_date(rows, col):
    rows[0][col["as_of"]] = "not-a-date"
    return rows


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("make", "match"),
    [
        (
            _rows("audit_auditevent", lambda r, _: r[:-1], fix_manifest=False),
            r"data for audit_auditevent does",
        ),
        (_flip_bytes, r"audit_auditevent"),
        (_rows("orgs_pcn", _missing_parent), r"the backup's rows break a constraint"),
        (
            _rows("accounts_user", _read_back_differently),
            r"does not match the backup's checksums \(accounts_user",
        ),
        (_rows("orgs_practice", lambda r, _: [*r, r[0]]), r"the database refused a row of orgs_practice"),
        (_rows("orgs_listsize", lambda r, _: [r[0][:2], *r[1:]]), r"row 1 of orgs_listsize cannot be read"),
        (_rows("orgs_listsize", _bad_date), r"row 1 of orgs_listsize cannot be read \(.*not-a-date"),
    ],
    ids=[
        "short-member",
        "flipped-bytes",
        "foreign-key",
        "checksum",
        "duplicate-key",
        "row-width",
        "bad-value",
    ],
)
def test_a_restore_that_fails_part_way_rolls_everything_back(backed_up, tmp_path, make, match):
    message = _restore_fails(make(backed_up, tmp_path / "bad.zip"), match)
    assert message.endswith("; nothing was changed")
