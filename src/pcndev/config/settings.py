"""pcndev settings: one module, driven by environment variables, with safe production defaults.

PCNDEV_DEBUG (off), PCNDEV_SECRET_KEY (required unless debugging), DATABASE_URL (SQLite in PCNDEV_DATA_DIR),
PCNDEV_ALLOWED_HOSTS, PCNDEV_HTTPS (on: secure cookies, HSTS, redirect to https), PCNDEV_EMAIL_BACKEND.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from pcndev.config.env import env_bool, env_int, env_list

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("PCNDEV_DATA_DIR", Path.cwd() / ".data")).resolve()

DEBUG = env_bool("PCNDEV_DEBUG", False)
SECRET_KEY = os.environ.get("PCNDEV_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PCNDEV_SECRET_KEY must be set (or PCNDEV_DEBUG=1 for local development). "
            "`./dev demo` generates one in .data/secret_key."
        )
    SECRET_KEY = "insecure-development-key"

ALLOWED_HOSTS = env_list("PCNDEV_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("PCNDEV_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "ninja",  # the API docs page then serves Swagger UI from our static files, not from a CDN
    "django_tasks",
    "django_tasks_db",
    "pcndev.audit",
    "pcndev.orgs",
    "pcndev.accounts",
    "pcndev.funding",
    "pcndev.maturity",
    "pcndev.plans",
    "pcndev.delivery",
    "pcndev.papers",
    "pcndev.dashboards",
    "pcndev.ops",
    "pcndev.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pcndev.config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pcndev.config.urls"
WSGI_APPLICATION = "pcndev.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [PACKAGE_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "pcndev.config.jinja.environment"},
    },
    {  # Django admin only
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

DATA_DIR_SQLITE = DATA_DIR / "pcndev.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR_SQLITE}",
        conn_max_age=env_int("PCNDEV_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if not os.environ.get("DATABASE_URL"):
        DATA_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "pcndev.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:my-organisations"
LOGOUT_REDIRECT_URL = "home"

# Lock-out after repeated failed log-ins (django-axes): per username and address.
AXES_FAILURE_LIMIT = env_int("PCNDEV_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.jinja"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# Security: secure by default; the local demo sets PCNDEV_HTTPS=0 because it serves plain http on loopback.
HTTPS = env_bool("PCNDEV_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("PCNDEV_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("PCNDEV_BEHIND_PROXY", False) else None
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("PCNDEV_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from the package when collectstatic has not run

# Nothing is held in a worker's memory: sessions and the cache are in the database, so several app servers can
# share one PostgreSQL behind a load balancer (the cache table is created by the ops app's migration).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Rendered charts are kept here (one entry per distinct chart): room for every place's and system's dashboards.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "pcndev_cache",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}

# Background work (committee papers, reminders) is a durable queue in the same database (django-tasks' database
# backend), in tests and development too; `pcndev worker` runs it and puts back work a dead worker left running.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "papers", "reminders"],
    }
}

EMAIL_BACKEND = os.environ.get("PCNDEV_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("PCNDEV_FROM_EMAIL", "pcndev@localhost")

NHS_DATA_DIR = Path(os.environ.get("PCNDEV_NHS_DATA_DIR", PACKAGE_DIR.parents[2] / "shared" / "data" / "nhs"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PCNDEV_LOG_LEVEL", "WARNING")},
}
CSRF_FAILURE_VIEW = "pcndev.config.views.csrf_failure"
