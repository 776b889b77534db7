"""`pcndev check --deploy` is clean with production settings (a long random key, PostgreSQL, no DEBUG, HTTPS on), and
it does catch a production setting left wrong (so a clean run means something)."""

import os
import secrets
import subprocess
import sys

import pytest

# The browser tests' async override must never reach a production check (Django refuses it there).
_NOT_INHERITED = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
CHECK = [sys.executable, "-m", "pcndev", "check", "--deploy", "--fail-level", "WARNING"]


def _production(tmp_path, **changes) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PCNDEV_") and k not in _NOT_INHERITED}
    env |= {
        "PCNDEV_SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": "postgres://pcndev@db.internal:5432/pcndev",
        "PCNDEV_HTTPS": "1",
        "PCNDEV_ALLOWED_HOSTS": "pcndev.example.nhs.uk",
        "PCNDEV_DATA_DIR": str(tmp_path),
    }
    env |= changes
    return {k: v for k, v in env.items() if v is not None}


def _run(cmd, env) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)


def test_the_deploy_check_is_clean_in_production_settings(tmp_path):
    result = _run(CHECK, _production(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_the_secure_ones(tmp_path):
    probe = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'pcndev.config.settings'; django.setup(); "
        "from django.conf import settings as s; print(s.DEBUG, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, s.SECURE_REFERRER_POLICY,"
        " s.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1])"
    )
    result = _run([sys.executable, "-c", probe], _production(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "True",
        "True",
        "DENY",
        "True",
        "same-origin",
        "postgresql",
    ]


@pytest.mark.parametrize(
    ("changes", "warning"),
    [({"PCNDEV_DEBUG": "1"}, "security.W018"), ({"PCNDEV_HTTPS": "0"}, "security.W004")],
    ids=["debug-on", "https-off"],
)
def test_the_deploy_check_catches_a_production_setting_left_wrong(tmp_path, changes, warning):
    result = _run(CHECK, _production(tmp_path, **changes))
    assert result.returncode != 0 and warning in result.stderr + result.stdout
