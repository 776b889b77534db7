"""Benchmark the committee paper (DOCX and PDF) for the largest place in the national register.

    .venv/bin/python bench/papers.py [--profile]

--profile prints a cProfile of one generation of each (shared and distinct, DOCX and PDF) to stderr, untimed.

Imports the shared NHS Digital files into a fresh temporary SQLite database, allocates £43.5m nationally by list
size, finds the place with the most PCNs and gives each of its PCNs a submitted support plan with five
initiatives (one per maturity area, one or two output measures each) and a payee (setting up is not timed).
Then times generating the paper from the database, data assembly included: build_paper + render_docx, and
build_paper + render_pdf, best of 3 each. Prints one JSON object: docx_s, pdf_s, pcns (in the place),
initiatives, pdf_pages, queries (per generation), place and calibration_ms (best of 5 of a fixed pure-Python
loop, sum(range(10**6)): about 10-15 ms on an idle current machine, so a loaded or slow machine shows as a
larger figure). The goal is docx_s < 2 and pdf_s < 2.

Every PCN here takes up the same five Kingston initiatives, so the paper lists each once with the PCNs that share
it, as the Kingston paper did. docx_distinct_s, pdf_distinct_s and pdf_distinct_pages time the worst case too:
the same plans with every initiative's title made unique, so each of the place's initiatives is listed on its own.
"""

import io
import json
import os
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
RUNS = 3
INITIATIVES = [  # (title, support required, output measures), after the Kingston paper's initiatives
    (
        "Clinical director leadership development",
        "Clinical directors to access coaching and personal leadership development support to enhance "
        "personal development and leadership within the local system.",
        [
            ("Coaching sessions completed by each clinical director", "6"),
            ("Personal development plan agreed", "1"),
        ],
    ),
    (
        "Population analytics",
        "Identify existing resources and products, and procure the expertise needed to use the data and "
        "interpret it into meaningful information for decisions on behalf of the community.",
        [("Population health profile published for the PCN", "1")],
    ),
    (
        "PCN interfacing and system connectivity",
        "Understand the level of clinical system connectivity in place and develop a plan to enhance it, "
        "to support network-wide services from April 2020.",
        [("Connectivity plan agreed by member practices", "1"), ("Practices sharing records", "all")],
    ),
    (
        "Preparedness for the 2020/21 DES requirements",
        "Backfill for clinical directors to engage with wider system transformation projects and "
        "programmes outside the DES requirements.",
        [("DES readiness review completed", "1")],
    ),
    (
        "Engaging with local communities and stakeholders",
        "Implement a patient feedback and patient participation group system across the PCN, with new "
        "ways for patients to feed back on local development.",
        [("Patient participation group meetings held", "4"), ("Feedback survey responses", "500")],
    ),
]


def build():
    """Programme, national run, and a submitted plan with five initiatives for every PCN of the largest place."""
    import datetime

    from django.db import transaction
    from django.db.models import Count, Max

    from pcndev.funding.allocating import preview, save_run
    from pcndev.funding.programmes import create_programme
    from pcndev.maturity.templates import default_template
    from pcndev.orgs.models import PCN, ListSize, PayeeOrganisation, Place
    from pcndev.plans.models import Initiative, OutputMeasure, PlanVersion, SupportPlan

    as_of = ListSize.objects.aggregate(d=Max("as_of"))["d"]
    programme = create_programme("PCN development support", 2019, POT, as_of)
    save_run(programme, preview(POT, "national", "list-size", as_of))
    place = Place.objects.annotate(n=Count("pcns")).select_related("system").order_by("-n", "code").first()
    areas = list(default_template().areas.order_by("position"))
    pcns = list(PCN.objects.filter(place=place).order_by("code"))
    due = datetime.date(2020, 3, 31)
    with transaction.atomic():
        payee = PayeeOrganisation.objects.create(name=f"{place.name} GP Federation")
        PCN.objects.filter(place=place).update(payee=payee)
        plans = SupportPlan.objects.bulk_create(SupportPlan(programme=programme, pcn=p) for p in pcns)
        versions = PlanVersion.objects.bulk_create(
            PlanVersion(
                plan=plan,
                number=1,
                state="submitted",
                improvement_priority="Frail older people at home",
                submitted_at=datetime.datetime(2019, 9, 30, tzinfo=datetime.UTC),
            )
            for plan in plans
        )
        specs = [
            (v, n, INITIATIVES[n], areas[n % len(areas)]) for v in versions for n in range(len(INITIATIVES))
        ]
        initiatives = Initiative.objects.bulk_create(
            Initiative(
                version=v,
                position=n,
                title=title,
                area=area,
                support_required=support,
                cost_pence=5_000_00,
                existing_funds_checked=True,
            )
            for v, n, (title, support, _), area in specs
        )
        OutputMeasure.objects.bulk_create(
            OutputMeasure(initiative=i, position=k, description=d, target=t, due=due)
            for i, (_, _, (_, _, measures), _) in zip(initiatives, specs, strict=True)
            for k, (d, t) in enumerate(measures)
        )
    return programme, place, len(pcns), len(initiatives)


