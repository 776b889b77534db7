"""The backup file: a zip holding ``manifest.json`` and one ``tables/<table>.jsonl`` per table.

The manifest says what the file is (``format``, ``version``), when it was made, the schema it belongs to (the
latest applied migration of each app) and, for each table in dependency order, its model, columns, row count
and checksum. A table's member holds its canonical lines (`pcndev.ops.rows`), so the checksum is the sha256 of
the member's bytes, which is also what `table_checksums` gives for the database the backup came from.

Members are written and read as streams, one table at a time, and the file is written under a temporary name
and renamed at the end, so an interrupted backup never leaves a file that looks complete.
"""

import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

FORMAT = "pcndev-backup"
VERSION = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A problem with a backup file or the database it meets, in one line for the person running the command."""


def member_name(table: str) -> str:
    return f"tables/{table}.jsonl"


@dataclass(frozen=True)
class TableEntry:
    name: str
    model: str
    columns: list[str]
    rows: int
    sha256: str

    def as_json(self) -> dict:
        return {"name": self.name, "model": self.model, "columns": self.columns, "rows": self.rows,
                "sha256": self.sha256}  # fmt: skip


class BackupWriter:
    """Write a backup to ``path`` (through ``<path>.partial``, renamed once the manifest is written)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self._zip: zipfile.ZipFile | None = None

    def __enter__(self):
        # Only the owner may read it: it holds personal data and password hashes.
        fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._zip = zipfile.ZipFile(self._file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        return self

    @contextmanager
    def member(self, table: str):
        with self._zip.open(member_name(table), "w", force_zip64=True) as out:
            yield out

    def finish(self, manifest: dict) -> None:
        self._zip.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
        self._zip.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.partial, self.path)

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self._zip.close()
            self._file.close()
            self.partial.unlink(missing_ok=True)
        return False


def _entry(raw, number: int) -> TableEntry:
    try:
        entry = TableEntry(
            name=str(raw["name"]),
            model=str(raw["model"]),
            columns=[str(c) for c in raw["columns"]],
            rows=int(raw["rows"]),
            sha256=str(raw["sha256"]),
        )
    except (KeyError, TypeError, ValueError):
        raise BackupError(f"the manifest's table {number} is malformed") from None
    return entry


class Backup:
    """An open backup file whose manifest has been checked; `lines` streams one table's rows."""

    def __init__(self, path: Path, zf: zipfile.ZipFile, manifest: dict):
        self.path, self._zip, self.manifest = path, zf, manifest
        self.schema: dict[str, str] = manifest["schema"]
        self.tables = [_entry(raw, i) for i, raw in enumerate(manifest["tables"], start=1)]
        members = set(zf.namelist())
        for entry in self.tables:
            if member_name(entry.name) not in members:
                raise BackupError(f"{path} has no data for table {entry.name}; the file is incomplete")

    @property
    def checksums(self) -> dict[str, tuple[int, str]]:
        return {t.name: (t.rows, t.sha256) for t in self.tables}

    def lines(self, entry: TableEntry) -> Iterator[bytes]:
        """The table's lines; raises BackupError when the data is damaged or does not match the manifest."""
        digest, count = hashlib.sha256(), 0
        try:
            with self._zip.open(member_name(entry.name)) as member:
                for line in member:
                    digest.update(line)
                    count += 1
                    yield line
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise BackupError(f"{self.path}: the data for {entry.name} is damaged ({exc})") from None
        if (count, digest.hexdigest()) != (entry.rows, entry.sha256):
            raise BackupError(
                f"{self.path}: the data for {entry.name} does not match its manifest "
                f"({count} rows, expected {entry.rows}; or a different checksum); the file is damaged"
            )


def _read_manifest(path: Path, zf: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise BackupError(f"{path} is not a pcndev backup (it has no {MANIFEST})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise BackupError(f"{path}: the manifest is damaged ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a pcndev backup (its manifest is not a {FORMAT} manifest)")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"{path} is in backup format version {manifest.get('version')!r}; this pcndev reads version {VERSION}"
        )
    if not isinstance(manifest.get("schema"), dict) or not isinstance(manifest.get("tables"), list):
        raise BackupError(f"{path}: the manifest is malformed (no schema or table list)")
    return manifest


@contextmanager
def open_backup(path) -> Iterator[Backup]:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file" if not path.exists() else f"{path} is not a file")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise BackupError(
            f"{path} is not a pcndev backup, or it is truncated (not a readable zip file)"
        ) from None
    except OSError as exc:
        raise BackupError(f"{path} cannot be read ({exc.strerror or exc})") from None
    with zf:
        yield Backup(path, zf, _read_manifest(path, zf))
