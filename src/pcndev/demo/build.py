"""Build the demo: a realistic fictional region, two systems, ~30 PCNs and ~180 practices, users for every role.

Deterministic (seeded), idempotent (a second run changes nothing), and fast (bulk writes).
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from pcndev.accounts.models import Role, User
from pcndev.accounts.roles import grant_role
from pcndev.audit.services import record
from pcndev.demo import data
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

DEMO_PASSWORD = "pcndev-demo-2019"
PCNS_ESTABLISHED = datetime.date(2019, 7, 1)
LIST_DATES = (datetime.date(2019, 4, 1), datetime.date(2020, 1, 1))


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    where: str


def _pcn_size(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.1:
        return rng.randint(21_000, 29_500)
    if roll < 0.2:
        return rng.randint(51_000, 72_000)
    return rng.randint(31_000, 49_500)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    weights = [rng.uniform(0.5, 2.0) for _ in range(parts)]
    scale = sum(weights)
    sizes = [max(1_500, int(total * w / scale)) for w in weights]
    return sizes


def _person(rng: random.Random) -> str:
    return f"Dr {rng.choice(data.FIRST_NAMES)} {rng.choice(data.SURNAMES)}"


@transaction.atomic
def build_demo() -> bool:
    """Create the demo organisations if they are not there yet. Returns True when it built them."""
    if Region.objects.filter(code=data.REGION[0]).exists():
        return False
    rng = random.Random(2019)
    region = Region.objects.create(code=data.REGION[0], name=data.REGION[1])
    streets = list(data.STREETS)
    practice_no = pcn_no = 0
    practices, memberships, sizes, directors = [], [], [], []
    for sys_code, sys_name, ccgs in data.SYSTEMS:
        system = System.objects.create(code=sys_code, name=sys_name, kind=System.Kind.ICS, region=region)
        for ccg_code, ccg_name, boroughs in ccgs:
            ccg = Place.objects.create(code=ccg_code, name=ccg_name, kind=Place.Kind.CCG, system=system)
            federation = PayeeOrganisation.objects.create(name=data.FEDERATIONS[ccg_code])
            for borough_code, borough_name, towns in boroughs:
                place = ccg
                if borough_code:
                    place = Place.objects.create(
                        code=borough_code, name=borough_name, kind=Place.Kind.DEFINED, system=system
                    )
                for town in towns:
                    pcn_no += 1
                    pcn = PCN.objects.create(
                        code=f"U9{pcn_no:04d}",
                        name=f"{town} PCN",
                        place=place,
                        imported_place=ccg,
                        place_source=PCN.PlaceSource.MANUAL if borough_code else PCN.PlaceSource.IMPORTED,
                        payee=federation if pcn_no % 5 else None,
                    )
                    share_split = (60, 40) if pcn_no % 7 == 0 else (50, 50) if pcn_no % 6 == 0 else (100,)
                    for share in share_split:
                        directors.append(
                            ClinicalDirector(
                                pcn=pcn,
                                name=_person(rng),
                                share_percent=share,
                                profession=rng.choice(data.PROFESSIONS),
                            )
                        )
                    count = rng.randint(3, 9)
                    for size in _split(rng, _pcn_size(rng), count):
                        practice_no += 1
                        street = streets[practice_no % len(streets)]
                        name = rng.choice(data.PRACTICE_STYLES).format(street if rng.random() < 0.6 else town)
                        practice = Practice(
                            code=f"Z9{practice_no:04d}",
                            name=name,
                            postcode=f"ZZ{pcn_no % 9 + 1} {practice_no % 9 + 1}{chr(65 + practice_no % 26)}{chr(65 + pcn_no % 26)}",
                            home_place=ccg,
                        )
                        practices.append(practice)
                        memberships.append((practice, pcn))
                        sizes.append((practice, size))
            # Two practices with no PCN (a special allocation scheme and a closing practice), as in real data.
            for label, patients in (("Special Allocation Scheme", 120), ("Old Mill Surgery (closing)", 900)):
                practice_no += 1
                practice = Practice(
                    code=f"Z9{practice_no:04d}", name=f"{ccg_name.split(' ')[0]} {label}", home_place=ccg
                )
                practices.append(practice)
                sizes.append((practice, patients))
    Practice.objects.bulk_create(practices)
    PracticeMembership.objects.bulk_create(
        PracticeMembership(practice=p, pcn=pcn, valid_from=PCNS_ESTABLISHED) for p, pcn in memberships
    )
    ListSize.objects.bulk_create(
        ListSize(practice=p, as_of=day, patients=int(size * (0.99 if day == LIST_DATES[0] else 1.0)))
        for p, size in sizes
        for day in LIST_DATES
    )
    ClinicalDirector.objects.bulk_create(directors)
    record(None, "demo.built", region, None, {"pcns": pcn_no, "practices": practice_no})
    return True


def ensure_users() -> list[DemoLogin]:
    """One user per role, placed where the demo story happens: Chalkhill's first PCN."""
    region = Region.objects.get(code=data.REGION[0])
    system = System.objects.get(code="QZ1")
    place = Place.objects.get(code="RBD-CHALKHILL")
    pcn = place.pcns.order_by("code").first()
    practice = (
        Practice.objects.filter(memberships__pcn=pcn, memberships__valid_to__isnull=True)
        .order_by("code")
        .first()
    )
    cast = [
        ("admin@pcndev.example", "Ada Admin", Role.NATIONAL_ADMIN, None),
        ("region.lead@pcndev.example", "Rhys Regional", Role.REGION_LEAD, region),
        ("system.lead@pcndev.example", "Sita Systems", Role.SYSTEM_LEAD, system),
        ("place.lead@pcndev.example", "Paul Place", Role.PLACE_LEAD, place),
        ("cd@pcndev.example", "Dr Clare Director", Role.PCN_CD, pcn),
        ("practice@pcndev.example", "Priya Practice", Role.PRACTICE_MEMBER, practice),
        ("viewer@pcndev.example", "Vic Viewer", Role.VIEWER, system),
    ]
    logins = []
    for email, name, role, node in cast:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
            if role == Role.NATIONAL_ADMIN:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
        grant_role(user, role, node)
        logins.append(DemoLogin(email, Role(role).label, str(node) if node else "England"))
    director = pcn.clinical_directors.order_by("-share_percent", "id").first()
    if director and director.user_id is None:
        director.user = User.objects.get(email="cd@pcndev.example")
        director.name = "Dr Clare Director"
        director.save(update_fields=["user", "name"])
    return logins
