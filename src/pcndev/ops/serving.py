"""Production serving: what must hold before `pcndev serve` starts, and the gunicorn application.

Refuses to start with DEBUG on, without a secret key, or on anything but PostgreSQL (several app servers share
one database; SQLite is for the local demo). Sessions and the cache live in the database, so no state is held in
a worker: any number of servers can sit behind one load balancer.
"""

import gc

from django.conf import settings
from django.core import checks


def refusals() -> list[str]:
    """Why the service may not start in production; empty when it may."""
    out = []
    if settings.DEBUG:
        out.append("PCNDEV_DEBUG is on: production serving refuses to start with debugging enabled.")
    if not settings.SECRET_KEY or settings.SECRET_KEY == "insecure-development-key":
        out.append("Set PCNDEV_SECRET_KEY to a long random value.")
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        found = engine.rsplit(".", 1)[-1]
        out.append(f"Set DATABASE_URL=postgres://… : production serving needs PostgreSQL (found {found}).")
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        out.append("Sessions must be stored in the database so that every server sees them.")
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        out.append("The cache must be shared (the database cache), not held in one worker's memory.")
    out += [
        f"{m.id}: {m.msg}"
        for m in checks.run_checks(include_deployment_checks=True)
        if m.level >= checks.WARNING and not m.is_silenced()
    ]
    return out


def gunicorn_application(bind: str, workers: int, timeout: int):
    from gunicorn.app.base import BaseApplication

    from pcndev.config.wsgi import application

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("timeout", timeout)
            self.cfg.set("accesslog", "-")
            self.cfg.set("worker_tmp_dir", "/dev/shm")
            self.cfg.set("preload_app", True)

        def load(self):
            _warm_up()
            return application

    return Server()


def _warm_up() -> None:
    """Before the workers fork: load the URLconf and the page template, then freeze what exists, so workers share
    it copy-on-write and the cyclic collector stops rescanning those objects on every full collection."""
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().check()  # imports every app's urls and views
    get_template("home.jinja")
    gc.collect()
    gc.freeze()
