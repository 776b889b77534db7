"""Who may do what with money. Each check returns a Decision (allowed, reason)."""

from pcndev.accounts.models import Role
from pcndev.accounts.permissions import ALLOW, NOT_SIGNED_IN, Decision, in_scope
from pcndev.accounts.scope import MANAGER_ROLES, scope_for, visible
from pcndev.orgs.models import PCN


def can_create_programme(user) -> Decision:
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if scope_for(user, [Role.NATIONAL_ADMIN]).national:
        return ALLOW
    return Decision(False, "Only a national administrator can set up a programme.")


def can_manage_money(user, node) -> Decision:
    """Allocate, top up and post to the ledger for a system, place or PCN: a lead whose role covers it."""
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if node is None:
        return can_create_programme(user)
    if in_scope(user, node, MANAGER_ROLES):
        return ALLOW
    return Decision(
        False, f"Only a place, system, region or national lead covering {node} can change its money."
    )


def can_view_ledger(user) -> Decision:
    """The programme-wide ledger lists the entries of the PCNs a user's roles reach; it needs at least one."""
    if not user.is_authenticated:
        return NOT_SIGNED_IN
    if visible(user, PCN).exists():
        return ALLOW
    return Decision(False, "The ledger lists PCNs' money, and your roles do not cover a PCN.")
