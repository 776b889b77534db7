"""The full API fuzz run: schemathesis against every operation of /api/v1/, as a user of each role.

    .venv/bin/python bench/fuzz.py [--examples N] [--seed S] [--postgres postgres://…] [--verbose]

Builds the demo data (a funded programme with plans in every state, an open round with ratings, progress reviews)
in a fresh temporary SQLite database (or, with --postgres, a throwaway database on that server, dropped at the end),
issues an API token to the demo user of each role, then sends N generated cases (70 by default) to each operation:
positive and negative data, a role drawn per case, real ids and codes for most path parameters. The cases are
checked for server errors and against the OpenAPI document (documented status code, content type, body schema).
Prints one JSON object: requests, by_status, server_errors, schema_failures, operations and seconds; with
--verbose, the failures (request, response, traceback) go to stderr. The goal: server_errors and schema_failures 0.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=70, help="cases per operation")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to make a throwaway database on")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pcndev-fuzz-"))
    dropper = None
    try:
        if args.postgres:
            url, dropper = _throwaway_postgres(args.postgres)
        else:
            url = f"sqlite:///{tmp / 'fuzz.sqlite3'}"
        return run(url, args)
    finally:
        if dropper:
            dropper()
        shutil.rmtree(tmp, ignore_errors=True)


def _throwaway_postgres(server: str):
    """`server` with or without a database name (postgres://host:5432 or postgres://host:5432/postgres)."""
    import psycopg

    name = f"pcndev_fuzz_{os.getpid()}"
    parts = urlsplit(server)
    server = urlunsplit(parts._replace(path="/" + (parts.path.strip("/") or "postgres")))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path="/" + name)), drop


def run(url: str, args) -> int:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("PCNDEV_SECRET_KEY", "benchmark-only-secret-key")
    os.environ["PCNDEV_HTTPS"] = "0"
    os.environ["PCNDEV_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "pcndev.config.settings"
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # collectstatic has not run
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    from tests.fuzz import engine
    from tests.fuzz.world import build_world

    setup_test_environment()  # allows the test client's host and keeps sent mail in memory
    call_command("migrate", verbosity=0)
    world = build_world()
    schema = engine.load_schema()
    stats = engine.Stats()
    started = time.perf_counter()
    with engine.app_requests() as (app, errors):
        for operation in engine.operations(schema):
            engine.fuzz_operation(operation, world, app, errors, stats, args.examples, seed=args.seed)
    figures = {**stats.as_json(), "seconds": round(time.perf_counter() - started, 1)}
    figures["database"] = "postgresql" if url.startswith("postgres") else "sqlite"
    print(json.dumps(figures, indent=2))
    if args.verbose:
        print(engine.report(stats.server_errors + stats.schema_failures), file=sys.stderr)
    return 1 if stats.server_errors or stats.schema_failures else 0


if __name__ == "__main__":
    sys.exit(main())
