"""Importing NHS Digital's "Patients Registered at a GP Practice" files into the organisation register.

`import_nhs_files(mapping, list_sizes)` reads the practice mapping (``gp-reg-pat-prac-map``: practice → PCN →
CCG / sub-ICB location → STP / ICB → commissioning region) and the totals file (``gp-reg-pat-prac-all``),
checks both completely, and only then writes everything in one transaction. Any problem raises
`ImportErrors` with every error found, and the database is left as it was.

What it writes:

* one Region, System (STP or ICB) and Place (CCG or sub-ICB location) per code in the mapping;
* one PCN per PCN code except ``U`` (Unallocated). Its place is the CCG holding most of its patients; a PCN
  whose place was set by hand (``place_source="manual"``) keeps it, though `imported_place` still follows the
  data;
* one Practice per practice code, its home place being its CCG / sub-ICB location;
* memberships: a practice whose PCN differs from its open membership has that membership closed
  (``valid_to`` = the mapping's extract date) and a new one opened from that date. ``U`` practices just have
  any open membership closed. Practices absent from the mapping are left alone;
* one ListSize per mapped practice at the list-size file's extract date (or ``as_of``);
* one ImportRun with file names, sha256 checksums, extract dates and the counts below;
* one audit event per table and kind of change (``practice.created``, ``pcn.updated``, ``membership.closed``…)
  listing every row it covers by code with its values before and after, its object_id ``import-run:<id>``
  (see `nhs_writer` for the shape). List sizes are data, not audited.

Re-importing the same files changes nothing and records no audit events (an ImportRun is still recorded).

Counts in `ImportResult.as_dict()` (the ``--json`` output):

* ``practices``, ``pcns``, ``places``, ``systems``, ``regions``: distinct codes in the mapping file (PCNs
  without ``U``);
* ``list_sizes``: list-size rows whose practice is in the mapping (the rows imported);
* ``unmapped_practices``, ``unmapped_patients``: list-size rows whose practice is not in the mapping, and
  their patients (not imported: the mapping has no name or PCN for them);
* ``created``, ``updated``, ``unchanged``: region, system, place, PCN and practice rows plus memberships.
  A membership closed, corrected or deleted counts as updated, an open membership kept as unchanged;
* ``pcns_spanning_places``: sorted codes of PCNs with practices in more than one CCG / sub-ICB location.
"""

import datetime
import gc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import transaction

from pcndev.orgs.importers.nhs_files import FileError, read_list_sizes, read_mapping
from pcndev.orgs.importers.nhs_snapshot import build_snapshot
from pcndev.orgs.importers.nhs_writer import Tally, Writer
from pcndev.orgs.models import ImportRun

STAGES = (
    "Reading the mapping file",
    "Reading the list-size file",
    "Checking against the register",
    "Regions, systems and places",
    "PCNs and practices",
    "Memberships",
    "List sizes",
    "Audit trail",
)
ORG_KINDS = ("region", "system", "place", "pcn", "practice", "membership")
SUMMARY_KEYS = (
    "practices",
    "pcns",
    "places",
    "systems",
    "regions",
    "list_sizes",
    "created",
    "updated",
    "unchanged",
    "unmapped_practices",
    "unmapped_patients",
    "pcns_spanning_places",
)

__all__ = ["FileError", "ImportErrors", "ImportResult", "STAGES", "import_nhs_files"]


class ImportErrors(Exception):
    def __init__(self, errors: list[FileError]):
        self.errors = errors
        super().__init__(
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found; nothing was imported"
        )


@dataclass
class ImportResult:
    practices: int = 0
    pcns: int = 0
    places: int = 0
    systems: int = 0
    regions: int = 0
    list_sizes: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmapped_practices: int = 0
    unmapped_patients: int = 0
    pcns_spanning_places: list[str] = field(default_factory=list)
    era: str = ""
    mapping_date: datetime.date | None = None
    list_date: datetime.date | None = None
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> created/updated/unchanged
    audit_events: int = 0
    import_run_id: int | None = None

    def as_dict(self) -> dict:
        return {key: getattr(self, key) for key in SUMMARY_KEYS}


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while importing.

    A national import holds ~100,000 rows, specs and tuples at once; each full collection re-scanned them and
    everything else in the process (~0.1 s a time in the benchmark) and found no garbage. Its objects are
    freed by reference counting when it returns; the few cycles (an exception's traceback) wait for the next
    collection after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_nhs_files(
    mapping_path,
    list_sizes_path,
    as_of: datetime.date | None = None,
    user=None,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Check both files, then upsert them in one transaction; raise ImportErrors listing every problem."""
    with _gc_paused():
        return _import(mapping_path, list_sizes_path, as_of, user, progress)


def _import(mapping_path, list_sizes_path, as_of, user, progress) -> ImportResult:
    step = progress or (lambda stage: None)
    errors: list[FileError] = []
    step(STAGES[0])
    mapping = read_mapping(Path(mapping_path), errors)
    step(STAGES[1])
    lists = read_list_sizes(Path(list_sizes_path), errors, need_date=as_of is None)
    if errors:
        raise ImportErrors(errors)
    snap = build_snapshot(mapping, lists, as_of or lists.extract_date)
    with transaction.atomic():
        step(STAGES[2])
        writer = Writer(snap, mapping, user)
        errors = writer.check()
        if errors:
            raise ImportErrors(errors)
        step(STAGES[3])
        writer.write_tree()
        step(STAGES[4])
        writer.write_pcns_and_practices()
        step(STAGES[5])
        writer.write_memberships()
        step(STAGES[6])
        list_tally = writer.write_list_sizes()
        step(STAGES[7])
        audit_events = len(writer.audit)
        result = _result(snap, writer.tallies, list_tally, audit_events)
        run = ImportRun.objects.create(
            by=user if getattr(user, "is_authenticated", False) else None,
            mapping_file=mapping.name,
            mapping_sha256=mapping.sha256,
            mapping_extract_date=snap.mapping_date,
            list_size_file=lists.name,
            list_size_sha256=lists.sha256,
            list_size_extract_date=snap.list_date,
            counts=result.as_dict()
            | {"era": snap.era, "by_kind": result.by_kind, "audit_events": audit_events},
        )
        writer.write_audit(run.id)
        result.import_run_id = run.id
    return result


def _result(snap, tallies: dict[str, Tally], list_tally: Tally, audit_events: int) -> ImportResult:
    by_kind = {kind: asdict(tallies.get(kind, Tally())) for kind in ORG_KINDS}
    by_kind["list_size"] = asdict(list_tally)
    return ImportResult(
        practices=len(snap.practices),
        pcns=len(snap.pcns),
        places=len(snap.places),
        systems=len(snap.systems),
        regions=len(snap.regions),
        list_sizes=len(snap.list_sizes),
        created=sum(by_kind[k]["created"] for k in ORG_KINDS),
        updated=sum(by_kind[k]["updated"] for k in ORG_KINDS),
        unchanged=sum(by_kind[k]["unchanged"] for k in ORG_KINDS),
        unmapped_practices=snap.unmapped_practices,
        unmapped_patients=snap.unmapped_patients,
        pcns_spanning_places=list(snap.pcns_spanning_places),
        era=snap.era,
        mapping_date=snap.mapping_date,
        list_date=snap.list_date,
        by_kind=by_kind,
        audit_events=audit_events,
    )
