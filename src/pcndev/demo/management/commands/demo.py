"""`pcndev demo`: build the fictional demo data (once) and print the demo log-ins."""

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table

from pcndev.demo.build import DEMO_PASSWORD, build_demo, ensure_users
from pcndev.demo.maturity import build_maturity
from pcndev.demo.money import build_money
from pcndev.demo.plans import build_plans


class Command(BaseCommand):
    help = "Build the demo organisations and users (idempotent) and print the log-ins."

    def handle(self, *args, **options):
        built = build_demo()
        logins = ensure_users()
        build_money()
        build_maturity()
        build_plans()
        console = Console(file=self.stdout, width=110)
        console.print("Demo data built." if built else "Demo data already present.")
        table = Table(title=f"Demo log-ins (password for all: {DEMO_PASSWORD})")
        for column in ("Email", "Role", "Where"):
            table.add_column(column)
        for login in logins:
            table.add_row(login.email, login.role, login.where)
        console.print(table)
