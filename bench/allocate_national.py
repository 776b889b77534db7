"""Benchmark the allocation engine on the national PCN inputs from the shared NHS Digital files.

    .venv/bin/python bench/allocate_national.py [--profile]

Loading the files is not timed. Times allocate(£43.5m, 1,254 PCNs, list-size) and the same with blend:50,
best of 20 runs each, and prints one JSON object: allocate_s, pcns, practices, blend_s, allocate_ms_best.
The goal is allocate_ms_best < 50. No Django: the engine is pure Python.
"""

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pcndev.funding.allocation import Basis, allocate, pcn_inputs_from_nhs_csv  # noqa: E402

NHS_DIR = Path(os.environ.get("PCNDEV_NHS_DATA_DIR") or ROOT.parent / "shared" / "data" / "nhs")
MAPPING = NHS_DIR / "gp-reg-pat-prac-map-2022-01.csv"
LIST_SIZES = NHS_DIR / "gp-reg-pat-prac-all-2021-01.csv"
POT = 4_350_000_000  # £43.5m in pence
RUNS = 20


def best_of(runs: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    if not (MAPPING.exists() and LIST_SIZES.exists()):
        print(f"shared NHS files not found at {NHS_DIR}", file=sys.stderr)
        return 2
    national = pcn_inputs_from_nhs_csv(MAPPING, LIST_SIZES)
    pcns = national.pcns
    list_size, blend = Basis.parse("list-size"), Basis.parse("blend:50")
    if "--profile" in sys.argv:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(lambda: [allocate(POT, pcns, list_size) for _ in range(RUNS)])
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(15)
    allocate_s = best_of(RUNS, lambda: allocate(POT, pcns, list_size))
    blend_s = best_of(RUNS, lambda: allocate(POT, pcns, blend))
    result = {
        "allocate_s": round(allocate_s, 6),
        "pcns": len(pcns),
        "practices": sum(len(p.practices) for p in pcns) + national.unallocated_practices,
        "blend_s": round(blend_s, 6),
        "allocate_ms_best": round(allocate_s * 1000, 3),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
