"""The load test in a bounded form, for CI on PostgreSQL: bench/load.py on the national data for a few seconds of
the September-rush mix against `pcndev serve`. No request may fail and every acknowledged write (ratings,
consensus records and submissions, plan edits) must be read back. Speed is the bench's business, not this test's:
nothing here is timed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from pcndev.ops.scale_orgs import ScaleError, shared_files

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_rush_has_no_errors_and_loses_no_write():
    if connection.vendor != "postgresql":
        pytest.skip("pcndev serve runs on PostgreSQL only: this runs when DATABASE_URL is a PostgreSQL URL")
    try:
        shared_files(settings.NHS_DATA_DIR)
    except ScaleError:
        pytest.skip(f"needs the shared NHS Digital files, which are not in {settings.NHS_DATA_DIR}")
    server = settings.DATABASES["default"]
    pg = f"postgres://{server['USER'] or 'postgres'}@{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}"
    command = [sys.executable, "bench/load.py", "--duration", "8", "--floor-duration", "2"]
    command += ["--workers", "2", "--users", "4", "--audit-rows", "0"]
    command += ["--database", f"pcndev_bench_load_test_{os.getpid()}"]  # not a developer's kept database
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**_environment(), "PCNDEV_BENCH_PG": pg, "PCNDEV_NHS_DATA_DIR": str(settings.NHS_DATA_DIR)},
    )
    assert done.stdout.strip(), done.stderr[-3000:]
    figures = json.loads(done.stdout)
    assert figures["mix"]["errors"] == 0 and figures["floor"]["errors"] == 0, figures["error_examples"]
    assert figures["writes"] > 0 and figures["lost_writes"] == 0, figures["lost_examples"]
    lightest = figures["signed_in_floor"]
    assert lightest["requests"] > 0 and lightest["errors"] == 0, figures["error_examples"]
    kinds = set(figures["by_kind"])
    assert "login" in kinds and kinds & {"rating_save", "consensus_save", "plan_edit"}, kinds
    assert figures["ok"] is True and done.returncode == 0


def _environment() -> dict:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PCNDEV_", "DJANGO_")) and k != "DATABASE_URL"
    }
