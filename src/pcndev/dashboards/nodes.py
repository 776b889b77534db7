"""Which dashboards a user may open: a node of the org tree (national, a region, a system or a place) inside their
roles' reach, the PCNs under it, and its children for the breakdown table. Scope comes from accounts.scope only.

A role held at a node reaches its subtree, so a place lead opens their place's dashboard but not their system's
(a 404, as for any org page outside the subtree). Clinical directors and practice members have no dashboard:
their PCN's own pages serve them.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from pcndev.accounts.scope import scope_for, visible
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, Place, Region, System

NATIONAL = "national"
LEVELS = ("national", "region", "system", "place")
CHILD_LEVEL = {"national": "region", "region": "system", "system": "place", "place": "pcn"}
LEVEL_LABEL = {"national": "England", "region": "Region", "system": "System", "place": "Place", "pcn": "PCN"}
MODELS = {"region": Region, "system": System, "place": Place}
# How a PCN reaches each level's node, for filtering PCNs under a node.
PCN_PATH = {"region": "place__system__region", "system": "place__system", "place": "place"}


@dataclass(frozen=True)
class Node:
    """A dashboard's node: `obj` is None for England."""

    level: str
    obj: object = None

    @property
    def code(self) -> str:
        return self.obj.code if self.obj is not None else ""

    @property
    def name(self) -> str:
        return self.obj.name if self.obj is not None else "England"

    @property
    def child_level(self) -> str:
        return CHILD_LEVEL[self.level]

    def pcn_filter(self) -> Q:
        return Q() if self.obj is None else Q(**{PCN_PATH[self.level]: self.obj})


def node_url(programme_pk: int, node: Node) -> str:
    if node.level == NATIONAL:
        return reverse("dashboards:national", args=[programme_pk])
    return reverse("dashboards:node", args=[programme_pk, node.level, node.code])


def node_or_404(user, level: str, code: str = "") -> Node:
    """The node the user asked for, or 404 when it does not exist or lies outside their reach."""
    if level == NATIONAL:
        if code or not scope_for(user).national:
            raise Http404("No such dashboard")
        return Node(NATIONAL)
    model = MODELS.get(level)
    if model is None:
        raise Http404("No such dashboard")
    related = ("system__region",) if model is Place else ("region",) if model is System else ()
    return Node(level, get_visible_or_404(user, model, related, code=code))


def pcns_under(user, node: Node):
    """The PCNs under the node that the user can see (every one of them, for a node inside their reach)."""
    return visible(user, PCN).filter(node.pcn_filter())


def home_nodes(user) -> list[Node]:
    """The nodes the user's roles are held at (national first, then regions, systems and places, by name).

    Their dashboards are where the user lands; everything below them is reached by drilling down.
    """
    scope = scope_for(user)
    if scope.national:
        return [Node(NATIONAL)]
    out = []
    for level, ids in (
        ("region", scope.region_ids),
        ("system", scope.system_ids),
        ("place", scope.place_ids),
    ):
        if ids:
            out += [Node(level, obj) for obj in MODELS[level].objects.filter(pk__in=ids).order_by("name")]
    return out


def ancestors(user, node: Node) -> list[Node]:
    """The nodes above this one that the user may open too (for breadcrumbs), top first; no queries."""
    scope = scope_for(user)
    chain = []
    if node.level == "place":
        system = node.obj.system
        chain = [Node("region", system.region), Node("system", system)]
    elif node.level == "system":
        chain = [Node("region", node.obj.region)]
    if node.level != NATIONAL:
        chain = [Node(NATIONAL), *chain]

    def may_open(n: Node) -> bool:
        if scope.national:
            return True
        if n.level == "region":
            return n.obj.pk in scope.region_ids
        if n.level == "system":
            return n.obj.pk in scope.system_ids or n.obj.region_id in scope.region_ids
        return False

    return [n for n in chain if may_open(n)]


def child_of(pcn, child_level: str):
    """The node a PCN falls under at `child_level` (PCNs need place__system__region loaded)."""
    if child_level == "pcn":
        return pcn
    if child_level == "place":
        return pcn.place
    if child_level == "system":
        return pcn.place.system
    return pcn.place.system.region
