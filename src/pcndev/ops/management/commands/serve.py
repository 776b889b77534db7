"""`pcndev serve`: the production WSGI server (gunicorn, N workers; whitenoise serves static files)."""

import os

from django.core.management.base import BaseCommand, CommandError

from pcndev.ops.serving import gunicorn_application, refusals


class Command(BaseCommand):
    help = "Run the production server on PostgreSQL (refuses DEBUG, a missing secret key or SQLite)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("PCNDEV_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("PCNDEV_WORKERS", "0")) or (os.cpu_count() or 1) * 2 + 1,
        )
        parser.add_argument(
            "--timeout", type=int, default=60, help="Seconds before a stuck worker is restarted"
        )
        parser.add_argument("--check", action="store_true", help="Only check that the service may start")

    def handle(self, *args, bind, workers, timeout, check, **options):
        if problems := refusals():
            raise CommandError("Not starting:\n  - " + "\n  - ".join(problems))
        if workers < 1:
            raise CommandError("--workers must be 1 or more")
        if check:
            self.stdout.write("Ready to serve.")
            return
        self.stdout.write(f"Serving pcndev on http://{bind} with {workers} workers")
        gunicorn_application(bind, workers, timeout).run()
