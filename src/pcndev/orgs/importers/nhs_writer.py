"""Writing a `Snapshot` into the organisation register: upsert by ODS code, effective-dated memberships, audit.

One query per table loads the existing rows into dicts keyed by code. New rows are then inserted up to 1,000
to a statement (see `_insert`) and changed rows updated with one `executemany` per table, bypassing the ORM
(its per-value insert compilation dominated the run time); ids of new rows are read back with one query per
table. Reads are raw SQL too: the ORM's per-row work cost more than the queries.

The audit is grouped: one event per table and kind of change (``practice.created``, ``pcn.updated``,
``membership.closed``, …) covering every such row of the import. Its ``before`` and ``after`` are tables,
``{"fields": [...], "rows": {code: [values in that order]}}``, keyed by ODS code (memberships by their
practice's code), ``null`` where there is no before (created, opened) or after (deleted):

* regions, systems, places, PCNs, practices: ``id`` then the imported columns, foreign keys as ids
  (``home_place``, ``place``…). An update shows each changed row whole, before and after;
* memberships: ``id, practice, pcn, pcn_code, valid_from, valid_to``. Closing changes ``valid_to`` from null
  to the extract date; a same-date correction changes ``pcn`` and ``pcn_code``.

Such an event's object_type is the table's model (``orgs.practice``…), its object_id ``import-run:<id>`` (never
a row's id) and its object_repr the count, e.g. "6,527 practices created (import run 3)". A first national
import thus writes six events, not ~14,400 (one per row, which took most of its run time).
Call inside a transaction: `check` first (problems that depend on data already held), then the `write_*`s,
and `write_audit` once the ImportRun exists.
"""

from dataclasses import dataclass, field
from itertools import chain

from django.db import connection

from pcndev.audit.services import Change, Target, record_many
from pcndev.orgs.importers.nhs_files import FileError, MappingFile
from pcndev.orgs.importers.nhs_snapshot import Snapshot
from pcndev.orgs.models import PCN, ListSize, Place, Practice, PracticeMembership, Region, System

NOUNS = {
    "region": ("region", "regions"),
    "system": ("system", "systems"),
    "place": ("place", "places"),
    "pcn": ("PCN", "PCNs"),
    "practice": ("practice", "practices"),
    "membership": ("membership", "memberships"),
}
MEMBERSHIP_FIELDS = ["id", "practice", "pcn", "pcn_code", "valid_from", "valid_to"]


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class AuditGroup:
    """One audit event's worth of rows: one table, one kind of change; code -> values in `fields` order."""

    model: type
    label: str
    kind: str
    fields: list[str]
    before: dict[str, tuple] | None = field(default_factory=dict)
    after: dict[str, tuple] | None = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.after if self.after is not None else self.before)

    def change(self, run_id: int, note: str) -> Change:
        n = len(self)
        described = f"{n:,} {NOUNS[self.label][n != 1]} {self.kind} (import run {run_id})"
        target = Target(self.model._meta.label_lower, f"import-run:{run_id}", described)
        before = None if self.before is None else {"fields": self.fields, "rows": self.before}
        after = None if self.after is None else {"fields": self.fields, "rows": self.after}
        return Change(f"{self.label}.{self.kind}", target, before, after, note)


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _select(model, attnames: list[str], where: str = "", params=()) -> list[tuple]:
    """The named columns of every row (``where`` optional), as the database returns them."""
    qn, meta = connection.ops.quote_name, model._meta
    columns = ", ".join(qn(meta.get_field(a).column) for a in attnames)
    return _rows(f"SELECT {columns} FROM {qn(meta.db_table)}{where}", params)


def _load(model, fields: list[str]) -> dict[str, tuple]:
    """code -> (id, *fields) for every row of the model."""
    return {row[1]: (row[0], *row[2:]) for row in _select(model, ["id", "code", *fields])}


