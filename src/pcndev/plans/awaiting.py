"""What is awaiting a user's action: the plan versions where the workflow table has a step the user may take now.

Derived from workflow.TRANSITIONS and the same check as the buttons (permissions.can_act), never from a list
of its own. It reads the current (latest) version of every plan the user could act on in one query, with the
sign-offs in a second, and decides in Python: the number of queries does not grow with the number of plans.
"""

from django.db.models import OuterRef, QuerySet, Subquery

from pcndev.accounts.models import Role
from pcndev.accounts.scope import visible
from pcndev.orgs.models import PCN
from pcndev.plans import permissions as perms
from pcndev.plans import workflow
from pcndev.plans.models import PlanVersion

# Only these roles make someone a party to a plan (permissions.parties_of), so only their PCNs can await anything.
PARTY_ROLES = (Role.PCN_CD, Role.PLACE_LEAD, Role.SYSTEM_LEAD)
ACTIVE_STATES = tuple(dict.fromkeys(t.source for t in workflow.TRANSITIONS))


def current_versions(user, programme=None, roles=None) -> QuerySet[PlanVersion]:
    """The latest version of each plan whose PCN the user can see (through all their roles, or only `roles`)."""
    latest = PlanVersion.objects.filter(plan=OuterRef("plan")).order_by("-number").values("number")[:1]
    versions = PlanVersion.objects.filter(
        plan__pcn__in=visible(user, PCN, roles).values("pk"), number=Subquery(latest)
    )
    if programme is not None:
        versions = versions.filter(plan__programme=programme)
    return versions.select_related("plan__pcn__place__system", "plan__programme")


def awaiting_for(user) -> list[tuple[PlanVersion, list[workflow.Transition]]]:
    """(version, the transitions the user may take on it now) for every current version awaiting them."""
    if not user.is_authenticated:
        return []
    versions = (
        current_versions(user, roles=PARTY_ROLES)
        .filter(state__in=ACTIVE_STATES)
        .prefetch_related("signoffs")
        .order_by("-plan__programme__financial_year", "plan__programme__name", "plan__pcn__name", "pk")
    )
    out = []
    for version in versions:
        signoffs = {s.party: s.decision for s in version.signoffs.all()}
        actions = [
            t
            for t in workflow.transitions_from(version.state)
            if perms.can_act(user, version, t.action, signoffs)
        ]
        if actions:
            out.append((version, actions))
    return out
