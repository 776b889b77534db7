"""Writing a `Snapshot` into the organisation register: upsert by ODS code, effective-dated memberships, audit.

One query per table loads the existing rows into dicts keyed by code. New and changed rows are then written
with one `executemany` per table (the ORM's per-value insert compilation dominated the run time), and ids of
new rows are read back with one query per table. Every created or changed region, system, place, PCN and
practice, and every membership opened, closed or corrected, becomes one audit event through `record_many`.
Call inside a transaction: `check` first (problems that depend on data already held), then the `write_*`s.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models.base import ModelState

from pcndev.audit.services import Change, record_many
from pcndev.orgs.importers.nhs_files import FileError, MappingFile
from pcndev.orgs.importers.nhs_snapshot import Snapshot
from pcndev.orgs.models import PCN, ListSize, Place, Practice, PracticeMembership, Region, System


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _load(model, fields: list[str]) -> dict[str, tuple]:
    """code -> (id, *fields) for every row of the model."""
    return {row[1]: (row[0], *row[2:]) for row in model.objects.values_list("id", "code", *fields)}


def _audit_object(model, **attrs):
    """An unsaved instance for the audit only (record_many reads _meta, pk and str()).

    Built as Django builds unpickled instances, skipping Model.__init__: ~20,000 of these on a first import.
    """
    obj = model.__new__(model)
    obj._state = ModelState()
    obj.__dict__.update(attrs)
    return obj


def _insert(model, values: list[dict]) -> None:
    """INSERT rows given as {attname: value}; fields left out get their model default."""
    if not values:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    names, fallbacks = list(defaults), list(defaults.values())
    rows = [tuple(map(v.get, names, fallbacks)) for v in values]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


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
        self.changes: list[Change] = []
        self.tallies: dict[str, Tally] = {}
        self.objects: dict[str, dict[str, object]] = {"pcn": {}, "practice": {}}  # for audit labels
        self.practices = _load(Practice, ["name", "postcode", "home_place_id"])
        self.pcns = _load(PCN, ["name", "place_id", "imported_place_id", "place_source"])
        self.open = {
            row[0]: row[1:]
            for row in PracticeMembership.objects.current().values_list(
                "practice_id", "id", "pcn_id", "pcn__code", "valid_from"
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
        rows = {r.code: r.row for r in self.mapping.rows}
        for code, spec in self.snap.practices.items():
            existing = self.practices.get(code)
            current = existing and self.open.get(existing[0])
            if current and current[2] != spec.pcn and current[3] > day:
                message = (
                    f"practice {code} has been in PCN {current[2]} since {current[3].isoformat()}, after this "
                    f"file's extract date {day.isoformat()}; import files in date order"
                )
                errors.append(FileError(name, rows[code], "PCN_CODE", message))
        return errors

    def _upsert(self, model, label: str, fields: list[str], desired: dict[str, dict], existing) -> dict:
        """Create and update rows so that each code has the desired values; return code -> id."""
        tally = self.tallies.setdefault(label, Tally())
        keep = self.objects.get(label)
        ids, new, updates, diffs, columns = {}, [], [], [], []
        for code, values in desired.items():
            row = existing.get(code)
            if row is None:
                new.append(code)
                continue
            ids[code] = row[0]
            diff = [
                (f, old) for f, old in zip(fields, row[1:], strict=False) if f in values and old != values[f]
            ]
            if not diff:
                tally.unchanged += 1
                continue
            columns = columns or list(values)  # every code's values have the same keys, in the same order
            updates.append((*values.values(), row[0]))
            diffs.append((code, row[0], diff))
        if updates:
            _update(model, columns, updates)
        if new:
            _insert(model, [{"code": code, **desired[code]} for code in new])
            ids.update(model.objects.values_list("code", "id"))
        for code in new:
            obj = _audit_object(model, id=ids[code], code=code, **desired[code])
            after = {"code": code} | {f.removesuffix("_id"): v for f, v in desired[code].items()}
            self.changes.append(Change(f"{label}.created", obj, None, after, self.note))
            if keep is not None:
                keep[code] = obj
        for code, pk, diff in diffs:
            obj, values = _audit_object(model, id=pk, code=code, **desired[code]), desired[code]
            before = {f.removesuffix("_id"): old for f, old in diff}
            after = {f.removesuffix("_id"): values[f] for f, _ in diff}
            self.changes.append(Change(f"{label}.updated", obj, before, after, self.note))
            if keep is not None:
                keep[code] = obj
        tally.created += len(new)
        tally.updated += len(updates)
        return ids

    def write_tree(self) -> None:
        snap = self.snap

        def desired(specs, **extra) -> dict[str, dict]:
            with_ons = any(s.ons_code is not None for s in specs.values())
            out = {}
            for code, spec in specs.items():
                out[code] = {"name": spec.name, **{k: f(spec) for k, f in extra.items()}}
                if with_ons:
                    out[code]["ons_code"] = spec.ons_code
            return out

        fields = ["name", "ons_code"]
        region_ids = self._upsert(Region, "region", fields, desired(snap.regions), _load(Region, fields))
        fields = ["name", "ons_code", "kind", "region_id"]
        systems = desired(
            snap.systems, kind=lambda s: snap.system_kind, region_id=lambda s: region_ids[s.parent]
        )
        system_ids = self._upsert(System, "system", fields, systems, _load(System, fields))
        fields = ["name", "ons_code", "kind", "system_id"]
        places = desired(
            snap.places, kind=lambda s: snap.place_kind, system_id=lambda s: system_ids[s.parent]
        )
        self.place_ids = self._upsert(Place, "place", fields, places, _load(Place, fields))

    def write_pcns_and_practices(self) -> None:
        place_ids, desired = self.place_ids, {}
        for code, spec in self.snap.pcns.items():
            computed = place_ids[spec.place]
            row = self.pcns.get(code)
            manual = row is not None and row[4] == PCN.PlaceSource.MANUAL
            desired[code] = {"name": spec.name, "place_id": row[2] if manual else computed}
            desired[code]["imported_place_id"] = computed
        self.pcn_ids = self._upsert(PCN, "pcn", ["name", "place_id", "imported_place_id"], desired, self.pcns)
        has_postcode = any(s.postcode is not None for s in self.snap.practices.values())
        desired = {}
        for code, spec in self.snap.practices.items():
            desired[code] = {"name": spec.name, "home_place_id": place_ids[spec.place]}
            if has_postcode:
                desired[code]["postcode"] = spec.postcode
        fields = ["name", "postcode", "home_place_id"]
        self.practice_ids = self._upsert(Practice, "practice", fields, desired, self.practices)

    def _obj(self, label: str, model, code: str, pk: int):
        cache = self.objects[label]
        if code not in cache:
            cache[code] = _audit_object(model, id=pk, code=code)
        return cache[code]

    def _membership(self, practice_code, pcn_code, **fields) -> PracticeMembership:
        """A membership carrying code-only related objects, so that str() in the audit needs no query."""
        m = _audit_object(PracticeMembership, **fields)
        m._state.fields_cache["practice"] = self._obj("practice", Practice, practice_code, m.practice_id)
        m._state.fields_cache["pcn"] = self._obj("pcn", PCN, pcn_code, m.pcn_id)
        return m

    def write_memberships(self) -> None:
        day, tally = self.snap.mapping_date, self.tallies.setdefault("membership", Tally())
        db_day = connection.ops.adapt_datefield_value(day)
        closing, correcting, dropping, opening = [], [], [], []
        for code, spec in self.snap.practices.items():
            practice_id = self.practice_ids[code]
            pcn_id = self.pcn_ids.get(spec.pcn) if spec.pcn else None
            current = self.open.get(practice_id)
            if current and current[1] == pcn_id:
                tally.unchanged += 1
                continue
            if current:
                old = {
                    "id": current[0],
                    "practice_id": practice_id,
                    "pcn_id": current[1],
                    "valid_from": current[3],
                }
                if current[3] < day:
                    closing.append(self._membership(code, current[2], **old, valid_to=day))
                elif pcn_id is not None:  # same extract date as the open row: a correction
                    correcting.append(
                        (self._membership(code, spec.pcn, **old | {"pcn_id": pcn_id}), current[1])
                    )
                    continue
                else:
                    dropping.append(self._membership(code, current[2], **old))
            if pcn_id is not None:
                opening.append((code, spec.pcn, practice_id, pcn_id))
        _update(PracticeMembership, ["valid_to"], [(db_day, m.id) for m in closing])
        _update(PracticeMembership, ["pcn_id"], [(m.pcn_id, m.id) for m, _ in correcting])
        PracticeMembership.objects.filter(id__in=[m.id for m in dropping]).delete()
        _insert(
            PracticeMembership,
            [{"practice_id": p, "pcn_id": n, "valid_from": db_day} for _, _, p, n in opening],
        )
        new_ids = (
            dict(PracticeMembership.objects.current().values_list("practice_id", "id")) if opening else {}
        )
        note, iso = self.note, day.isoformat()
        changes = self.changes
        for m in closing:
            changes.append(Change("membership.closed", m, {"valid_to": None}, {"valid_to": iso}, note))
        for m, old_pcn in correcting:
            changes.append(Change("membership.corrected", m, {"pcn": old_pcn}, {"pcn": m.pcn_id}, note))
        for m in dropping:
            changes.append(Change("membership.deleted", m, _membership_json(m), None, note))
        for code, pcn_code, practice_id, pcn_id in opening:
            m = self._membership(
                code,
                pcn_code,
                id=new_ids[practice_id],
                practice_id=practice_id,
                pcn_id=pcn_id,
                valid_from=day,
            )
            changes.append(Change("membership.opened", m, None, _membership_json(m), note))
        tally.created += len(opening)
        tally.updated += len(closing) + len(correcting) + len(dropping)

    def write_list_sizes(self) -> Tally:
        day, ids = self.snap.list_date, self.practice_ids
        db_day = connection.ops.adapt_datefield_value(day)
        existing = {
            row[0]: row[1:]
            for row in ListSize.objects.filter(as_of=day).values_list("practice_id", "id", "patients")
        }
        tally, new, changed = Tally(), [], []
        for code, patients in self.snap.list_sizes.items():
            practice_id = ids[code]
            row = existing.get(practice_id)
            if row is None:
                new.append({"practice_id": practice_id, "as_of": db_day, "patients": patients})
            elif row[1] != patients:
                changed.append((patients, row[0]))
            else:
                tally.unchanged += 1
        _insert(ListSize, new)
        _update(ListSize, ["patients"], changed)
        tally.created, tally.updated = len(new), len(changed)
        return tally

    def write_audit(self) -> int:
        return record_many(self.user, self.changes)


def _membership_json(m: PracticeMembership) -> dict:
    return {"practice": m.practice_id, "pcn": m.pcn_id, "valid_from": m.valid_from.isoformat()}
