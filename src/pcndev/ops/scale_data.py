"""`pcndev scale-data --from-shared`: a national year of PCN development support, for load and scaling tests.

On top of the real national organisation tree imported from NHS Digital's files (settings.NHS_DATA_DIR,
through the ordinary importer) it builds, in one transaction:

1. payees, a clinical director per PCN (some job shares) and users with roles at every level (`scale_orgs`);
2. the 2019/20 programme, £43.5m allocated nationally by list size with the allocation engine, and local
   top-ups from a few places (the funding services themselves);
3. a September self-assessment round in which every practice rated, with each PCN's consensus and needs
   (`scale_maturity`);
4. a plan per PCN with 5-10 initiatives and output measures, in the states the year leaves them, with
   sign-offs, committee approvals, releases and their ledger entries, and CD development plans
   (`scale_plans`);
5. monthly reviews October to March with an update per initiative and the spend they report in the ledger
   (`scale_reviews`);
6. the audit trail of all that, about a million events by default (`scale_audit`).

`factor` K > 1 first copies every PCN and practice K-1 times under the same places (`scale_orgs.multiply`), so
everything after grows K-fold. The same seed gives the same data. It refuses a database that holds data unless
`force`, which deletes all of it first (the audit trail too: its append-only triggers are suspended for that,
inside the same transaction, as a restore does).
"""

import datetime
import random
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Max

from pcndev.accounts.models import User
from pcndev.audit.models import AuditEvent
from pcndev.delivery.review_models import InitiativeUpdate, ProgressReview
from pcndev.funding.allocating import preview, save_run
from pcndev.funding.models import LedgerEntry
from pcndev.funding.programmes import create_programme
from pcndev.funding.top_ups import add_top_up
from pcndev.maturity.models import Rating
from pcndev.ops.scale_audit import write_audit
from pcndev.ops.scale_common import Bulk, Reporter
from pcndev.ops.scale_maturity import build_round
from pcndev.ops.scale_orgs import ScaleError, import_tree, multiply, payees, people, shared_files
from pcndev.ops.scale_plans import build_plans
from pcndev.ops.scale_reviews import build_reviews
from pcndev.ops.tables import backup_tables, cleared_on_restore, data_tables
from pcndev.ops.triggers import triggers_suspended
from pcndev.orgs.models import PCN, ListSize, Place, Practice
from pcndev.plans.models import Initiative, SupportPlan

POT = 4_350_000_000  # £43.5m in pence
YEAR = 2019
AUDIT_ROWS = 1_000_000  # per factor
MAX_FACTOR = 20
WORLD_STARTS = datetime.datetime(2019, 7, 1, 9, tzinfo=datetime.UTC)

__all__ = ["ScaleError", "Summary", "build", "occupied_tables"]


