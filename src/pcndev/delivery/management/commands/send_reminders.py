"""`pcndev send-reminders`: email whoever holds an overdue or soon-due action (run daily by cron).

With --enqueue it only puts the run on the background queue, for `pcndev worker` to send.
"""

import datetime
import json
import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from pcndev.delivery.reminders import programmes_for, send_reminders, send_reminders_task


def _progress(items):
    if not sys.stdout.isatty():
        return items
    from rich.progress import track

    return track(items, description="Sending reminders")


class Command(BaseCommand):
    help = (
        "Email everyone holding an overdue or soon-due action; a second run the same day sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be sent, send nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--programme", type=int, help="one programme's id (default: this year's)")
        parser.add_argument("--on", type=datetime.date.fromisoformat, help="the day to act as (YYYY-MM-DD)")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="only put the run on the queue for `pcndev worker` (the day is the worker's, unless --on)",
        )

    def handle(self, *args, **options):
        if options["enqueue"]:
            return self._enqueue(options)
        today = options["on"] or timezone.localdate()
        programmes = programmes_for(today, options["programme"])
        summary = send_reminders(
            programmes, today, dry_run=options["dry_run"], progress=None if options["json"] else _progress
        )
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            verb = "would send" if summary["dry_run"] else "sent"
            self.stdout.write(
                f"{verb} {summary['emails']} emails ({summary['reminders']} reminders; "
                f"{summary['already_sent']} already sent today)"
            )

    def _enqueue(self, options) -> None:
        day = options["on"].isoformat() if options["on"] else None
        result = send_reminders_task.enqueue(
            day=day, programme_id=options["programme"], dry_run=options["dry_run"]
        )
        if options["json"]:
            self.stdout.write(
                json.dumps({"enqueued": result.id, "day": day, "programme": options["programme"]})
            )
        else:
            self.stdout.write(f"enqueued reminders as task {result.id}; `pcndev worker` sends them")
