"""Granting and removing roles: the one service, audited."""

from django.db import transaction

from pcndev.accounts.models import ROLE_LEVEL, Role, RoleMembership
from pcndev.audit.services import record


class RoleError(ValueError):
    pass


@transaction.atomic
def grant_role(user, role: str, node=None, by=None) -> RoleMembership:
    level = ROLE_LEVEL.get(role)
    node_level = None if node is None else type(node)._meta.model_name
    if role != Role.VIEWER and level != (node_level or "national"):
        raise RoleError(
            f"A {Role(role).label} role is held at a {level}, not at {node_level or 'national level'}"
        )
    fields = {node_level: node} if node is not None else {}
    membership, created = RoleMembership.objects.get_or_create(user=user, role=role, **fields)
    if created:
        record(
            by,
            "role.granted",
            membership,
            None,
            {"user": user.email, "role": role, "node": str(node or "England")},
        )
    return membership


@transaction.atomic
def revoke_role(membership: RoleMembership, by=None) -> None:
    record(
        by,
        "role.revoked",
        membership,
        {"user": membership.user.email, "role": membership.role, "node": str(membership.node or "England")},
        None,
    )
    membership.delete()
