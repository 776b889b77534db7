"""The organisation register for `pcndev scale-data`: the real national tree, synthetic copies, the people.

The tree comes from NHS Digital's files through the ordinary importer. `--factor K` then adds K-1 copies of
every PCN and practice (codes ``<code>X<k>``, names ``<name> (k)``) under the same places, with the same
memberships and list sizes, so the register grows K-fold where it grows in real life: PCNs and practices, not
regions or places.

People: each place has a GP federation as payee (some PCNs are hosted by a practice instead); every PCN one
clinical director (some a job share of two); users with roles at every level (national administrators, a lead
per region, system and place, a user per clinical director and a nominated lead per practice). Users have
unusable passwords: nobody can sign in to a generated database until a password is set (bench/load.py does
so).
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from pcndev.accounts.models import Role, RoleMembership, User
from pcndev.demo import data as names
from pcndev.orgs.importers import import_nhs_files
from pcndev.orgs.models import (
    PCN,
    ClinicalDirector,
    ListSize,
    PayeeOrganisation,
    Place,
    Practice,
    PracticeMembership,
    Region,
    System,
)

DOMAIN = "scale.pcndev.example"
UNUSABLE_PASSWORD = "!scale-data-no-login"  # Django treats a hash starting with "!" as unusable


class ScaleError(Exception):
    pass


@dataclass
class People:
    """Who is who in the generated register (user ids), for the later stages and their audit events."""

    admins: list[int] = field(default_factory=list)
    place_lead: dict[int, int] = field(default_factory=dict)  # place id -> user id
    system_lead: dict[int, int] = field(default_factory=dict)
    cd_user: dict[int, int] = field(default_factory=dict)  # PCN id -> the (first) CD's user id
    practice_user: dict[int, int] = field(default_factory=dict)  # practice id -> nominated lead's user id
    # (membership id, user id, role, node field or None for national, node id)
    memberships: list[tuple[int, int, str, str | None, int | None]] = field(default_factory=list)


def shared_files(directory: Path | None = None) -> tuple[Path, Path]:
    """The newest mapping and list-size files in settings.NHS_DATA_DIR (PCNDEV_NHS_DATA_DIR)."""
    directory = Path(directory or settings.NHS_DATA_DIR)
    mapping = sorted(directory.glob("gp-reg-pat-prac-map*.csv"))
    sizes = sorted(directory.glob("gp-reg-pat-prac-all*.csv"))
    if not (mapping and sizes):
        raise ScaleError(
            f"No NHS Digital files in {directory}: it needs a gp-reg-pat-prac-map*.csv and a "
            "gp-reg-pat-prac-all*.csv (set PCNDEV_NHS_DATA_DIR to the folder that holds them)"
        )
    return mapping[-1], sizes[-1]


def import_tree(directory: Path | None = None):
    mapping, sizes = shared_files(directory)
    return import_nhs_files(mapping, sizes)


def multiply(bulk, factor: int) -> int:
    """Add factor-1 copies of every PCN and practice under the same places; return the PCNs added."""
    if factor <= 1:
        return 0
    pcns = list(
        PCN.objects.values_list("id", "code", "name", "place_id", "imported_place_id", "place_source")
    )
    practices = list(Practice.objects.values_list("id", "code", "name", "postcode", "home_place_id"))
    members = list(PracticeMembership.objects.values_list("practice_id", "pcn_id", "valid_from", "valid_to"))
    sizes = list(ListSize.objects.values_list("practice_id", "as_of", "patients"))
    bulk.reporter.total((factor - 1) * (len(pcns) + len(practices) + len(members) + len(sizes)))
    for k in range(2, factor + 1):
        new_pcn = dict(zip((p[0] for p in pcns), bulk.ids(PCN, len(pcns)), strict=True))
        new_practice = dict(zip((p[0] for p in practices), bulk.ids(Practice, len(practices)), strict=True))
        bulk.insert(
            PCN,
            ["id", "code", "name", "place_id", "imported_place_id", "place_source"],
            ((new_pcn[i], f"{c}X{k}", f"{n} ({k})", pl, ip, src) for i, c, n, pl, ip, src in pcns),
        )
        bulk.insert(
            Practice,
            ["id", "code", "name", "postcode", "home_place_id"],
            ((new_practice[i], f"{c}X{k}", f"{n} ({k})", pc, hp) for i, c, n, pc, hp in practices),
        )
        bulk.insert(
            PracticeMembership,
            ["id", "practice_id", "pcn_id", "valid_from", "valid_to"],
            (
                (i, new_practice[pr], new_pcn[pc], vf, vt)
                for i, (pr, pc, vf, vt) in zip(
                    bulk.ids(PracticeMembership, len(members)), members, strict=True
                )
            ),
        )
        bulk.insert(
            ListSize,
            ["id", "practice_id", "as_of", "patients"],
            (
                (i, new_practice[pr], day, n)
                for i, (pr, day, n) in zip(bulk.ids(ListSize, len(sizes)), sizes, strict=True)
            ),
        )
    bulk.sync()
    return (factor - 1) * len(pcns)


def _person(rng) -> str:
    return f"{rng.choice(names.FIRST_NAMES)} {rng.choice(names.SURNAMES)}"


def payees(bulk, rng) -> None:
    """A GP federation per place as most PCNs' payee; one PCN in eight is hosted by a member practice."""
    places = list(Place.objects.order_by("id").values_list("id", "code", "name"))
    fed_ids = bulk.ids(PayeeOrganisation, len(places))
    federation = dict(zip((p[0] for p in places), fed_ids, strict=True))
    bulk.insert(
        PayeeOrganisation,
        ["id", "name", "ods_code", "kind"],
        ((federation[pid], f"{name} GP Federation ({code})", "", "federation") for pid, code, name in places),
    )
    first_practice: dict[int, tuple[str, str]] = {}
    for pcn_id, code, name in (
        PracticeMembership.objects.current()
        .order_by("pcn_id", "practice__code")
        .values_list("pcn_id", "practice__code", "practice__name")
    ):
        first_practice.setdefault(pcn_id, (code, name))
    pcns = list(PCN.objects.order_by("id").only("id", "place_id"))
    hosted = [p for p in pcns if p.id in first_practice and rng.random() < 0.125]
    host_ids = bulk.ids(PayeeOrganisation, len(hosted))
    bulk.insert(
        PayeeOrganisation,
        ["id", "name", "ods_code", "kind"],
        (
            (
                i,
                f"{first_practice[p.id][1]} ({first_practice[p.id][0]}, host practice)",
                first_practice[p.id][0],
                "practice",
            )
            for i, p in zip(host_ids, hosted, strict=True)
        ),
    )
    bulk.sync()
    host = {p.id: i for i, p in zip(host_ids, hosted, strict=True)}
    for p in pcns:
        p.payee_id = host.get(p.id) or federation[p.place_id]
    PCN.objects.bulk_update(pcns, ["payee_id"], batch_size=2000)


