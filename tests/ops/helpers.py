"""Data and file surgery for the backup and restore tests."""

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command

from pcndev.accounts.models import Role, User
from pcndev.accounts.roles import grant_role
from pcndev.audit.services import Change, record, record_many
from pcndev.ops.archive import MANIFEST, member_name
from tests.builders import build_tree


def _user(email, role, node=None):
    user = User.objects.create_user(email=email, password=None, full_name=email.split("@")[0])  # no slow hash
    grant_role(user, role, node)
    return user


def build_spread():
    """A small but varied database: an org tree, users with roles, M2M rows, the admin log, audit JSON."""
    tree = build_tree(regions=2, systems=2, places=2, pcns=2, practices=2)
    admin = _user("ops.admin@example.org", Role.NATIONAL_ADMIN)
    lead = _user("ops.lead@example.org", Role.PLACE_LEAD, tree.places[0])
    group = Group.objects.create(name="Opérations ✓")
    group.permissions.set(Permission.objects.filter(codename__startswith="view_").order_by("id")[:4])
    lead.groups.add(group)
    lead.user_permissions.add(Permission.objects.order_by("id").first())
    region = tree.regions[0]
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(region),
        object_id=str(region.pk),
        object_repr=str(region),
        action_flag=ADDITION,
        change_message='[{"added": {}}]',
    )
    record(admin, "ops.test", region, {"a": [1, 2.5, None]}, {"naïve": "✓ – ‘quoted’", "n": {"z": 1, "a": 2}})
    record(None, "ops.note", tree.pcns[0], note="two\nlines and a tab\t")
    record_many(admin, [Change("ops.bulk", p, None, {"code": p.code}) for p in tree.practices])
    return tree


def add_session() -> str:
    session = SessionStore()
    session["who"] = "someone"
    session.create()
    return session.session_key


def backup_to(path: Path) -> Path:
    call_command("backup", str(path), verbosity=0)
    return path


def read_backup(path: Path) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        members = {name: zf.read(name) for name in zf.namelist() if name != MANIFEST}
    return manifest, members


def write_backup_file(path: Path, manifest: dict, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.writestr(MANIFEST, json.dumps(manifest))
    return path


def edit_table(
    src: Path, dst: Path, table: str, edit: Callable[[list[list], dict], list[list]], *, fix_manifest=True
):
    """Copy a backup with one table's rows edited (given the rows and {column: index}).

    With fix_manifest the table's count and checksum in the manifest follow the edit, so only the database can
    notice what is wrong.
    """
    manifest, members = read_backup(src)
    entry = next(t for t in manifest["tables"] if t["name"] == table)
    rows = [json.loads(line) for line in members[member_name(table)].splitlines()]
    edited = edit(rows, {c: i for i, c in enumerate(entry["columns"])})
    data = b"".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode() + b"\n"
        for r in edited
    )
    members[member_name(table)] = data
    if fix_manifest:
        entry["rows"], entry["sha256"] = data.count(b"\n"), hashlib.sha256(data).hexdigest()
    return write_backup_file(dst, manifest, members)
