"""Breadcrumbs for the org browser: every ancestor is named, and linked only if the user may open it."""

from django.urls import reverse

from pcndev.accounts.scope import scope_for
from pcndev.orgs.models import PCN, Place, Practice, Region, System


def _reaches(scope, node) -> bool:
    """Whether the scope covers `node` (a region, system, place or PCN whose parents are loaded)."""
    if scope.national:
        return True
    if isinstance(node, Region):
        return node.id in scope.region_ids
    if isinstance(node, System):
        return node.id in scope.system_ids or node.region_id in scope.region_ids
    if isinstance(node, Place):
        return node.id in scope.place_ids or _reaches(scope, node.system)
    if isinstance(node, PCN):
        return node.id in scope.pcn_ids or _reaches(scope, node.place)
    return False


def node_url(node) -> str:
    name = {Region: "region", System: "system", Place: "place", PCN: "pcn", Practice: "practice"}[type(node)]
    return reverse(f"orgs:{name}", args=[node.code])


def ancestors(node) -> list:
    if isinstance(node, Practice):
        pcn = node.current_pcn
        return [*ancestors(pcn), pcn] if pcn else [*ancestors(node.home_place), node.home_place]
    if isinstance(node, PCN):
        return [*ancestors(node.place), node.place]
    if isinstance(node, Place):
        return [node.system.region, node.system]
    if isinstance(node, System):
        return [node.region]
    return []


def breadcrumb_items(user, node) -> list[dict]:
    scope = scope_for(user)
    items = [{"text": "Home", "href": reverse("home")}]
    if scope.national:
        items.append({"text": "England", "href": reverse("orgs:index")})
    for parent in ancestors(node):
        item = {"text": str(parent)}
        if _reaches(scope, parent):
            item["href"] = node_url(parent)
        items.append(item)
    return items
