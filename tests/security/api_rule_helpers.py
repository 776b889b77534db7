"""Building API rules: one action each (view, edit or transition), keyed by "pcndev_api_" + the operation."""

from tests.security.access import Rule, reach

A = "pcndev_api_"


def view(kind, who=None, **kw) -> Rule:
    return Rule(kind, {"view": who or reach()}, **kw)


def edit(kind, who, body=None, sees=None, **kw) -> Rule:
    return Rule(kind, {"edit": who}, sees=sees or reach(), body=body, **kw)


def act(kind, who, body=None, sees=None, **kw) -> Rule:
    return Rule(kind, {"transition": who}, sees=sees or reach(), body=body, **kw)
