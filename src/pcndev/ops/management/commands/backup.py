"""`pcndev backup FILE [--force]`: write the whole database to one portable backup file."""

import time

from django.core.management.base import BaseCommand, CommandError

from pcndev.ops.archive import BackupError
from pcndev.ops.backup import write_backup
from pcndev.ops.progress import progress_for


class Command(BaseCommand):
    help = (
        "Back up every table (with row counts and checksums) to FILE, a zip of JSON lines that restores into "
        "SQLite or PostgreSQL with `pcndev restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to write, e.g. pcndev-2026-04-01.zip")
        parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        started = time.monotonic()
        try:
            summary = write_backup(
                options["file"],
                using=options["database"],
                overwrite=options["force"],
                progress=progress_for(self.stdout, verbosity),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if verbosity >= 1:
            self.stdout.write(
                f"Backed up {summary.tables} tables, {summary.rows:,} rows to {summary.path} "
                f"({summary.size / 1024:,.0f} KiB) in {time.monotonic() - started:.1f}s"
            )
