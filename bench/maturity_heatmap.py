"""Benchmark the national maturity heatmap and a PCN's results page (with its benchmark) on the national register.

    .venv/bin/python bench/maturity_heatmap.py [--profile]

Imports the shared NHS Digital files into a fresh temporary SQLite database, loads the default matrix, opens a
national round and gives every PCN a rating of all 20 elements from each member practice plus a submitted
consensus with its development needs (seeded random stages, target never below current; setting up is not
timed). Then renders, through the Django test client, the national heatmap as a national admin and one PCN's
results page (which carries the benchmark against place, system and national medians) as its clinical
director, best of 3 each. Prints one JSON object: ratings (Rating rows), heatmap_s, benchmark_s, queries
(page -> queries per request) and pcns. The goal is heatmap_s < 1 and benchmark_s < 0.5.
"""

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
RUNS = 3
SEED = 2019
PRIORITIES = ("high", "medium", "low")


def _stages(rng: random.Random, stages: int) -> tuple[int, int]:
    current = rng.randrange(stages)
    return current, min(stages - 1, current + rng.choice((0, 0, 1, 1, 2)))


def build(rng: random.Random):
    """The national round: every PCN's practice ratings and submitted consensus, a national admin and one PCN's CD.

    Returns (round, admin, cd, the CD's PCN, PCN count, Rating rows).
    """
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from pcndev.accounts.models import Role, User
    from pcndev.accounts.roles import grant_role
    from pcndev.maturity.assessing import write_needs
    from pcndev.maturity.models import AssessmentRound, ConsensusRating, PCNAssessment, Rating, Response
    from pcndev.maturity.templates import default_template
    from pcndev.orgs.models import PCN, PracticeMembership

    template = default_template()
    elements = list(template.elements.select_related("area").order_by("area__position", "position"))
    by_id = {e.id: e for e in elements}
    stages = template.stages.count()
    rnd = AssessmentRound.objects.create(
        name="September 2019 (national)",
        template=template,
        financial_year=2019,
        opens_on=datetime.date(2019, 9, 1),
        closes_on=datetime.date(2019, 9, 30),
    )
    pcns = list(PCN.objects.order_by("code"))
    members: dict[int, list[int]] = {}
    for practice_id, pcn_id in (
        PracticeMembership.objects.current()
        .order_by("pcn_id", "practice_id")
        .values_list("practice_id", "pcn_id")
    ):
        members.setdefault(pcn_id, []).append(practice_id)
    now = timezone.now()

    def fields(current: int, target: int) -> dict:
        return {
            "current_stage": current,
            "target_stage": target,
            "priority": rng.choice(PRIORITIES) if target > current else "",
            "support_needed": "Facilitation and backfill" if target > current else "",
            "cost_pence": rng.randrange(0, 20_000) * 100 if target > current else None,
        }

    with transaction.atomic():
        assessments = PCNAssessment.objects.bulk_create(
            PCNAssessment(
                round=rnd,
                pcn=p,
                status=PCNAssessment.Status.SUBMITTED,
                improvement_priority="Frail older people",
                submitted_at=now,
            )
            for p in pcns
        )
        responses = Response.objects.bulk_create(
            Response(assessment=a, practice_id=pr, status=Response.Status.SUBMITTED, submitted_at=now)
            for a in assessments
            for pr in members.get(a.pcn_id, [])
        )
        Rating.objects.bulk_create(
            (
                Rating(response=r, element=e, **fields(*_stages(rng, stages)))
                for r in responses
                for e in elements
            ),
            batch_size=5000,
        )
        ConsensusRating.objects.bulk_create(
            (
                ConsensusRating(assessment=a, element=e, **fields(*_stages(rng, stages)))
                for a in assessments
                for e in elements
            ),
            batch_size=5000,
        )
        for a in assessments:
            write_needs(a, by_id)
    admin = User.objects.create_user(email="national@bench.example", password="bench-only-password-1")
    grant_role(admin, Role.NATIONAL_ADMIN)
    cd_pcn = pcns[len(pcns) // 2]
    cd = User.objects.create_user(email="cd@bench.example", password="bench-only-password-1")
    grant_role(cd, Role.PCN_CD, cd_pcn)
    return rnd, admin, cd, cd_pcn, len(pcns), Rating.objects.count()


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
    # collectstatic has not run; the pages need no static files
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from pcndev.orgs.importers import import_nhs_files

    setup_test_environment()
    call_command("migrate", verbosity=0)
    import_nhs_files(MAPPING, LIST_SIZES)
    rnd, admin, cd, cd_pcn, pcns, ratings = build(random.Random(SEED))

    pages = {
        "heatmap": (admin, reverse("maturity:heatmap", args=[rnd.pk])),
        "benchmark": (cd, reverse("maturity:results", args=[rnd.pk, cd_pcn.code])),
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
            started = time.perf_counter()
            client.get(url)
            best = min(best, time.perf_counter() - started)
        times[name] = best
    print(
        json.dumps(
            {
                "ratings": ratings,
                "heatmap_s": round(times["heatmap"], 3),
                "benchmark_s": round(times["benchmark"], 3),
                "queries": queries,
                "pcns": pcns,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
