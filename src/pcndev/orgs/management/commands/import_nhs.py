"""`pcndev import-nhs --mapping FILE --list-sizes FILE [--as-of YYYY-MM-DD] [--json]`.

Imports NHS Digital's practice mapping (gp-reg-pat-prac-map) and list sizes (gp-reg-pat-prac-all) into the
organisation register. Every problem in the files is printed before anything is written; on any problem the
command exits non-zero and the database is unchanged. See `pcndev.orgs.importers` for what is written and
what the summary counts mean.
"""

import argparse
import datetime
import json
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError

from pcndev.orgs.importers import STAGES, ImportErrors, import_nhs_files


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-04-01") from None


class _RichProgress:
    """A rich progress bar over the import's stages, shown only on a terminal."""

    def __init__(self):
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            transient=True,
        )
        self.task = None

    def __enter__(self):
        self.bar.start()
        self.task = self.bar.add_task(STAGES[0], total=len(STAGES))
        return self

    def __exit__(self, *exc):
        self.bar.stop()

    def __call__(self, stage: str) -> None:
        done = STAGES.index(stage)
        self.bar.update(self.task, description=stage, completed=done)


class Command(BaseCommand):
    help = "Import NHS Digital's GP practice mapping and list sizes (all checks first, then one transaction)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--mapping", required=True, help="gp-reg-pat-prac-map CSV (practice → PCN → CCG…)"
        )
        parser.add_argument(
            "--list-sizes", required=True, help="gp-reg-pat-prac-all CSV (patients per practice)"
        )
        parser.add_argument(
            "--as-of", type=_date, help="date of the list sizes (default: the file's EXTRACT_DATE)"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")

    def handle(self, *args, **options):
        interactive = not options["json"] and self.stdout.isatty()
        progress = _RichProgress() if interactive else None
        try:
            with progress or nullcontext():
                result = import_nhs_files(
                    options["mapping"], options["list_sizes"], as_of=options["as_of"], progress=progress
                )
        except ImportErrors as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        self.stdout.write(self._summary(result))

    def _summary(self, r) -> str:
        place, system = ("CCGs", "STPs") if r.era == "ccg" else ("sub-ICB locations", "ICBs")
        lines = [
            f"Imported mapping of {r.mapping_date:%-d %B %Y} and list sizes of {r.list_date:%-d %B %Y}.",
            f"  {r.practices:,} practices, {r.pcns:,} PCNs, {r.places:,} {place}, {r.systems:,} {system}, "
            f"{r.regions:,} regions",
            f"  {r.list_sizes:,} list sizes; {r.unmapped_practices:,} practices in the list-size file are not "
            f"in the mapping ({r.unmapped_patients:,} patients, not imported)",
            f"  Rows created {r.created:,}, updated {r.updated:,}, unchanged {r.unchanged:,} "
            f"({r.audit_events:,} audit events)",
        ]
        if r.pcns_spanning_places:
            lines.append(
                f"  {len(r.pcns_spanning_places)} PCNs have practices in more than one {place[:-1]}: "
                + ", ".join(r.pcns_spanning_places)
            )
        return "\n".join(lines)
