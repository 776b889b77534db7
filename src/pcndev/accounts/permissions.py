"""Permission checks. Each returns a Decision (allowed, reason); the reason is shown to the user.

The same functions back the `rules` permissions registered in rules.py, the views and the API.
"""

from dataclasses import dataclass

from pcndev.accounts.models import Role
from pcndev.accounts.scope import MANAGER_ROLES, VIEW_FILTERS, scope_for
from pcndev.orgs.models import PCN, System


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)
NOT_SIGNED_IN = Decision(False, "Sign in to continue.")

PLACE_DEFINERS = (Role.NATIONAL_ADMIN, Role.REGION_LEAD, Role.SYSTEM_LEAD)


def in_scope(user, obj, roles=None) -> bool:
    """Whether obj lies in the subtree of the user's roles (all, or only `roles`)."""
    q = VIEW_FILTERS[type(obj)](scope_for(user, roles))
    return type(obj).objects.filter(q, pk=obj.pk).exists()


def can_view(user, obj) -> Decision:
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if in_scope(user, obj):
        return ALLOW
    return Decision(False, f"{obj} is outside the organisations your roles cover.")


def can_define_places(user, system: System) -> Decision:
    """Regroup a system's PCNs into local places: the system's lead, its region's lead, or a national admin."""
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if in_scope(user, system, PLACE_DEFINERS):
        return ALLOW
    return Decision(
        False,
        f"Only a system lead for {system}, its region lead or a national administrator can define places.",
    )


def can_edit_pcn(user, pcn: PCN) -> Decision:
    """Change a PCN's clinical directors or payee: a lead whose place, system or region covers the PCN."""
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if in_scope(user, pcn, MANAGER_ROLES):
        return ALLOW
    return Decision(
        False, f"Only the place lead for {pcn.place} (or a system, region or national lead) can change {pcn}."
    )
