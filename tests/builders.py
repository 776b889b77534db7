"""Fast builders for org trees in tests: bulk inserts, predictable codes."""

import datetime
from dataclasses import dataclass, field

from pcndev.accounts.models import Role, User
from pcndev.accounts.roles import grant_role
from pcndev.orgs.models import PCN, ListSize, Place, Practice, PracticeMembership, Region, System

AS_OF = datetime.date(2021, 1, 1)
JOINED = datetime.date(2019, 7, 1)
PASSWORD = "a-long-test-password-1"


@dataclass
class Tree:
    regions: list[Region] = field(default_factory=list)
    systems: list[System] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    pcns: list[PCN] = field(default_factory=list)
    practices: list[Practice] = field(default_factory=list)
    unallocated: list[Practice] = field(default_factory=list)
    # each node's chain of ancestors (including itself), as (model name, code)
    lineage: dict[tuple[str, str], set[tuple[str, str]]] = field(default_factory=dict)


def build_tree(
    regions: int = 2,
    systems: int = 1,
    places: int = 1,
    pcns: int = 1,
    practices: int = 2,
    unallocated: int = 1,
    prefix: str = "",
) -> Tree:
    """A tree with the given fan-out at each level; list sizes are 1,000 × (practice number)."""
    tree = Tree()
    tree.regions = Region.objects.bulk_create(
        Region(code=f"{prefix}R{r}", name=f"{prefix}Region {r}") for r in range(regions)
    )
    tree.systems = System.objects.bulk_create(
        System(code=f"{reg.code}S{s}", name=f"{reg.name} System {s}", region=reg)
        for reg in tree.regions
        for s in range(systems)
    )
    tree.places = Place.objects.bulk_create(
        Place(code=f"{sy.code}P{p}", name=f"{sy.name} Place {p}", system=sy)
        for sy in tree.systems
        for p in range(places)
    )
    tree.pcns = PCN.objects.bulk_create(
        PCN(code=f"{pl.code}N{n}", name=f"{pl.name} PCN {n}", place=pl, imported_place=pl)
        for pl in tree.places
        for n in range(pcns)
    )
    place_by_id = {p.id: p for p in tree.places}
    members = []
    for pcn in tree.pcns:
        for k in range(practices):
            members.append(
                (
                    Practice(
                        code=f"{pcn.code}G{k}",
                        name=f"{pcn.name} Practice {k}",
                        home_place=place_by_id[pcn.place_id],
                    ),
                    pcn,
                )
            )
    loose = [
        Practice(code=f"{pl.code}U{k}", name=f"{pl.name} Unallocated {k}", home_place=pl)
        for pl in tree.places
        for k in range(unallocated)
    ]
    created = Practice.objects.bulk_create([p for p, _ in members] + loose)
    tree.practices = created[: len(members)]
    tree.unallocated = created[len(members) :]
    PracticeMembership.objects.bulk_create(
        PracticeMembership(practice=p, pcn=pcn, valid_from=JOINED)
        for p, (_, pcn) in zip(tree.practices, members, strict=True)
    )
    ListSize.objects.bulk_create(
        ListSize(practice=p, as_of=AS_OF, patients=1000 * (i + 1)) for i, p in enumerate(created)
    )
    _lineage(tree, members)
    return tree


def _lineage(tree: Tree, members) -> None:
    region = {r.id: r for r in tree.regions}
    system = {s.id: s for s in tree.systems}
    place = {p.id: p for p in tree.places}
    pcn = {n.id: n for n in tree.pcns}

    def up_place(pl):
        sy = system[pl.system_id]
        return {("place", pl.code), ("system", sy.code), ("region", region[sy.region_id].code)}

    for r in tree.regions:
        tree.lineage[("region", r.code)] = {("region", r.code)}
    for s in tree.systems:
        tree.lineage[("system", s.code)] = {("system", s.code), ("region", region[s.region_id].code)}
    for p in tree.places:
        tree.lineage[("place", p.code)] = up_place(p)
    for n in tree.pcns:
        tree.lineage[("pcn", n.code)] = {("pcn", n.code)} | up_place(place[n.place_id])
    for practice, n in members:
        tree.lineage[("practice", practice.code)] = {("practice", practice.code)} | tree.lineage[
            ("pcn", pcn[n.id].code)
        ]
    for practice in tree.unallocated:
        tree.lineage[("practice", practice.code)] = {("practice", practice.code)} | up_place(
            place[practice.home_place_id]
        )


def make_user(email: str, role: str | None = None, node=None) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, full_name=email.split("@")[0].title())
    if role:
        grant_role(user, role, node)
    return user


ROLE_NODE_LEVEL = {
    Role.NATIONAL_ADMIN: None,
    Role.REGION_LEAD: "region",
    Role.SYSTEM_LEAD: "system",
    Role.PLACE_LEAD: "place",
    Role.PCN_CD: "pcn",
    Role.PRACTICE_MEMBER: "practice",
}
