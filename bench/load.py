"""Load test: a September-rush mix against `pcndev serve` on PostgreSQL with the national data.

    .venv/bin/python bench/load.py [--duration 60] [--floor-duration 10] [--workers N] [--users N]
                                   [--keep] [--reuse] [--audit-rows N] [--seed N] [--database NAME]

Builds the national data with `pcndev scale-data --from-shared` in the PostgreSQL database pcndev_bench_load
(or --database NAME, so that runs side by side do not drop each other's; dropped afterwards unless --keep; --reuse takes a kept one, migrated again), then prepares the rush: a
self-assessment round open today for every PCN, and sign-ins (one password) for the users it plays: nominated
practice leads of 150 PCNs (rating their practice, area by area), clinical directors of 100 other PCNs
(recording the consensus on every area and submitting), clinical directors of every PCN whose plan is still a
draft or sent back (editing it), every place lead (their dashboard, and CSV / XLSX downloads of their money
and dashboard tables, their heatmap) and the national administrators (the national dashboard, the ledger, an
XLSX download).

It starts `pcndev serve` on 127.0.0.1 (N workers, default 2 × cores + 1, behind a pretend TLS proxy) and runs,
with the same number of virtual users (default 2 × workers) each time: the floor, GET /healthz (the bare view
the app has for load balancers: "ok", no database), for --floor-duration seconds; the mix for --duration
seconds, each virtual user signing in as a free persona of a kind drawn by weight and doing what that user
does until the session ends (closed loop, no think time); then the floor again. For scale it also measures,
half before and half after the mix, the lightest real page: GET /account/sign-in/ (a full NHS page from its
template, no database), and the lightest signed-in page: GET /account/notifications/ (the layout and a short
form; the session and the user read from the database), whose rps over the floor's bounds the ratio any mix of
signed-in pages can reach. Afterwards every acknowledged write (each rating and consensus save answered with its
redirect, each submission, each plan edit) is read back from the database: the last acknowledged values must
be there. Prints one JSON object: mix and floor each with rps, p50_ms, p95_ms, p99_ms, errors and requests;
ratio = mix rps / floor rps; page_floor and ratio_to_page (the same against the sign-in page);
signed_in_floor and its ratio_to_floor; writes
(acknowledged) and lost_writes; by_kind (requests, p50_ms, p95_ms per kind of request); workers, users, cores,
calibration_ms and load_average (how busy the machine was; other work on it competes for the same cores), ok
(0 errors, 0 lost writes). The goal is ratio >= 0.3.
"""

import argparse
import datetime
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402
import _common_load as cl  # noqa: E402

DATABASE = "pcndev_bench_load"
TICKS = os.sysconf("SC_CLK_TCK")
RATING_PCNS, CONSENSUS_PCNS = 150, 100


