"""`pcndev import-nhs` killed (SIGKILL) in the middle of its transaction leaves nothing half-written: every
register table, the import runs and the audit trail are exactly as before, no lock is left, and the same import
then runs to the end.

It runs in a process of its own against a real database: a file on SQLite (the tests' own database is in
memory), the test database itself on PostgreSQL.
"""

import json
import os

import pytest
from django.conf import settings
from django.db import connection

from tests.faults import importkill as ik
from tests.orgs.nhs_samples import SAMPLE, moved, write_pair

# The second import changes something of every kind: a practice moves PCN, another joins, list sizes change.
CHANGED = moved(moved(SAMPLE, "H84002", pcn_code="U00002", pcn_name="SUTTON PCN"), "H85003", patients=5_500)


@pytest.fixture
def target(transactional_db, tmp_path):
    if connection.vendor == "postgresql":
        return ik.postgres_target()
    return ik.sqlite_target(tmp_path)


def _files(tmp_path, name, practices):
    return [str(p) for p in write_pair(tmp_path / name, practices)]


def _args(files) -> list[str]:
    return ["import_nhs", "--mapping", files[0], "--list-sizes", files[1], "--json"]


def test_killed_with_everything_but_the_audit_written_leaves_the_register_as_it_was(target, tmp_path):
    ik.run(target, *_args(_files(tmp_path, "first", SAMPLE)))
    before = target.fingerprints()
    changed = _files(tmp_path, "second", CHANGED)

    process = ik.start(target, *changed, stalled=True)
    assert process.stdout.readline().strip() == "MIDWAY", process.stderr.read()
    assert target.writer_busy(), "the import should be inside its transaction, holding what it wrote"
    ik.kill(process)

    assert target.fingerprints() == before
    assert ik.wait_until(lambda: not target.writer_busy(), timeout=30), "a lock outlived the killed import"
    done = json.loads(ik.run(target, *_args(changed)).stdout)
    assert done["updated"] > 0
    assert target.fingerprints() != before


@pytest.mark.nhsdata
def test_the_national_import_killed_at_any_point_of_its_writes_leaves_nothing(target):
    """The real files (about 6,500 practices), killed unprepared while it writes (its writes take ~0.3 s)."""
    files = [settings.NHS_DATA_DIR / "gp-reg-pat-prac-map-2022-01.csv"]
    files.append(settings.NHS_DATA_DIR / "gp-reg-pat-prac-all-2021-01.csv")
    if not all(f.exists() for f in files):
        pytest.skip(f"the shared NHS files are not at {settings.NHS_DATA_DIR}")
    before = target.fingerprints()
    process = ik.start(target, *_args([str(f) for f in files]))
    assert ik.wait_until(target.writer_busy, timeout=120), "the import never started writing"
    ik.wait_until(
        lambda: process.poll() is not None, timeout=float(os.environ.get("PCNDEV_KILL_AFTER", "0.02"))
    )
    assert process.poll() is None, "the import finished before it could be killed: kill it sooner"
    ik.kill(process)
    assert target.fingerprints() == before
    assert ik.wait_until(lambda: not target.writer_busy(), timeout=30), "a lock outlived the killed import"
