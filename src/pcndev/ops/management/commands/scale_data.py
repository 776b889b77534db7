"""`pcndev scale-data --from-shared [--factor K] [--seed N] [--audit-rows N] [--force] [--json]`.

Builds a national year of data on the real organisation tree from NHS Digital's files in settings.NHS_DATA_DIR
(PCNDEV_NHS_DATA_DIR): see `pcndev.ops.scale_data`. Refuses a database that holds data unless --force, which
deletes all of it first. Shows a rich progress bar per stage on a terminal and ends with a summary (or
--json).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from pcndev.ops.scale_common import Reporter, RichReporter
from pcndev.ops.scale_data import AUDIT_ROWS, MAX_FACTOR, ScaleError, build


class Command(BaseCommand):
    help = (
        "Build a national-scale year of data (programme, self-assessment, plans, reviews, audit) for benches."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from-shared",
            action="store_true",
            help="build on the national register from the NHS Digital files in NHS_DATA_DIR (required)",
        )
        parser.add_argument(
            "--factor",
            type=int,
            default=1,
            help=f"multiply the PCNs and practices (1-{MAX_FACTOR}, default 1)",
        )
        parser.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")
        parser.add_argument(
            "--audit-rows",
            type=int,
            default=None,
            help=f"audit events to reach in all (default {AUDIT_ROWS:,} × factor; 0: only those the data implies)",
        )
        parser.add_argument("--force", action="store_true", help="delete all data in the database first")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print one JSON summary instead of a table"
        )

    def handle(self, *args, from_shared, factor, seed, audit_rows, force, as_json, **options):
        if not from_shared:
            raise CommandError(
                "Say where the organisations come from: --from-shared builds on the NHS Digital files in "
                "NHS_DATA_DIR (set PCNDEV_NHS_DATA_DIR to their folder)."
            )
        out = getattr(self.stdout, "_out", self.stdout)
        interactive = not as_json and options["verbosity"] >= 1 and out.isatty()
        if interactive:
            from rich.console import Console

            console = Console(file=out)
            reporter = RichReporter(console)
        else:
            console = None
            reporter = Reporter(self.stdout.write if options["verbosity"] >= 2 and not as_json else None)
        try:
            if interactive:
                with reporter:
                    summary = build(factor, seed, force, audit_rows, reporter)
            else:
                summary = build(factor, seed, force, audit_rows, reporter)
        except ScaleError as exc:
            raise CommandError(str(exc)) from None
        if as_json:
            self.stdout.write(json.dumps(summary.as_dict()))
        elif console is not None:
            console.print(_table(summary))
        elif options["verbosity"] >= 1:
            self.stdout.write(_plain(summary))


def _table(summary):
    from rich.table import Table

    table = Table(
        title=f"scale-data: factor {summary.factor} on {summary.database} in {summary.total_s:.1f} s"
    )
    table.add_column("Stage")
    table.add_column("Seconds", justify="right")
    for stage, seconds in summary.stages_s.items():
        table.add_row(stage, f"{seconds:.1f}")
    table.add_section()
    for name, n in summary.counts.items():
        table.add_row(name.replace("_", " "), f"{n:,}")
    return table


def _plain(summary) -> str:
    lines = [
        f"Built factor {summary.factor} on {summary.database} in {summary.total_s:.1f} s (seed {summary.seed})."
    ]
    lines += [f"  {stage}: {seconds:.1f} s" for stage, seconds in summary.stages_s.items()]
    lines.append("  " + ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in summary.counts.items()))
    return "\n".join(lines)