def profiled(label: str, generate, render) -> None:
    """One generation under cProfile, its top 30 functions on stderr (BENCH_SORT: cumulative or tottime)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(generate, render)
    print(f"--- {label} ---", file=sys.stderr)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats(
        os.environ.get("BENCH_SORT", "cumulative")
    ).print_stats(30)


def calibration_ms() -> float:
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
    os.environ["DJANGO_SETTINGS_MODULE"] = "pcndev.config.settings"
    sys.path.insert(0, str(ROOT / "src"))
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader

    from pcndev.orgs.importers import import_nhs_files
    from pcndev.orgs.models import Place
    from pcndev.papers.content import build_paper
    from pcndev.papers.docx_paper import render_docx
    from pcndev.papers.pdf_paper import render_pdf

    call_command("migrate", verbosity=0)
    import_nhs_files(MAPPING, LIST_SIZES)
    programme, place, pcns, initiatives = build()

    def generate(render):
        fresh = Place.objects.select_related("system").get(pk=place.pk)
        return render(build_paper(programme, fresh))

    outputs, times, queries = {}, {}, {}
    for name, render in (("docx", render_docx), ("pdf", render_pdf)):
        with CaptureQueriesContext(connection) as captured:
            outputs[name] = generate(render)
        queries[name] = len(captured.captured_queries)
        if profile:
            profiled(name, generate, render)
        best = float("inf")
        for _ in range(RUNS):
            started = time.perf_counter()
            generate(render)
            best = min(best, time.perf_counter() - started)
        times[name] = best
    shared_pages = len(PdfReader(io.BytesIO(outputs["pdf"])).pages)
    # The same PCNs when no two initiatives match, so every one is listed on its own (the worst case).
    from pcndev.plans.models import Initiative

    unique = list(
        Initiative.objects.filter(version__plan__programme=programme).select_related("version__plan__pcn")
    )
    for i in unique:
        i.title = f"{i.title} – {i.version.plan.pcn.code}"
    Initiative.objects.bulk_update(unique, ["title"])
    distinct = {}
    for name, render in (("docx", render_docx), ("pdf", render_pdf)):
        if profile:
            profiled(f"{name}_distinct", generate, render)
        best = float("inf")
        for _ in range(RUNS):
            started = time.perf_counter()
            outputs[f"{name}_distinct"] = generate(render)
            best = min(best, time.perf_counter() - started)
        distinct[name] = best
    print(
        json.dumps(
            {
                "docx_s": round(times["docx"], 3),
                "pdf_s": round(times["pdf"], 3),
                "pcns": pcns,
                "initiatives": initiatives,
                "pdf_pages": shared_pages,
                "docx_distinct_s": round(distinct["docx"], 3),
                "pdf_distinct_s": round(distinct["pdf"], 3),
                "pdf_distinct_pages": len(PdfReader(io.BytesIO(outputs["pdf_distinct"])).pages),
                "queries": queries,
                "place": place.name,
                "calibration_ms": round(calibration_ms(), 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
