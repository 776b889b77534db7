"""`pcndev send-reminders`: email whoever holds an overdue or soon-due action (run daily by cron)."""

import datetime
import json
import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from pcndev.delivery.reminders import send_reminders
from pcndev.funding.models import Programme


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

    def handle(self, *args, **options):
        today = options["on"] or timezone.localdate()
        if options["programme"]:
            programmes = list(Programme.objects.filter(pk=options["programme"]))
        else:
            year = today.year if today.month >= 4 else today.year - 1
            programmes = list(Programme.objects.filter(financial_year=year))
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
