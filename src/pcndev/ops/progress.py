"""Progress for backup and restore: a rich bar on a terminal, plain lines otherwise (cron, logs, tests)."""


class Progress:
    """Plain lines: one per table at verbosity 2 or more, nothing at verbosity 0; the command prints a summary."""

    def __init__(self, write, verbosity: int = 1):
        self._write, self._verbosity = write, verbosity

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def phase(self, title: str, total_rows: int) -> None:
        if self._verbosity >= 2:
            self._write(f"{title} ({total_rows:,} rows)")

    def table_started(self, table: str) -> None:
        pass

    def rows(self, n: int) -> None:
        pass

    def table_done(self, table: str, rows: int) -> None:
        if self._verbosity >= 2:
            self._write(f"  {table}: {rows:,} rows")


class RichProgress(Progress):
    """One bar per phase, naming the table in hand."""

    def __init__(self, file, verbosity: int = 1):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        super().__init__(lambda _: None, verbosity)
        self._bar = Progress(
            TextColumn("{task.description:<40}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=file),
        )
        self._task = None
        self._title = ""

    def __enter__(self):
        self._bar.start()
        return self

    def __exit__(self, *exc):
        self._bar.stop()
        return False

    def phase(self, title: str, total_rows: int) -> None:
        if self._task is not None:
            self._bar.update(self._task, description=self._title)
        self._title = title
        self._task = self._bar.add_task(title, total=total_rows)

    def table_started(self, table: str) -> None:
        self._bar.update(self._task, description=f"{self._title}: {table}")

    def rows(self, n: int) -> None:
        self._bar.advance(self._task, n)

    def table_done(self, table: str, rows: int) -> None:
        self._bar.update(self._task, description=self._title)


def progress_for(stdout, verbosity: int) -> Progress:
    """Rich when the command's output is a terminal (and not silenced), plain otherwise."""
    out = getattr(stdout, "_out", stdout)  # Django's OutputWrapper adds line endings rich must not get
    if verbosity >= 1 and out.isatty():
        return RichProgress(out, verbosity)
    return Progress(stdout.write, verbosity)