def prepare(rng: random.Random) -> tuple[cl.World, list[cl.Persona]]:
    """The rush round (open today) and the personas, with the one password set on their users."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from pcndev.accounts.models import Role, User
    from pcndev.funding.models import Programme
    from pcndev.maturity.models import AssessmentRound
    from pcndev.maturity.rounds import create_round
    from pcndev.maturity.templates import default_template
    from pcndev.orgs.models import PCN, ClinicalDirector, PracticeMembership
    from pcndev.plans.models import PlanVersion

    programme = Programme.objects.order_by("id").first()
    september = AssessmentRound.objects.filter(programme=programme).order_by("id").first()
    admins = list(User.objects.filter(role_memberships__role=Role.NATIONAL_ADMIN).order_by("id"))
    today = timezone.localdate()
    template = default_template()
    rush = create_round(
        admins[0],
        f"September rush (load test {timezone.now():%Y-%m-%d %H:%M:%S})",
        template,
        programme.financial_year,
        today - datetime.timedelta(days=7),
        today + datetime.timedelta(days=21),
        "national",
        programme,
    )
    areas = [[e.code for e in a.elements.order_by("position")] for a in template.areas.order_by("position")]
    world = cl.World(programme.pk, september.pk, rush.pk, areas, template.stages.count())
    cd_email = {}
    for pcn_code, email in (
        ClinicalDirector.objects.filter(user__isnull=False)
        .order_by("-share_percent", "id")
        .values_list("pcn__code", "user__email")
    ):
        cd_email.setdefault(pcn_code, email)
    draft = {}
    for v in PlanVersion.objects.filter(state__in=("draft", "changes_requested")).select_related("plan__pcn"):
        draft[v.plan.pcn.code] = v
    members: dict[str, list[tuple[str, str]]] = {}
    leads = dict(
        User.objects.filter(role_memberships__role=Role.PRACTICE_MEMBER).values_list(
            "role_memberships__practice__code", "email"
        )
    )
    for pcn_code, practice_code in PracticeMembership.objects.current().values_list(
        "pcn__code", "practice__code"
    ):
        if practice_code in leads:
            members.setdefault(pcn_code, []).append((practice_code, leads[practice_code]))
    codes = sorted(c for c in PCN.objects.values_list("code", flat=True) if c in cd_email and c not in draft)
    rng.shuffle(codes)
    personas = [
        cl.Persona("practice", email, pcn=pcn, practice=practice)
        for pcn in codes[:RATING_PCNS]
        for practice, email in members.get(pcn, [])
    ]
    personas += [
        cl.Persona("consensus", cd_email[pcn], pcn=pcn)
        for pcn in codes[RATING_PCNS : RATING_PCNS + CONSENSUS_PCNS]
    ]
    personas += [
        cl.Persona("plan", cd_email[code], version=v.pk, needs=tuple(v.needs.values_list("id", flat=True)))
        for code, v in sorted(draft.items())
        if code in cd_email
    ]
    for email, place in User.objects.filter(role_memberships__role=Role.PLACE_LEAD).values_list(
        "email", "role_memberships__place__code"
    ):
        personas.append(cl.Persona("place", email, place=place))
    personas += [cl.Persona("national", a.email) for a in admins]
    password = make_password(cl.PASSWORD)
    User.objects.filter(email__in={p.email for p in personas}).update(password=password)
    return world, personas


def serve(url: str, workers: int, tmp: Path) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = _common.bench_env(
        url,
        PCNDEV_SECRET_KEY=secrets.token_urlsafe(50),
        PCNDEV_DEBUG="0",
        PCNDEV_HTTPS="1",
        PCNDEV_BEHIND_PROXY="1",  # TLS ends at the (pretend) load balancer
        PCNDEV_DATA_DIR=str(tmp),
        PCNDEV_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = open(tmp / "serve.log", "w")  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(
        _common.PCNDEV + ["serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=_common.ROOT,
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}
    )
    for _ in range(300):
        try:
            with urllib.request.urlopen(request, timeout=2) as r:
                if r.status == 200:
                    return server, port
        except OSError:
            time.sleep(0.2)
        if server.poll() is not None:
            break
    server.terminate()
    raise RuntimeError(f"pcndev serve did not start:\n{(tmp / 'serve.log').read_text()[-3000:]}")


class ServerCPU:
    """CPU time used by the server side (gunicorn's master and workers, and the PostgreSQL processes serving the
    database), sampled every 0.2 s per process, so processes that come and go (a connection reopened after
    CONN_MAX_AGE) still count up to their last sample. Unlike rps, it does not depend on how busy the machine is."""

    def __init__(self, server_pid: int, database: str):
        import psycopg

        self.server_pid, self.database, self.seen = server_pid, database, {}
        self.conn = psycopg.connect(f"{_common.PG_SERVER}/postgres", autocommit=True)

    def _pids(self) -> list[int]:
        workers = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == self.server_pid:
                            workers.append(int(entry))
                except (OSError, ValueError, IndexError):
                    pass
        rows = self.conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,))
        return [self.server_pid, *workers, *(r[0] for r in rows)]

    def sample(self) -> int:
        """User and system time so far (ns), from /proc/<pid>/stat: a process's own threads (Argon2's, the chart
        renderer's) included, and those that have exited."""
        for pid in self._pids():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                self.seen[pid] = (int(fields[11]) + int(fields[12])) * 10**9 // TICKS
            except (OSError, ValueError, IndexError):
                pass
        return sum(self.seen.values())

    def during(self, fn, *args) -> tuple[float, float]:
        """Run fn(*args) while sampling; (its result, the server CPU seconds it took)."""
        start, stop = self.sample(), threading.Event()

        def sampler():
            while not stop.wait(0.2):
                self.sample()

        thread = threading.Thread(target=sampler)
        thread.start()
        try:
            result = fn(*args)
        finally:
            stop.set()
            thread.join()
        return result, (self.sample() - start) / 1e9


