"""`pcndev worker`: run background tasks (committee papers, reminders) from the database queue.

Run one or more on any server with the same environment as `pcndev serve`. A task left RUNNING by a worker that
died is put back on the queue once its lease runs out (pcndev.ops.queue); SIGTERM stops after the current task.
"""

import json
import logging
import os

from django.core.management.base import BaseCommand, CommandError

from pcndev.ops import queue
from pcndev.ops.worker import Worker, default_worker_id


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise ValueError(text)
        return value

    parse.__name__ = kind.__name__
    return parse


class Command(BaseCommand):
    help = "Run queued background tasks; tasks a dead worker left running are put back and run again."
    requires_system_checks = []  # start quickly; `pcndev check` and `pcndev serve --check` cover the checks

    def add_arguments(self, parser):
        parser.add_argument(
            "--queues", default="*", help="comma-separated queues to take tasks from (default: all)"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks at an empty queue"
        )
        parser.add_argument(
            "--lease",
            type=_positive(float),
            default=float(os.environ.get("PCNDEV_WORKER_LEASE", queue.DEFAULT_LEASE_SECONDS)),
            help="seconds without a renewal after which a running task counts as abandoned (default 60)",
        )
        parser.add_argument(
            "--max-attempts",
            type=_positive(int),
            default=queue.DEFAULT_MAX_ATTEMPTS,
            help="claims of one task before it is failed instead of put back (default 3)",
        )
        parser.add_argument("--batch", action="store_true", help="run what is ready, then exit")
        parser.add_argument("--max-tasks", type=_positive(int), help="exit after this many tasks")
        parser.add_argument(
            "--worker-id", default=None, help="a name unique in the pool (default: host-pid-…)"
        )
        parser.add_argument(
            "--status", action="store_true", help="print the queue's counts as JSON and exit (nothing runs)"
        )
        parser.add_argument(
            "--recover", action="store_true", help="only put back tasks whose lease ran out, print JSON, exit"
        )

    def handle(self, *args, **options):
        if options["status"]:
            self.stdout.write(json.dumps(queue.counts()))
            return
        if options["recover"]:
            found = queue.recover(max_attempts=options["max_attempts"])
            self.stdout.write(json.dumps({"requeued": found.requeued, "failed": found.failed}))
            return
        if options["interval"] < 0:
            raise CommandError("--interval must be 0 or more")
        worker_id = options["worker_id"] or default_worker_id()
        if len(worker_id) > 64:
            raise CommandError("--worker-id must be at most 64 characters")
        self._log_to_stdout(options["verbosity"])
        worker = Worker(
            queues=[q.strip() for q in options["queues"].split(",") if q.strip()],
            interval=options["interval"],
            lease_seconds=options["lease"],
            max_attempts=options["max_attempts"],
            batch=options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
        )
        worker.install_signal_handlers()
        done = worker.run()
        if options["verbosity"]:
            self.stdout.write(f"worker {worker.worker_id} ran {done} tasks")

    def _log_to_stdout(self, verbosity: int) -> None:
        level = {0: logging.ERROR, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        for name in ("pcndev.queue", "django_tasks"):
            log = logging.getLogger(name)
            log.setLevel(level)
            if not log.handlers:
                handler = logging.StreamHandler(self.stdout)
                handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
                log.addHandler(handler)
                log.propagate = False
