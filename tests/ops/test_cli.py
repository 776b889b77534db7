"""The commands as an operator meets them: exit codes, one-line errors, progress, a database with no tables."""

import io
import os
import sqlite3
import subprocess
import sys

import pytest
from django.db import connections

from pcndev.__main__ import main
from pcndev.ops.backup import write_backup
from pcndev.ops.progress import progress_for
from pcndev.orgs.models import Practice
from tests.ops.helpers import backup_to, build_spread, read_backup


def _run(monkeypatch, capsys, *argv) -> tuple[int, str, str]:
    """The console script in this process; it must not close the test's connection when it ends."""
    monkeypatch.setattr(sys, "argv", ["pcndev", *argv])
    monkeypatch.setattr(connections, "close_all", lambda: None)
    try:
        main()
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.django_db
def test_errors_exit_non_zero_with_one_line_and_no_traceback(monkeypatch, capsys, tmp_path):
    code, _, err = _run(monkeypatch, capsys, "restore", str(tmp_path / "nowhere.zip"))
    assert code == 1 and err == f"CommandError: {tmp_path / 'nowhere.zip'}: no such file\n"

    build_spread()
    file = backup_to(tmp_path / "b.zip")
    code, _, err = _run(monkeypatch, capsys, "restore", str(file))
    assert code == 1 and err.startswith("CommandError: the database is not empty") and err.count("\n") == 1

    code, _, err = _run(monkeypatch, capsys, "backup", str(file))
    assert code == 1 and err == f"CommandError: {file} already exists (use --force to overwrite it)\n"


@pytest.mark.django_db(transaction=True)
def test_plain_output_names_each_table_at_verbosity_two_and_the_file_is_private(
    monkeypatch, capsys, tmp_path
):
    build_spread()
    code, out, _ = _run(monkeypatch, capsys, "backup", str(tmp_path / "b.zip"), "-v", "2")
    assert code == 0 and "  orgs_region: 2 rows\n" in out and out.splitlines()[-1].startswith("Backed up ")
    assert oct((tmp_path / "b.zip").stat().st_mode & 0o777) == "0o600"  # personal data and password hashes
    assert not list(tmp_path.glob("*.partial"))
    code, out, _ = _run(monkeypatch, capsys, "restore", str(tmp_path / "b.zip"), "--force")
    assert code == 0 and out.startswith("Restored ") and "checksums match" in out and out.count("\n") == 1


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.django_db
def test_a_terminal_gets_a_rich_progress_bar(tmp_path):
    build_spread()
    terminal = _Terminal()
    write_backup(tmp_path / "b.zip", progress=progress_for(terminal, 1))
    assert "Backing up to b.zip" in terminal.getvalue()
    assert type(progress_for(io.StringIO(), 1)).__name__ == "Progress"


@pytest.mark.django_db(transaction=True)
def test_a_database_with_no_tables_is_migrated_then_restored_through_the_cli(tmp_path):
    """Also a cross-database check when the suite runs on PostgreSQL: its backup restores into SQLite and
    backs up again to the same bytes (the restore has compared every table's checksum already)."""
    build_spread()
    practices = Practice.objects.count()
    file = backup_to(tmp_path / "b.zip")
    target = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{target}", "PCNDEV_DATA_DIR": str(tmp_path)}
    pcndev = [sys.executable, "-m", "pcndev"]
    done = subprocess.run(
        [*pcndev, "restore", str(file)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Migrated the empty database, then restored ")
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT count(*) FROM orgs_practice").fetchone() == (practices,)
        triggers = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    assert triggers == [("audit_no_update",)]
    again = subprocess.run(
        [*pcndev, "backup", str(tmp_path / "again.zip")], env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr
    assert read_backup(file)[1] == read_backup(tmp_path / "again.zip")[1]
