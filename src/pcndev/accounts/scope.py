"""Where a user's roles reach: the subtree below each org node they hold a role at.

Querysets and object checks both come from the same Q filters, so a page can never show what a
permission check would refuse (or the reverse).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from pcndev.accounts.models import Role, RoleMembership
from pcndev.orgs.models import PCN, Place, Practice, PracticeMembership, Region, System

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    national: bool = False
    region_ids: frozenset[int] = frozenset()
    system_ids: frozenset[int] = frozenset()
    place_ids: frozenset[int] = frozenset()
    pcn_ids: frozenset[int] = frozenset()
    practice_ids: frozenset[int] = frozenset()

    @classmethod
    def from_memberships(cls, memberships: Iterable[RoleMembership]) -> "Scope":
        ids: dict[str, set[int]] = {
            "region": set(),
            "system": set(),
            "place": set(),
            "pcn": set(),
            "practice": set(),
        }
        national = False
        for membership in memberships:
            level = membership.level
            if level == "national":
                national = True
            else:
                ids[level].add(getattr(membership, f"{level}_id"))
        return cls(
            national=national,
            region_ids=frozenset(ids["region"]),
            system_ids=frozenset(ids["system"]),
            place_ids=frozenset(ids["place"]),
            pcn_ids=frozenset(ids["pcn"]),
            practice_ids=frozenset(ids["practice"]),
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.national
            or self.region_ids
            or self.system_ids
            or self.place_ids
            or self.pcn_ids
            or self.practice_ids
        )

    @staticmethod
    def _any(*parts: tuple[str, frozenset[int]]) -> Q:
        q = NOTHING
        for lookup, ids in parts:
            if ids:
                q |= Q(**{f"{lookup}__in": ids})
        return q

    # Q filters per model. `prefix` lets another model filter through a relation (e.g. "pcn__").
    def regions(self, prefix: str = "") -> Q:
        return Q() if self.national else self._any((f"{prefix}id", self.region_ids))

    def systems(self, prefix: str = "") -> Q:
        if self.national:
            return Q()
        return self._any((f"{prefix}id", self.system_ids), (f"{prefix}region_id", self.region_ids))

    def places(self, prefix: str = "") -> Q:
        if self.national:
            return Q()
        return self._any(
            (f"{prefix}id", self.place_ids),
            (f"{prefix}system_id", self.system_ids),
            (f"{prefix}system__region_id", self.region_ids),
        )

    def _places_empty(self) -> bool:
        return not (self.place_ids or self.system_ids or self.region_ids)

    def pcns(self, prefix: str = "") -> Q:
        if self.national:
            return Q()
        q = self._any((f"{prefix}id", self.pcn_ids))
        if not self._places_empty():
            q |= self.places(f"{prefix}place__")
        return q

    def practices(self) -> Q:
        """A practice sits under its current PCN, or, with no PCN, under its home place."""
        if self.national:
            return Q()
        q = self._any(("id", self.practice_ids))
        if self.pcn_ids or not self._places_empty():
            current = PracticeMembership.objects.filter(practice=OuterRef("pk"), valid_to__isnull=True)
            q |= Exists(current.filter(self.pcns("pcn__")))
            if not self._places_empty():
                q |= ~Exists(current) & self.places("home_place__")
        return q


VIEW_FILTERS = {
    Region: Scope.regions,
    System: Scope.systems,
    Place: Scope.places,
    PCN: Scope.pcns,
    Practice: Scope.practices,
}

MANAGER_ROLES = (Role.NATIONAL_ADMIN, Role.REGION_LEAD, Role.SYSTEM_LEAD, Role.PLACE_LEAD)


def _memberships(user) -> list[RoleMembership]:
    cached = getattr(user, "_pcndev_memberships", None)
    if cached is None:
        cached = (
            list(RoleMembership.objects.filter(user=user)) if user.is_authenticated and user.is_active else []
        )
        user._pcndev_memberships = cached
    return cached


def scope_for(user, roles: Iterable[str] | None = None) -> Scope:
    """The subtree the user's roles (all of them, or only `roles`) reach."""
    wanted = None if roles is None else set(roles)
    return Scope.from_memberships(m for m in _memberships(user) if wanted is None or m.role in wanted)


def visible(user, model, roles: Iterable[str] | None = None):
    """The objects of `model` the user may see: the one queryset every page and endpoint starts from."""
    q = VIEW_FILTERS[model](scope_for(user, roles))
    return model.objects.filter(q)
