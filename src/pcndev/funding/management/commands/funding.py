"""`pcndev funding allocate …` (preview or save an allocation) and `pcndev funding programme …` (create one)."""

import argparse
import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from pcndev.config.formatting import format_count, format_pence
from pcndev.funding.allocating import as_json, preview, save_run
from pcndev.funding.models import Programme
from pcndev.funding.programmes import ProgrammeError, create_programme, percent_to_bp, pounds_to_pence


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2019-04-01") from None


class Command(BaseCommand):
    help = "Development-support funding: programmes and allocations."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        alloc = sub.add_parser("allocate", help="Allocate a total down the tree (a preview unless --save).")
        alloc.add_argument("--total", required=True, help="Pounds, e.g. 43500000")
        alloc.add_argument("--scope", required=True, help="national, a system ODS code, or a place code")
        alloc.add_argument("--basis", default="list-size", help="list-size, equal or blend:N (N%% equal)")
        alloc.add_argument("--as-of", required=True, type=_date, help="list-size date, YYYY-MM-DD")
        alloc.add_argument("--cd-share", default="10", help="CD development share in percent (default 10)")
        alloc.add_argument("--cd-split", default="per-pcn", choices=["per-pcn", "per-cd", "list-size"])
        alloc.add_argument("--save", action="store_true", help="store the run and post it to the ledger")
        alloc.add_argument("--programme", help="programme name (with --save)")
        alloc.add_argument("--json", action="store_true", help="print one JSON object")
        prog = sub.add_parser("programme", help="Create a programme.")
        prog.add_argument("--name", required=True)
        prog.add_argument("--year", required=True, type=int, help="the April it starts: 2019 for 2019/20")
        prog.add_argument("--total", required=True, help="national total in pounds")
        prog.add_argument("--as-of", required=True, type=_date, help="list-size date used")
        prog.add_argument("--cd-share", default="10")
        prog.add_argument("--cd-split", default="per-pcn", choices=["per-pcn", "per-cd", "list-size"])
        prog.add_argument("--basis", default="list-size")

    def handle(self, *args, action, **o):
        try:
            if action == "programme":
                return self._programme(o)
            return self._allocate(o)
        except (ProgrammeError, ValueError) as exc:
            raise CommandError(str(exc)) from None

    def _programme(self, o):
        programme = create_programme(
            o["name"],
            o["year"],
            pounds_to_pence(o["total"]),
            o["as_of"],
            percent_to_bp(o["cd_share"]),
            o["cd_split"],
            o["basis"],
        )
        self.stdout.write(f"Created {programme} with {programme.priorities.count()} priorities")

    def _allocate(self, o):
        if o["save"] and not o["programme"]:
            raise CommandError("--save needs --programme NAME")
        programme = None
        if o["save"]:
            programme = Programme.objects.filter(name=o["programme"]).order_by("-financial_year").first()
            if programme is None:
                raise CommandError(
                    f"No programme called {o['programme']!r}; create it with `pcndev funding programme`"
                )
        result = preview(
            pounds_to_pence(o["total"]),
            o["scope"],
            o["basis"],
            o["as_of"],
            percent_to_bp(o["cd_share"]),
            o["cd_split"],
        )
        if programme:
            run = save_run(programme, result)
            self.stderr.write(f"Saved {run}")
        if o["json"]:
            self.stdout.write(json.dumps(as_json(result)))
            return
        for row in result.allocation.rows:
            indent = {"system": "", "place": "  ", "pcn": "    "}[row.level]
            self.stdout.write(
                f"{indent}{row.name} ({row.code}): {format_pence(row.total_pence)} [{format_count(row.list_size)} patients]"
            )
        self.stdout.write(
            f"Total {format_pence(result.allocation.total_pence)}; practices not in a PCN: {result.unallocated['practices']}"
        )
