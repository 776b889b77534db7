"""Running `pcndev import-nhs` in a process of its own, and killing it: the database it writes to, its tables'
fingerprints read without Django, and whether a writer holds the database."""

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

TABLES = (
    "orgs_region",
    "orgs_system",
    "orgs_place",
    "orgs_pcn",
    "orgs_practice",
    "orgs_practicemembership",
    "orgs_listsize",
    "orgs_importrun",
    "audit_auditevent",
)
# The import, stopped (asleep) inside its transaction once every organisation, membership and list size is
# written and only its run record and audit trail are left.
STALLED = """
import sys, time, django
django.setup()
from pcndev.orgs.importers.nhs_writer import Writer
write_list_sizes = Writer.write_list_sizes
def stalled(self):
    tally = write_list_sizes(self)
    print("MIDWAY", flush=True)
    time.sleep(600)
    return tally
Writer.write_list_sizes = stalled
from django.core.management import call_command
call_command("import_nhs", "--mapping", sys.argv[1], "--list-sizes", sys.argv[2], "--json")
"""


@dataclass
class Target:
    url: str
    sqlite_path: Path | None = None

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "pcndev.config.settings",
            "PCNDEV_SECRET_KEY": "fault-suite-secret-key",
            "PCNDEV_DEBUG": "0",
        }

    def _connect(self):
        if self.sqlite_path:
            return sqlite3.connect(self.sqlite_path, timeout=0)
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def fingerprints(self) -> dict[str, tuple[int, str]]:
        """{table: (rows, sha256 of the rows in primary key order)}, read on a connection of our own."""
        out = {}
        conn = self._connect()
        try:
            for table in TABLES:
                rows = conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        finally:
            conn.close()
        return out

    def writer_busy(self) -> bool:
        """Whether another connection holds the database for writing (SQLite) or an open transaction that has
        written to the register (PostgreSQL)."""
        conn = self._connect()
        try:
            if self.sqlite_path:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError:
                    return True
                conn.rollback()
                return False
            row = conn.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname LIKE 'orgs_%' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()"
            ).fetchone()
            return row[0] > 0
        finally:
            conn.close()


def sqlite_target(directory: Path) -> Target:
    path = directory / "import.sqlite3"
    target = Target(f"sqlite:///{path}", path)
    run(target, "migrate", "--no-input", "-v", "0")
    return target


def postgres_target() -> Target:
    """The test database itself (the test must be a transactional one, so that the process sees its data)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return Target(f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}")


def run(target: Target, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pcndev", *args]
    return subprocess.run(command, env=target.env(), capture_output=True, text=True, timeout=600, check=True)


def start(target: Target, *args: str, stalled: bool = False) -> subprocess.Popen:
    command = [sys.executable, "-c", STALLED, *args] if stalled else [sys.executable, "-m", "pcndev", *args]
    return subprocess.Popen(
        command, env=target.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: no handler, no cleanup, no rollback by the process itself."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def wait_until(check, timeout: float, every: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False
