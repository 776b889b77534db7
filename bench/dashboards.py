"""Benchmark the national and a place's dashboard over the national register with a full year of reviews.

    .venv/bin/python bench/dashboards.py [--profile]

Imports the shared NHS Digital files into a fresh temporary SQLite database, allocates £43.5m nationally by list
size, gives every PCN a September self-assessment and a March re-assessment (submitted consensus on all 20
elements), a support plan with four initiatives (most in delivery, some closed or just released), its money in the
ledger (commitment, release, spend) and a full year of monthly progress reviews, October to March (six per PCN),
with an update for every initiative and mixed RAG ratings; a third of the March reviews are still drafts, so
they are overdue. Everything is bulk-inserted (setting up is not timed). Then renders, through the Django test
client, the national dashboard as a national admin and the dashboard of the place with the most PCNs as its
place lead, best of 3 each (the first, untimed request warms the chart renderer; the SVG it keeps is dropped
before each timed request, so the charts are rendered every time). Prints one JSON object:
national_dashboard_s, place_dashboard_s, queries (per request), pcns, reviews, updates, place_pcns and calibration_ms
(as in bench/papers.py: a fixed loop's best time, to show how loaded the machine was). The goal is
national_dashboard_s well under 1.
"""

import datetime
import json
import os
import random
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NHS_DIR = Path(os.environ.get("PCNDEV_NHS_DATA_DIR") or ROOT.parent / "shared" / "data" / "nhs")
MAPPING = NHS_DIR / "gp-reg-pat-prac-map-2022-01.csv"
LIST_SIZES = NHS_DIR / "gp-reg-pat-prac-all-2021-01.csv"
POT = 4_350_000_000  # £43.5m in pence
YEAR = 2019
RUNS = 3
SEED = 2019
INITIATIVES = 4
REVIEW_DUES = [datetime.date(2019, 10, 31), datetime.date(2019, 11, 30), datetime.date(2019, 12, 31)] + [
    datetime.date(2020, 1, 31),
    datetime.date(2020, 2, 29),
    datetime.date(2020, 3, 31),
]
RAGS = ("green", "green", "green", "amber", "amber", "red", "")


def _assessments(rng, pcns):
    """A September baseline and a March re-assessment, each with every PCN's submitted consensus."""
    from django.utils import timezone

    from pcndev.maturity.models import AssessmentRound, ConsensusRating, PCNAssessment
    from pcndev.maturity.templates import default_template

    template = default_template()
    elements = list(template.elements.all())
    now = timezone.now()
    rounds = []
    for name, opens, baseline in (
        ("September 2019", datetime.date(2019, 9, 1), None),
        ("March 2020 re-assessment", datetime.date(2020, 3, 1), True),
    ):
        rounds.append(
            AssessmentRound.objects.create(
                name=name,
                template=template,
                financial_year=YEAR,
                opens_on=opens,
                closes_on=opens + datetime.timedelta(days=27),
                baseline=rounds[0] if baseline else None,
            )
        )
    for step, rnd in enumerate(rounds):
        assessments = PCNAssessment.objects.bulk_create(
            PCNAssessment(
                round=rnd, pcn=p, status="submitted", improvement_priority="Access", submitted_at=now
            )
            for p in pcns
        )
        ConsensusRating.objects.bulk_create(
            (
                ConsensusRating(
                    assessment=a, element=e, current_stage=min(3, rng.randrange(3) + step), target_stage=3
                )
                for a in assessments
                for e in elements
            ),
            batch_size=5000,
        )


