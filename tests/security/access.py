"""The vocabulary of the rule tables: who may do something to an object (predicates over a holder and the object's
org node), and a Rule saying what a URL or API operation is about, which actions it offers and who may do each.

Expected outcome of a request (see `expected`):
* anonymous: the sign-in page (UI) or 401 (API), unless the rule is public;
* the object is outside what the role sees: `hide` (404: no hint it exists);
* the role sees it but may not do the action: `deny` (403 with the reason; some pages answer 404 instead);
* allowed: 2xx/3xx, or 400/409/422 for the intentionally empty, invalid or stale body the suite sends.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from pcndev.accounts.models import Role

MANAGER_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.REGION_LEAD, Role.SYSTEM_LEAD, Role.PLACE_LEAD})
TEMPLATE_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.REGION_LEAD, Role.SYSTEM_LEAD})
ACTIONS = ("view", "edit", "transition", "export")
VIEW_OK = frozenset({200})
WRITE_OK = frozenset({200, 201, 204, 302, 400, 409, 422})


@dataclass(frozen=True)
class Target:
    """The org node an object belongs to (None for objects of no organisation: programmes, templates…)."""

    level: str
    code: str
    name: str
    lineage: frozenset


class Who:
    """A predicate over (holder, target); `|` and `&` combine them."""

    def __init__(self, test: Callable, label: str):
        self.test, self.label = test, label

    def __call__(self, holder, target) -> bool:
        return holder.role is not None and bool(self.test(holder, target))

    def __or__(self, other: "Who") -> "Who":
        return Who(lambda h, t: self(h, t) or other(h, t), f"{self.label} or {other.label}")

    def __and__(self, other: "Who") -> "Who":
        return Who(lambda h, t: self(h, t) and other(h, t), f"{self.label} and {other.label}")

    def __repr__(self) -> str:
        return self.label


def _reaches(h, t) -> bool:
    return h.national or t is None or (h.level, h.code) in t.lineage


def reach(*roles) -> Who:
    """The role (any, or one of `roles`) is held at the object's node or above it: its subtree holds the object."""
    wanted = frozenset(roles)
    label = "reach" + (f"({', '.join(sorted(r.value for r in wanted))})" if wanted else "")
    return Who(lambda h, t: (not wanted or h.role in wanted) and _reaches(h, t), label)


def related(*roles) -> Who:
    """The object lies in the role's subtree or the role sits under the object (a PCN's practices take part in
    its self-assessment): how the self-assessment pages decide who is involved."""
    wanted = frozenset(roles)
    below = Who(lambda h, t: t is not None and (t.level, t.code) in h.lineage, "under")
    return Who(lambda h, t: not wanted or h.role in wanted, "") & (reach() | below)


def holds(*roles, levels=None) -> Who:
    """Holds one of `roles` anywhere (checks about no particular object, e.g. "may open a round")."""
    wanted = frozenset(roles)
    return Who(
        lambda h, t: (not wanted or h.role in wanted) and (levels is None or h.level in levels),
        f"holds({', '.join(sorted(r.value for r in wanted)) or 'any'}{'' if levels is None else f' at {levels}'})",
    )


ANYONE = Who(lambda h, t: True, "anyone signed in")
NOBODY = Who(lambda h, t: False, "nobody")
NATIONAL = Who(lambda h, t: h.national, "national admin")
MANAGERS = holds(*MANAGER_ROLES)
TEMPLATE_MANAGERS = holds(*TEMPLATE_ROLES)
# Roles whose reach includes at least one PCN / place (a practice-level role reaches neither).
SEES_A_PCN = holds(levels=(None, "region", "system", "place", "pcn"))
SEES_A_PLACE = holds(levels=(None, "region", "system", "place"))
# Place level and above (managers and viewers): heatmaps and comparisons name PCNs, so they are for them only.
OVERSEERS = SEES_A_PLACE


@dataclass(frozen=True)
class Rule:
    """What one URL pattern (or API operation) is about and who may do what with it.

    kind: the object kind (a key of kinds.KINDS), giving the URL parameters for each variant of the object;
    actions: action name → who may. UI: view/export are GETs, edit/transition are POSTs. API: one action each.
    sees: who sees the object at all (default: whoever may view it, else the org reach); others get `hide`.
    """

    kind: str
    actions: dict
    sees: Who | None = None
    reads: Who | None = None  # who may read it: refused an action, they get 403 (others who see it: `deny`)
    deny: int = 403
    hide: int = 404
    ok: frozenset = VIEW_OK
    query: dict = field(default_factory=dict)  # GET parameters for view
    export: tuple = ()  # formats for ?format=… (empty: the URL itself is the download)
    body: Callable | None = None  # (world, variant) -> POST data / JSON body
    public: bool = False
    shows_system_places: bool = False  # by design it names the other places of the system (see `note`)
    note: str = ""

    def who_sees(self) -> Who:
        return self.sees or self.actions.get("view") or self.actions.get("export") or reach()


def expected(rule: Rule, action: str, holder, target, api: bool) -> frozenset:
    if rule.public:
        return rule.ok
    if holder.role is None:
        return frozenset({401}) if api else frozenset({302})
    if not rule.who_sees()(holder, target):
        return frozenset({rule.hide})
    if not rule.actions[action](holder, target):
        reads = rule.reads or rule.actions.get("view")
        if action != "view" and reads is not None and reads(holder, target):
            return frozenset({403})
        return frozenset({rule.deny})
    return rule.ok if action in ("view", "export") else WRITE_OK


def rules_of(entry) -> tuple:
    """A table entry is one Rule or several (sub-cases, e.g. one per workflow action)."""
    return entry if isinstance(entry, tuple) else (entry,)
