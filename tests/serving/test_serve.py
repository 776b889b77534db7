"""`pcndev serve`: refuses unsafe configurations; on PostgreSQL it serves pages and static files with gunicorn."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from pcndev.ops.serving import refusals

PG = "postgres://postgres@127.0.0.1:5432/postgres"
ROOT = Path(__file__).resolve().parents[2]


def test_debug_sqlite_and_a_weak_key_are_each_refused_with_the_reason():
    with override_settings(DEBUG=True, SECRET_KEY="insecure-development-key"):
        found = refusals()
    assert any("PCNDEV_DEBUG is on" in r for r in found)
    assert any("PCNDEV_SECRET_KEY" in r for r in found)
    on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    assert any("needs PostgreSQL (found sqlite3)" in r for r in found) == on_sqlite
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        assert any("cache must be shared" in r for r in refusals())
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cache"):
        assert any("Sessions must be stored in the database" in r for r in refusals())


@override_settings(DEBUG=True)
def test_the_command_stops_with_the_reasons():
    with pytest.raises(CommandError, match="Not starting"):
        call_command("serve", "--check")


def _pg_available() -> bool:
    try:
        psycopg.connect(PG, connect_timeout=2).close()
        return True
    except psycopg.OperationalError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve_db():
    if not _pg_available():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432: `pcndev serve` runs only on PostgreSQL")
    name = f"pcndev_serve_{secrets.token_hex(4)}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _via_proxy(port: int, path: str) -> urllib.request.Request:
    return urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"})


def test_serve_runs_gunicorn_workers_on_postgresql(serve_db, tmp_path):
    env = os.environ | {
        "DATABASE_URL": serve_db,
        "PCNDEV_SECRET_KEY": secrets.token_urlsafe(50),
        "PCNDEV_DEBUG": "0",
        "PCNDEV_HTTPS": "0",
        "PCNDEV_DATA_DIR": str(tmp_path),
    }
    for leaked in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(leaked, None)
    pcndev = [sys.executable, "-m", "pcndev"]
    subprocess.run([*pcndev, "migrate", "-v0"], env=env, check=True, cwd=ROOT, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [*pcndev, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env | {"PCNDEV_HTTPS": "1", "PCNDEV_BEHIND_PROXY": "1"},  # TLS ends at the load balancer
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(_via_proxy(port, "/account/sign-in/"), timeout=5) as r:
                    body, headers = r.read().decode(), r.headers
                break
            except OSError:
                time.sleep(0.2)
        assert "Sign in" in body, server.poll() is not None and server.communicate(timeout=5)[0].decode()
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        with urllib.request.urlopen(_via_proxy(port, "/static/nhsuk/nhsuk.min.css"), timeout=5) as r:
            assert r.status == 200 and "css" in r.headers["Content-Type"]
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "with 2 workers" in output and "Booting worker" in output


def test_the_health_check_answers_without_the_database(client):
    response = client.get("/healthz")  # no db fixture: pytest-django fails any database access
    assert response.status_code == 200 and response.content == b"ok"