def run_phase(jobs: list[tuple], seconds: float) -> float:
    """Run each (function, *arguments) in its own thread until `seconds` from now; the time it took."""
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=job[0], args=(*job[1:], until)) for job in jobs]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started


def stats(samples: list[tuple[str, float, bool]], seconds: float) -> dict:
    times = sorted(s for _, s, _ in samples)

    def pct(p: float) -> float:
        return round(times[min(len(times) - 1, int(p * len(times)))] * 1000, 1) if times else 0.0

    return {
        "rps": round(len(samples) / seconds, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "errors": sum(1 for _, _, ok in samples if not ok),
        "requests": len(samples),
    }


def lost_writes(world: cl.World, record: cl.Record) -> tuple[int, int, list[str]]:
    """(acknowledged writes, those not found in the database, examples)."""
    from pcndev.maturity.models import ConsensusRating, PCNAssessment, Rating
    from pcndev.plans.models import PlanVersion

    fields = ("current_stage", "target_stage", "priority", "support_needed", "cost_pence")
    held = {
        (practice, element): (*values, evidence)
        for practice, element, evidence, *values in Rating.objects.filter(
            response__assessment__round_id=world.rush
        ).values_list("response__practice__code", "element__code", "evidence", *fields)
    }
    agreed = {
        (pcn, element): (*values, note)
        for pcn, element, note, *values in ConsensusRating.objects.filter(
            assessment__round_id=world.rush
        ).values_list("assessment__pcn__code", "element__code", "note", *fields)
    }
    submitted = set(
        PCNAssessment.objects.filter(round_id=world.rush, status="submitted").values_list(
            "pcn__code", flat=True
        )
    )
    plans = {
        pk: (p, s) for pk, p, s in PlanVersion.objects.values_list("pk", "improvement_priority", "summary")
    }
    lost = [f"rating {k}" for k, v in record.ratings.items() if held.get(k) != v]
    lost += [f"consensus {k}" for k, v in record.consensus.items() if agreed.get(k) != v]
    lost += [f"submission {c}" for c in record.submitted if c not in submitted]
    lost += [f"plan {k}" for k, v in record.plans.items() if plans.get(k) != v]
    writes = len(record.ratings) + len(record.consensus) + len(record.submitted) + len(record.plans)
    return writes, len(lost), lost[:10]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of the mix (default 60)")
    parser.add_argument("--floor-duration", type=float, default=10, help="seconds of floor, before and after")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--users", type=int, default=0, help="virtual users (default 2 × workers)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true", help="use a kept database (migrated again)")
    parser.add_argument(
        "--audit-rows", type=int, default=None, help="passed to scale-data (default: its own)"
    )
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument(
        "--database", default=DATABASE, help=f"PostgreSQL database to build (default {DATABASE})"
    )
    args = parser.parse_args()
    users = args.users or 2 * args.workers
    reuse = args.reuse and _common.pg_exists(args.database)
    url = _common.pg_database(args.database, fresh=not reuse)
    tmp = Path(tempfile.mkdtemp(prefix="pcndev-load-"))
    server = None
    try:
        if reuse:
            _common.pcndev(["migrate", "-v0"], url)
        else:
            print("building the national data…", file=sys.stderr)
            _common.scale_data(url, 1, args.audit_rows)
        _common.setup_django(url)
        from django.db import connections

        world, personas = prepare(random.Random(args.seed))
        connections.close_all()
        server, port = serve(url, args.workers, tmp)
        calibration = _common.calibration_ms()
        floor_record, page_record, mix_record = cl.Record(), cl.Record(), cl.Record()
        floor = [(cl.floor_user, "127.0.0.1", port, floor_record, "/healthz")] * users
        page = [(cl.floor_user, "127.0.0.1", port, page_record, "/account/sign-in/")] * users
        signed_in_record, lightest = cl.Record(), "/account/notifications/"
        readers = [p.email for p in personas if p.kind == "place"][:users]
        signed_in = [(cl.signed_in_user, "127.0.0.1", port, signed_in_record, e, lightest) for e in readers]
        cpu = ServerCPU(server.pid, args.database)
        (floor_s, floor_cpu) = cpu.during(run_phase, floor, args.floor_duration)
        page_s = run_phase(page, args.floor_duration / 2)
        signed_in_s = run_phase(signed_in, args.floor_duration / 2)
        pool = cl.Pool(personas)
        mix = [
            (cl.virtual_user, "127.0.0.1", port, pool, world, mix_record, args.seed + n) for n in range(users)
        ]
        (mix_s, mix_cpu) = cpu.during(run_phase, mix, args.duration)
        page_s += run_phase(page, args.floor_duration / 2)
        signed_in_s += run_phase(signed_in, args.floor_duration / 2)
        more_s, more_cpu = cpu.during(run_phase, floor, args.floor_duration)
        floor_s, floor_cpu = floor_s + more_s, floor_cpu + more_cpu
        server.terminate()
        server.wait(timeout=60)
        writes, lost, examples = lost_writes(world, mix_record)
        mix, floor = stats(mix_record.samples, mix_s), stats(floor_record.samples, floor_s)
        page_floor = stats(page_record.samples, page_s)
        signed_in_floor = stats(signed_in_record.samples, signed_in_s)
        by_kind = {}
        for kind in sorted({k for k, _, _ in mix_record.samples}):
            by_kind[kind] = stats([s for s in mix_record.samples if s[0] == kind], mix_s)
            by_kind[kind].pop("rps")
        out = {
            "mix": mix,
            "floor": floor | {"path": "/healthz"},
            "ratio": round(mix["rps"] / floor["rps"], 3) if floor["rps"] else None,
            "server_cpu_ms_per_request": {
                "mix": round(mix_cpu * 1000 / max(1, mix["requests"]), 2),
                "floor": round(floor_cpu * 1000 / max(1, floor["requests"]), 3),
            },
            "page_floor": page_floor | {"path": "/account/sign-in/"},
            "ratio_to_page": round(mix["rps"] / page_floor["rps"], 3) if page_floor["rps"] else None,
            "signed_in_floor": signed_in_floor
            | {
                "path": lightest,
                "ratio_to_floor": round(signed_in_floor["rps"] / floor["rps"], 3) if floor["rps"] else None,
            },
            "writes": writes,
            "lost_writes": lost,
            "lost_examples": examples,
            "error_examples": mix_record.errors[:10]
            + floor_record.errors[:5]
            + page_record.errors[:5]
            + signed_in_record.errors[:5],
            "by_kind": by_kind,
            "duration_s": round(mix_s, 1),
            "workers": args.workers,
            "users": users,
            "cores": os.cpu_count(),
            "calibration_ms": calibration,
            "load_average": _common.load_average(),
            "ok": mix["errors"] == floor["errors"] == page_floor["errors"] == signed_in_floor["errors"] == 0
            and lost == 0
            and writes > 0,
        }
        print(json.dumps(out))
        return 0 if out["ok"] else 1
    finally:
        if server is not None and server.poll() is None:
            server.kill()
        if not args.keep:
            _common.drop_pg(args.database)
        if sys.exc_info()[0] is None:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"the server's log is in {tmp / 'serve.log'}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
