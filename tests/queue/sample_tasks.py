"""Tasks for the queue tests (module level, so a worker in another process can import them too)."""

import time
from pathlib import Path

from django_tasks import task


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def fail(message: str) -> None:
    raise ValueError(message)


@task
def not_json() -> object:
    return object()


@task(takes_context=True)
def note_run(context, path: str, sleep_first: float = 0.0, until: str = "") -> int:
    """Writes "start N" then "done N" (N = the attempt) to `path`; the first attempt sleeps in between, for
    `sleep_first` seconds or until the file `until` exists."""
    log = Path(path)
    with log.open("a") as f:
        f.write(f"start {context.attempt}\n")
    deadline = time.monotonic() + sleep_first
    while context.attempt == 1 and time.monotonic() < deadline and not (until and Path(until).exists()):
        time.sleep(0.05)
    with log.open("a") as f:
        f.write(f"done {context.attempt}\n")
    return context.attempt