def _plans_and_reviews(rng, programme, pcns):
    from pcndev.delivery.review_models import InitiativeUpdate, ProgressReview
    from pcndev.funding.models import LedgerEntry
    from pcndev.plans.models import Initiative, PlanVersion, SupportPlan

    states = [rng.choice(("in_delivery",) * 6 + ("funds_released", "closed")) for _ in pcns]
    plans = SupportPlan.objects.bulk_create(SupportPlan(programme=programme, pcn=p) for p in pcns)
    versions = PlanVersion.objects.bulk_create(
        PlanVersion(plan=plan, number=1, state=s, improvement_priority="Access")
        for plan, s in zip(plans, states, strict=True)
    )
    initiatives = Initiative.objects.bulk_create(
        (
            Initiative(
                version=v,
                position=n,
                title=f"Initiative {n + 1}",
                cost_pence=500_000,
                existing_funds_checked=True,
            )
            for v in versions
            for n in range(INITIATIVES)
        ),
        batch_size=5000,
    )
    by_version: dict[int, list] = {}
    for i in initiatives:
        by_version.setdefault(i.version_id, []).append(i)
    reviews = ProgressReview.objects.bulk_create(
        (
            ProgressReview(
                plan=v.plan,
                version=v,
                due=due,
                state="draft" if n == 5 and k % 3 == 0 else "submitted",
                meeting_date=due,
            )
            for k, v in enumerate(versions)
            for n, due in enumerate(REVIEW_DUES)
        ),
        batch_size=5000,
    )
    InitiativeUpdate.objects.bulk_create(
        (
            InitiativeUpdate(
                review=r,
                initiative=i,
                status="in_progress",
                rag=rng.choice(RAGS),
                spend_to_date_pence=50_000 * (1 + REVIEW_DUES.index(r.due)),
            )
            for r in reviews
            for i in by_version[r.version_id]
        ),
        batch_size=5000,
    )
    day = datetime.date(2019, 12, 1)
    LedgerEntry.objects.bulk_create(
        (
            LedgerEntry(programme=programme, pcn=p, kind=kind, amount_pence=amount, entry_date=day)
            for p in pcns
            for kind, amount in (("commitment", 500_000), ("release", 500_000), ("spend", 300_000))
        ),
        batch_size=5000,
    )
    return len(reviews), InitiativeUpdate.objects.count()


def build(rng):
    from django.db import transaction
    from django.db.models import Count, Max

    from pcndev.accounts.models import Role, User
    from pcndev.accounts.roles import grant_role
    from pcndev.funding.allocating import preview, save_run
    from pcndev.funding.programmes import create_programme
    from pcndev.orgs.models import PCN, ListSize, Place

    as_of = ListSize.objects.aggregate(d=Max("as_of"))["d"]
    programme = create_programme("PCN development support", YEAR, POT, as_of)
    save_run(programme, preview(POT, "national", "list-size", as_of))
    pcns = list(PCN.objects.order_by("code"))
    with transaction.atomic():
        _assessments(rng, pcns)
        reviews, updates = _plans_and_reviews(rng, programme, pcns)
    place = Place.objects.annotate(n=Count("pcns")).order_by("-n", "code").first()
    admin = User.objects.create_user(email="national@bench.example", password="bench-only-password-1")
    grant_role(admin, Role.NATIONAL_ADMIN)
    lead = User.objects.create_user(email="place@bench.example", password="bench-only-password-1")
    grant_role(lead, Role.PLACE_LEAD, place)
    return programme, place, admin, lead, len(pcns), reviews, updates


def calibration_ms() -> float:
    """Best of 5 of a fixed pure-Python loop (about 10-15 ms on an idle machine): a loaded machine shows here."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        sum(range(10**6))
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> int:
    if not (MAPPING.exists() and LIST_SIZES.exists()):
        print(f"shared NHS files not found at {NHS_DIR}", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="pcndev-bench-"))
    try:
        return run(tmp, profile="--profile" in sys.argv)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(tmp: Path, profile: bool) -> int:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("PCNDEV_SECRET_KEY", "benchmark-only-secret-key")
    os.environ["PCNDEV_HTTPS"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "pcndev.config.settings"
    sys.path.insert(0, str(ROOT / "src"))
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # collectstatic has not run
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from pcndev.dashboards import charts
    from pcndev.orgs.importers import import_nhs_files

    setup_test_environment()
    call_command("migrate", verbosity=0)
    import_nhs_files(MAPPING, LIST_SIZES)
    programme, place, admin, lead, pcns, reviews, updates = build(random.Random(SEED))
    pages = {
        "national": (admin, reverse("dashboards:national", args=[programme.pk])),
        "place": (lead, reverse("dashboards:node", args=[programme.pk, "place", place.code])),
    }
    times, queries = {}, {}
    for name, (user, url) in pages.items():
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            print(f"{name}: {url} answered {response.status_code}", file=sys.stderr)
            return 1
        queries[name] = len(captured.captured_queries)
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(client.get, url)
            print(f"--- {name} ---", file=sys.stderr)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(
                os.environ.get("BENCH_SORT", "cumulative")
            ).print_stats(30)
        best = float("inf")
        for _ in range(RUNS):
            charts._bars.cache_clear()
            cache.clear()  # time the charts' rendering too, not the kept SVG
            started = time.perf_counter()
            client.get(url)
            best = min(best, time.perf_counter() - started)
        times[name] = best
    print(
        json.dumps(
            {
                "national_dashboard_s": round(times["national"], 3),
                "place_dashboard_s": round(times["place"], 3),
                "queries": queries,
                "pcns": pcns,
                "reviews": reviews,
                "updates": updates,
                "place_pcns": place.pcns.count(),
                "calibration_ms": round(calibration_ms(), 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
