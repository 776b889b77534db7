"""`pcndev restore FILE [--force]`: replace the database's data with a backup's, all or nothing."""

import time

from django.core.management.base import BaseCommand, CommandError

from pcndev.ops.archive import BackupError
from pcndev.ops.progress import progress_for
from pcndev.ops.restore import restore_backup


class Command(BaseCommand):
    help = (
        "Restore a `pcndev backup` file into this database (migrated to the backup's migrations, or with no "
        "tables at all). Refuses a database that holds data unless --force. One transaction, checked against "
        "the backup's checksums before it commits."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by `pcndev backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace all the data of a database that is not empty"
        )
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        started = time.monotonic()
        try:
            summary = restore_backup(
                options["file"],
                using=options["database"],
                force=options["force"],
                progress=progress_for(self.stdout, verbosity),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        if verbosity >= 1:
            first = "Migrated the empty database, then restored" if summary.migrated else "Restored"
            self.stdout.write(
                f"{first} {summary.tables} tables, {summary.rows:,} rows from {options['file']}; "
                f"counts and checksums match the backup ({time.monotonic() - started:.1f}s)"
            )
