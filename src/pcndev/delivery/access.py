"""Who may change a timetable's dates: a place lead for their place, a system lead for their system."""

from pcndev.accounts.models import Role
from pcndev.accounts.scope import scope_for
from pcndev.orgs.models import Place, System


def lead_nodes(user) -> list:
    """The places and systems whose dates the user may change."""
    places = scope_for(user, [Role.PLACE_LEAD]).place_ids
    systems = scope_for(user, [Role.SYSTEM_LEAD]).system_ids
    out = list(System.objects.filter(pk__in=systems).order_by("name"))
    out += list(Place.objects.filter(pk__in=places).select_related("system").order_by("name"))
    return out


def can_override(user, node) -> bool:
    if isinstance(node, Place):
        return node.pk in scope_for(user, [Role.PLACE_LEAD]).place_ids
    if isinstance(node, System):
        return node.pk in scope_for(user, [Role.SYSTEM_LEAD]).system_ids
    return False