@dataclass
class Summary:
    factor: int
    seed: int
    database: str
    counts: dict[str, int] = field(default_factory=dict)
    stages_s: dict[str, float] = field(default_factory=dict)
    total_s: float = 0.0
    programme_id: int | None = None
    round_id: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def occupied_tables(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The tables holding rows (content types and permissions, which `migrate` fills, do not count)."""
    return [s.table for s in data_tables(backup_tables()) if s.model._base_manager.using(using).exists()]


def _clear(using: str) -> None:
    connection = connections[using]
    present = set(connection.introspection.table_names())
    tables = [s.table for s in data_tables(backup_tables())] + sorted(
        t for t in cleared_on_restore() if t in present
    )
    connection.check_constraints()  # PostgreSQL cannot disable a trigger while deferred checks are pending
    with triggers_suspended(connection, tables), connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(no_style(), tables, reset_sequences=True):
            cursor.execute(sql)


@contextmanager
def _big_cache(using: str):
    """SQLite keeps 2 MB of pages by default; the audit table's indexes then make inserts read from disk."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -400000")  # 400 MB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def build(
    factor: int = 1,
    seed: int = 2019,
    force: bool = False,
    audit_rows: int | None = None,
    reporter: Reporter | None = None,
    directory=None,
    using: str = DEFAULT_DB_ALIAS,
) -> Summary:
    if not 1 <= factor <= MAX_FACTOR:
        raise ScaleError(f"--factor must be between 1 and {MAX_FACTOR} (got {factor})")
    shared_files(directory)  # before anything is touched
    occupied = occupied_tables(using)
    if occupied and not force:
        shown = ", ".join(occupied[:3]) + (f" and {len(occupied) - 3} more" if len(occupied) > 3 else "")
        raise ScaleError(
            f"The database is not empty ({len(occupied)} tables hold rows: {shown}). scale-data builds a national "
            "dataset from nothing; nothing was changed. Use --force to delete all of its data first."
        )
    reporter = reporter or Reporter()
    rng = random.Random(seed)
    summary = Summary(factor, seed, connections[using].vendor)
    started = time.perf_counter()
    with _big_cache(using), transaction.atomic(using=using):
        if occupied:
            with reporter.stage("Deleting the data already there"):
                _clear(using)
        bulk = Bulk(WORLD_STARTS, using, reporter)
        _stages(bulk, rng, factor, audit_rows, reporter, directory, summary)
        bulk.finish()
    if connections[using].vendor == "postgresql":
        with reporter.stage("Updating the planner's statistics"), connections[using].cursor() as cursor:
            cursor.execute("ANALYZE")
    summary.total_s = round(time.perf_counter() - started, 2)
    summary.stages_s = dict(reporter.timings)
    summary.counts = _counts()
    return summary


def _stages(bulk, rng, factor, audit_rows, reporter, directory, summary) -> None:
    with reporter.stage("Importing the national register"):
        import_tree(directory)
    if factor > 1:
        with reporter.stage(f"Copying PCNs and practices (factor {factor})"):
            multiply(bulk, factor)
    with reporter.stage("Payees, clinical directors and users"):
        payees(bulk, rng)
        who = people(bulk, rng, WORLD_STARTS)
    with reporter.stage("Programme, allocation and top-ups"):
        programme, run = _money(rng, who)
        summary.programme_id = programme.pk
    with reporter.stage("September self-assessment"):
        round_facts = build_round(bulk, rng, programme, who)
        summary.round_id = round_facts.round.pk
    with reporter.stage("Support plans, committee approvals, releases"):
        plan_facts = build_plans(bulk, rng, programme, run, round_facts, who)
    with reporter.stage("Monthly reviews and reported spend"):
        review_facts = build_reviews(bulk, rng, programme, plan_facts)
    with reporter.stage("Audit trail"):
        target = AUDIT_ROWS * factor if audit_rows is None else audit_rows
        write_audit(bulk, rng, who, round_facts, plan_facts, review_facts, target)


def _money(rng, who):
    admin = User.objects.get(pk=who.admins[0])
    as_of = ListSize.objects.aggregate(d=Max("as_of"))["d"]
    programme = create_programme("PCN development support", YEAR, POT, as_of, user=admin)
    run = save_run(programme, preview(POT, "national", "list-size", as_of), admin)
    places = list(Place.objects.filter(pcns__isnull=False).distinct().order_by("code"))
    for place in rng.sample(places, max(1, len(places) // 12)):
        amount = rng.randint(20, 60) * 1_000_00 * max(1, place.pcns.count() // 4)
        add_top_up(programme, place, amount, "CCG primary care development budget", user=admin)
    return programme, run


def _counts() -> dict[str, int]:
    models = {
        "pcns": PCN,
        "practices": Practice,
        "users": User,
        "ratings": Rating,
        "plans": SupportPlan,
        "initiatives": Initiative,
        "reviews": ProgressReview,
        "updates": InitiativeUpdate,
        "ledger_entries": LedgerEntry,
        "audit_events": AuditEvent,
    }
    return {name: model.objects.count() for name, model in models.items()}
