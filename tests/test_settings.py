"""Production defaults: no DEBUG unless asked, a secret key required, secure cookies."""

import os
import subprocess
import sys

PROBE = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='pcndev.config.settings'; from django.conf import settings; "


def _run(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PCNDEV_") and k != "DATABASE_URL"}
    clean.update(env)
    return subprocess.run([sys.executable, "-c", PROBE + code], env=clean, capture_output=True, text=True)


def test_a_secret_key_is_required_in_production(tmp_path):
    result = _run("settings.DEBUG", PCNDEV_DATA_DIR=str(tmp_path))
    assert result.returncode != 0 and "PCNDEV_SECRET_KEY must be set" in result.stderr


def test_defaults_are_secure(tmp_path):
    result = _run(
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS,"
        " settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['OPTIONS']['init_command'])",
        PCNDEV_SECRET_KEY="x" * 50,
        PCNDEV_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "False True True 31536000 django.db.backends.sqlite3 PRAGMA journal_mode=WAL"
    )


def test_database_url_selects_postgresql(tmp_path):
    result = _run(
        "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])",
        PCNDEV_SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/pcndev",
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "pcndev"]


def test_a_malformed_boolean_is_refused_clearly(tmp_path):
    result = _run("settings.DEBUG", PCNDEV_DEBUG="maybe", PCNDEV_DATA_DIR=str(tmp_path))
    assert "PCNDEV_DEBUG must be one of 1/0" in result.stderr
