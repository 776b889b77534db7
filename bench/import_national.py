"""Benchmark the NHS importer on the shared national files against a raw csv + sqlite3 baseline.

    .venv/bin/python bench/import_national.py [--profile]

Three rounds, each on a fresh temporary SQLite database: migrate, import, re-import, then the raw baseline, so
that both sides are sampled over the same stretch of time (other processes share the machine). Prints one JSON
object of medians over the rounds: import_s (first import into an empty register), reimport_s (the same files
again: nothing changes), raw_baseline_s (csv-parse both files and executemany the practices, PCNs and list
sizes into plain tables of a separate SQLite file), ratio (import_s / raw_baseline_s), rows (rows the baseline
inserts), rounds (each round's import_s, reimport_s and raw_baseline_s) and stages_s (seconds per import
stage, from the round with the median import). The goal is ratio <= 3 and reimport_s <= import_s.
With --profile, an extra first round profiles the import and re-import (to stderr); it is not in the figures.
"""

import csv
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 3
ROOT = Path(__file__).resolve().parent.parent
NHS_DIR = Path(os.environ.get("PCNDEV_NHS_DATA_DIR", ROOT.parent / "shared" / "data" / "nhs"))
MAPPING = NHS_DIR / "gp-reg-pat-prac-map-2022-01.csv"
LIST_SIZES = NHS_DIR / "gp-reg-pat-prac-all-2021-01.csv"


def raw_baseline(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    with MAPPING.open(newline="", encoding="utf-8") as f:
        mapping = list(csv.DictReader(f))
    with LIST_SIZES.open(newline="", encoding="utf-8") as f:
        sizes = [r for r in csv.DictReader(f) if r["SEX"] == "ALL" and r["AGE"] == "ALL"]
    practices = [
        (r["PRACTICE_CODE"], r["PRACTICE_NAME"], r["PRACTICE_POSTCODE"], r["CCG_CODE"]) for r in mapping
    ]
    pcns = list(
        {r["PCN_CODE"]: (r["PCN_CODE"], r["PCN_NAME"]) for r in mapping if r["PCN_CODE"] != "U"}.values()
    )
    list_sizes = [(r["CODE"], r["EXTRACT_DATE"], int(r["NUMBER_OF_PATIENTS"])) for r in sizes]
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    with db:
        db.execute("CREATE TABLE practice (code TEXT PRIMARY KEY, name TEXT, postcode TEXT, place TEXT)")
        db.execute("CREATE TABLE pcn (code TEXT PRIMARY KEY, name TEXT)")
        db.execute("CREATE TABLE list_size (code TEXT, as_of TEXT, patients INTEGER, UNIQUE (code, as_of))")
        db.executemany("INSERT INTO practice VALUES (?, ?, ?, ?)", practices)
        db.executemany("INSERT INTO pcn VALUES (?, ?)", pcns)
        db.executemany("INSERT INTO list_size VALUES (?, ?, ?)", list_sizes)
    db.close()
    return time.perf_counter() - started, len(practices) + len(pcns) + len(list_sizes)


def main() -> int:
    if not (MAPPING.exists() and LIST_SIZES.exists()):
        print(f"shared NHS files not found at {NHS_DIR}", file=sys.stderr)
        return 2
    profile = "--profile" in sys.argv
    tmp = Path(tempfile.mkdtemp(prefix="pcndev-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("PCNDEV_SECRET_KEY", "benchmark-only-secret-key")
    os.environ["DJANGO_SETTINGS_MODULE"] = "pcndev.config.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from pcndev.orgs.importers import import_nhs_files

    def timed(label: str, stages: dict, profile: bool) -> float:
        marks: list[tuple[str, float]] = []
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        import_nhs_files(
            MAPPING, LIST_SIZES, progress=lambda stage: marks.append((stage, time.perf_counter()))
        )
        elapsed = time.perf_counter() - started
        ends = [t for _, t in marks[1:]] + [started + elapsed]
        stages[label] = {stage: round(end - t, 3) for (stage, t), end in zip(marks, ends, strict=True)}
        if profile:
            profiler.disable()
            print(f"--- {label} ---", file=sys.stderr)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(
                os.environ.get("BENCH_SORT", "cumulative")
            ).print_stats(35)
        return elapsed

    rounds = []
    for n in range(ROUNDS + profile):
        connection.close()
        connection.settings_dict["NAME"] = str(tmp / f"bench{n}.sqlite3")  # a fresh database
        call_command("migrate", verbosity=0)
        stages: dict[str, dict[str, float]] = {}
        profiled = profile and n == 0
        import_s = timed("import", stages, profiled)
        reimport_s = timed("re-import", stages, profiled)
        raw_s, rows = raw_baseline(tmp / f"raw{n}.sqlite3")
        if not profiled:
            rounds.append((import_s, reimport_s, raw_s, stages))
    median_import = sorted(rounds, key=lambda r: r[0])[ROUNDS // 2]
    import_s, reimport_s, raw_s = (statistics.median(r[i] for r in rounds) for i in range(3))
    print(
        json.dumps(
            {
                "import_s": round(import_s, 3),
                "reimport_s": round(reimport_s, 3),
                "raw_baseline_s": round(raw_s, 3),
                "ratio": round(import_s / raw_s, 2),
                "rows": rows,
                "rounds": [[round(t, 3) for t in r[:3]] for r in rounds],
                "stages_s": median_import[3],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