def _insert(model, attnames: list[str], rows: list[tuple]) -> None:
    """INSERT rows of values for the named columns; the model's other fields get their defaults.

    Many rows per statement (``VALUES (…), (…), …``), as many as the database takes parameters, up to 1,000:
    on SQLite that is twice as fast as an executemany of one-row INSERTs, each of which reopens the table and
    every index.
    """
    if not rows:
        return
    meta, qn = model._meta, connection.ops.quote_name
    rest = [f for f in meta.concrete_fields if not f.primary_key and f.attname not in attnames]
    fields = [meta.get_field(a) for a in attnames] + rest
    if rest:
        tail = tuple(f.get_default() for f in rest)
        rows = [row + tail for row in rows]
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES "
    one = f"({', '.join(['%s'] * len(fields))})"
    per = max(1, min(1000, (connection.features.max_query_params or 65535) // len(fields)))
    full, left = divmod(len(rows), per)
    flat = chain.from_iterable
    with connection.cursor() as cursor:
        if full:  # one executemany, so that the long statement is prepared (and its %s converted) once
            chunks = [list(flat(rows[n * per : (n + 1) * per])) for n in range(full)]
            cursor.executemany(head + ", ".join([one] * per), chunks)
        if left:
            cursor.execute(head + ", ".join([one] * left), list(flat(rows[full * per :])))


def _update(model, attnames: list[str], rows: list[tuple]) -> None:
    """UPDATE the named columns; each row is (*values, id)."""
    if not rows:
        return
    qn, meta = connection.ops.quote_name, model._meta
    sets = ", ".join(f"{qn(meta.get_field(a).column)} = %s" for a in attnames)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s", rows)


class Writer:
    def __init__(self, snap: Snapshot, mapping: MappingFile, user=None):
        self.snap, self.mapping, self.user = snap, mapping, user
        self.note = f"NHS import: {mapping.name} ({snap.mapping_date.isoformat()})"
        self.audit: dict[str, AuditGroup] = {}  # action -> its rows
        self.tallies: dict[str, Tally] = {}
        # Loaded columns start with those compared, in the same order (see _upsert).
        self.practices = _load(Practice, ["name", "home_place_id", "postcode"])
        self.pcns = _load(PCN, ["name", "place_id", "imported_place_id", "place_source"])
        pcn_codes = {row[0]: code for code, row in self.pcns.items()}
        to_date = PracticeMembership._meta.get_field("valid_from").to_python
        # practice id -> (membership id, pcn id, pcn code, valid_from) of each open membership
        self.open = {
            practice_id: (pk, pcn_id, pcn_codes[pcn_id], to_date(valid_from))
            for practice_id, pk, pcn_id, valid_from in _select(
                PracticeMembership, ["practice_id", "id", "pcn_id", "valid_from"], " WHERE valid_to IS NULL"
            )
        }

    def check(self) -> list[FileError]:
        """Problems with the files given what the register already holds."""
        errors = []
        name, day = self.mapping.name, self.snap.mapping_date
        local = Place.objects.filter(kind=Place.Kind.DEFINED, code__in=list(self.snap.places))
        for code, place_name in sorted(local.values_list("code", "name")):
            message = f"{code} is already the code of the local place {place_name}; rename that place first"
            errors.append(
                FileError(name, self.snap.places[code].row, self.mapping.columns["place_code"], message)
            )
        late = []
        for code, spec in self.snap.practices.items():
            existing = self.practices.get(code)
            current = existing and self.open.get(existing[0])
            if current and current[2] != spec.pcn and current[3] > day:
                late.append((code, current))
        rows = {r.code: r.row for r in self.mapping.rows} if late else {}
        for code, current in late:
            message = (
                f"practice {code} has been in PCN {current[2]} since {current[3].isoformat()}, after this "
                f"file's extract date {day.isoformat()}; import files in date order"
            )
            errors.append(FileError(name, rows[code], "PCN_CODE", message))
        return errors

    def _group(self, model, label: str, kind: str, fields: list[str], before=True, after=True) -> AuditGroup:
        action = f"{label}.{kind}"
        if action not in self.audit:
            self.audit[action] = AuditGroup(
                model, label, kind, fields, {} if before else None, {} if after else None
            )
        return self.audit[action]

    def _upsert(self, model, label: str, columns: list[str], desired: dict[str, tuple], existing) -> dict:
        """Create and update rows so that each code has the desired values; return code -> id.

        desired: code -> values in `columns` order; existing: code -> (id, *values) with `columns` first.
        """
        tally = self.tallies.setdefault(label, Tally())
        n = len(columns)
        ids, new, changed = {}, [], []
        for code, values in desired.items():
            row = existing.get(code)
            if row is None:
                new.append(code)
                continue
            ids[code] = row[0]
            if row[1 : n + 1] == values:
                tally.unchanged += 1
            else:
                changed.append((code, row))
        fields = ["id", *(c.removesuffix("_id") for c in columns)]
        if changed:
            _update(model, columns, [(*desired[code], row[0]) for code, row in changed])
            group = self._group(model, label, "updated", fields)
            for code, row in changed:
                group.before[code] = row[: n + 1]
                group.after[code] = (row[0], *desired[code])
        if new:
            _insert(model, ["code", *columns], [(code, *desired[code]) for code in new])
            ids.update(_select(model, ["code", "id"]))
            after = self._group(model, label, "created", fields, before=False).after
            for code in new:
                after[code] = (ids[code], *desired[code])
        tally.created += len(new)
        tally.updated += len(changed)
        return ids

    def _upsert_level(self, model, label: str, specs: dict, **extra) -> dict:
        """Regions, systems or places: name, then `extra` (column -> spec -> value), then ONS code if given."""
        ons = any(s.ons_code is not None for s in specs.values())
        columns = ["name", *extra] + (["ons_code"] if ons else [])
        makers = list(extra.values())
        desired = {
            code: (s.name, *(f(s) for f in makers), *((s.ons_code,) if ons else ()))
            for code, s in specs.items()
        }
        existing = _load(model, ["name", *extra, "ons_code"])
        return self._upsert(model, label, columns, desired, existing)

    def write_tree(self) -> None:
        snap = self.snap
        region_ids = self._upsert_level(Region, "region", snap.regions)
        system_ids = self._upsert_level(
            System,
            "system",
            snap.systems,
            kind=lambda s: snap.system_kind,
            region_id=lambda s: region_ids[s.parent],
        )
        self.place_ids = self._upsert_level(
            Place,
            "place",
            snap.places,
            kind=lambda s: snap.place_kind,
            system_id=lambda s: system_ids[s.parent],
        )

    def write_pcns_and_practices(self) -> None:
        place_ids, existing, desired = self.place_ids, self.pcns, {}
        manual = PCN.PlaceSource.MANUAL
        for code, spec in self.snap.pcns.items():
            computed = place_ids[spec.place]
            row = existing.get(code)
            desired[code] = (spec.name, row[2] if row and row[4] == manual else computed, computed)
        columns = ["name", "place_id", "imported_place_id"]
        self.pcn_ids = self._upsert(PCN, "pcn", columns, desired, existing)
        practices = self.snap.practices.values()
        if any(s.postcode is not None for s in practices):
            columns = ["name", "home_place_id", "postcode"]
            desired = {s.code: (s.name, place_ids[s.place], s.postcode) for s in practices}
        else:
            columns = ["name", "home_place_id"]
            desired = {s.code: (s.name, place_ids[s.place]) for s in practices}
        self.practice_ids = self._upsert(Practice, "practice", columns, desired, self.practices)

    def write_memberships(self) -> None:
        day, tally = self.snap.mapping_date, self.tallies.setdefault("membership", Tally())
        db_day, iso = connection.ops.adapt_datefield_value(day), day.isoformat()
        closing, correcting, dropping, opening = [], [], [], []
        for code, spec in self.snap.practices.items():
            practice_id = self.practice_ids[code]
            pcn_id = self.pcn_ids.get(spec.pcn) if spec.pcn else None
            current = self.open.get(practice_id)
            if current and current[1] == pcn_id:
                tally.unchanged += 1
                continue
            if current:
                pk, old_pcn, old_code, valid_from = current
                old = (pk, practice_id, old_pcn, old_code, valid_from.isoformat(), None)
                if valid_from < day:
                    closing.append((code, old))
                elif pcn_id is not None:  # same extract date as the open row: a correction
                    correcting.append((code, old, (*old[:2], pcn_id, spec.pcn, *old[4:])))
                    continue
                else:
                    dropping.append((code, old))
            if pcn_id is not None:
                opening.append((code, spec.pcn, practice_id, pcn_id))
        _update(PracticeMembership, ["valid_to"], [(db_day, old[0]) for _, old in closing])
        _update(PracticeMembership, ["pcn_id"], [(new[2], new[0]) for _, _, new in correcting])
        PracticeMembership.objects.filter(id__in=[old[0] for _, old in dropping]).delete()
        _insert(
            PracticeMembership,
            ["practice_id", "pcn_id", "valid_from"],
            [(practice_id, pcn_id, db_day) for _, _, practice_id, pcn_id in opening],
        )

        def group(kind, before=True, after=True):
            return self._group(PracticeMembership, "membership", kind, MEMBERSHIP_FIELDS, before, after)

        if closing:
            g = group("closed")
            for code, old in closing:
                g.before[code], g.after[code] = old, (*old[:5], iso)
        if correcting:
            g = group("corrected")
            for code, old, new in correcting:
                g.before[code], g.after[code] = old, new
        if dropping:
            group("deleted", after=False).before.update(dropping)
        if opening:
            new_ids = dict(_select(PracticeMembership, ["practice_id", "id"], " WHERE valid_to IS NULL"))
            after = group("opened", before=False).after
            for code, pcn_code, practice_id, pcn_id in opening:
                after[code] = (new_ids[practice_id], practice_id, pcn_id, pcn_code, iso, None)
        tally.created += len(opening)
        tally.updated += len(closing) + len(correcting) + len(dropping)

    def write_list_sizes(self) -> Tally:
        day, ids = self.snap.list_date, self.practice_ids
        db_day = connection.ops.adapt_datefield_value(day)
        existing = {
            row[0]: row[1:]
            for row in _select(ListSize, ["practice_id", "id", "patients"], " WHERE as_of = %s", [db_day])
        }
        tally, new, changed = Tally(), [], []
        for code, patients in self.snap.list_sizes.items():
            practice_id = ids[code]
            row = existing.get(practice_id)
            if row is None:
                new.append((practice_id, db_day, patients))
            elif row[1] != patients:
                changed.append((patients, row[0]))
            else:
                tally.unchanged += 1
        new.sort()  # practice id order: each of the table's indexes starts with it or with the (one) date
        _insert(ListSize, ["practice_id", "as_of", "patients"], new)
        _update(ListSize, ["patients"], changed)
        tally.created, tally.updated = len(new), len(changed)
        return tally

    def write_audit(self, run_id: int) -> int:
        """One event per group, naming the ImportRun; returns how many were written."""
        return record_many(self.user, [g.change(run_id, self.note) for g in self.audit.values()])