def people(bulk, rng, joined: datetime.datetime) -> People:
    """Clinical directors, users and their roles at every level."""
    out = People()
    users: list[tuple] = []  # (id, email, full name)
    roles: list[tuple] = []  # (id, user id, role, node field, node id)

    def user(email: str, name: str) -> int:
        uid = bulk.ids(User, 1)[0]
        users.append((uid, email, name))
        return uid

    def role(uid: int, name: str, node_field: str | None = None, node_id: int | None = None) -> None:
        rid = bulk.ids(RoleMembership, 1)[0]
        roles.append((rid, uid, name, node_field, node_id))

    for n in range(1, 4):
        out.admins.append(uid := user(f"national.admin{n}@{DOMAIN}", _person(rng)))
        role(uid, Role.NATIONAL_ADMIN)
    for rid, code in Region.objects.order_by("id").values_list("id", "code"):
        role(user(f"region.{code.lower()}@{DOMAIN}", _person(rng)), Role.REGION_LEAD, "region", rid)
    for sid, code in System.objects.order_by("id").values_list("id", "code"):
        out.system_lead[sid] = uid = user(f"system.{code.lower()}@{DOMAIN}", _person(rng))
        role(uid, Role.SYSTEM_LEAD, "system", sid)
        role(user(f"viewer.{code.lower()}@{DOMAIN}", _person(rng)), Role.VIEWER, "system", sid)
    for pid, code in Place.objects.order_by("id").values_list("id", "code"):
        out.place_lead[pid] = uid = user(f"place.{code.lower()}@{DOMAIN}", _person(rng))
        role(uid, Role.PLACE_LEAD, "place", pid)
    directors = []
    for pcn_id, code in PCN.objects.order_by("id").values_list("id", "code"):
        shares = (100,) if rng.random() < 0.88 else rng.choice(((50, 50), (60, 40)))
        for n, share in enumerate(shares, start=1):
            name, email = f"Dr {_person(rng)}", f"cd{n}.{code.lower()}@{DOMAIN}"
            uid = user(email, name)
            out.cd_user.setdefault(pcn_id, uid)
            role(uid, Role.PCN_CD, "pcn", pcn_id)
            directors.append((pcn_id, name, email, rng.choice(names.PROFESSIONS), share, uid))
    for practice_id, code in (
        PracticeMembership.objects.current()
        .order_by("practice_id")
        .values_list("practice_id", "practice__code")
    ):
        out.practice_user[practice_id] = uid = user(f"lead.{code.lower()}@{DOMAIN}", _person(rng))
        role(uid, Role.PRACTICE_MEMBER, "practice", practice_id)
    out.memberships = roles
    bulk.reporter.total(len(users) + len(roles) + len(directors))
    bulk.insert(
        User,
        ["id", "email", "full_name", "password", "date_joined"],
        ((uid, email, name, UNUSABLE_PASSWORD, joined) for uid, email, name in users),
    )
    node_fields = ("region", "system", "place", "pcn", "practice")
    bulk.insert(
        RoleMembership,
        ["id", "user_id", "role", *(f"{f}_id" for f in node_fields)],
        (
            (rid, uid, name, *(node_id if f == node_field else None for f in node_fields))
            for rid, uid, name, node_field, node_id in roles
        ),
        at=joined,
    )
    bulk.insert(
        ClinicalDirector,
        ["id", "pcn_id", "name", "email", "profession", "share_percent", "user_id"],
        ((i, *d) for i, d in zip(bulk.ids(ClinicalDirector, len(directors)), directors, strict=True)),
    )
    bulk.sync()
    return out
