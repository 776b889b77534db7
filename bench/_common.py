"""What bench/scaling.py and bench/load.py share: databases built with `pcndev scale-data`, Django set up on
one of them, the `pcndev` command in a subprocess, and a calibration loop that shows how loaded the machine was.

PostgreSQL databases are created on the server named by PCNDEV_BENCH_PG (default
postgres://postgres@127.0.0.1:5432), named pcndev_bench_<purpose>_f<factor>, and dropped afterwards unless
kept.
"""

import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PCNDEV = [str(ROOT / ".venv" / "bin" / "python"), "-m", "pcndev"]
PG_SERVER = os.environ.get("PCNDEV_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
SECRET = "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def bench_env(database_url: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        PCNDEV_SECRET_KEY=env.get("PCNDEV_SECRET_KEY") or SECRET,
        PCNDEV_HTTPS="0",
        DJANGO_SETTINGS_MODULE="pcndev.config.settings",
        PYTHONPATH=str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env.update(extra)
    return env


def pcndev(args: list[str], database_url: str, **extra) -> subprocess.CompletedProcess:
    """Run `pcndev ARGS` on the database; raise with its stderr when it fails."""
    done = subprocess.run(
        PCNDEV + args, env=bench_env(database_url, PCNDEV_DEBUG="1", **extra), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"pcndev {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def pg_database(name: str, fresh: bool) -> str:
    """The URL of database `name`, dropped and created again when fresh."""
    if fresh:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def drop_pg(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def scale_data(database_url: str, factor: int, audit_rows: int | None = None) -> dict:
    """Migrate, then `pcndev scale-data --from-shared --factor K`; its JSON summary."""
    pcndev(["migrate", "-v0"], database_url)
    args = ["scale-data", "--from-shared", "--factor", str(factor), "--json"]
    if audit_rows is not None:
        args += ["--audit-rows", str(audit_rows)]
    return json.loads(pcndev(args, database_url).stdout)


def setup_django(database_url: str) -> None:
    for key, value in bench_env(database_url).items():
        os.environ[key] = value
    sys.path.insert(0, str(ROOT / "src"))
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # collectstatic has not run
    import django

    django.setup()


def calibration_ms() -> float:
    """Best of 5 of a fixed pure-Python loop (10-15 ms on an idle machine): a loaded machine shows here."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        sum(range(10**6))
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)
