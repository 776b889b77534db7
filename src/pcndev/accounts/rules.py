"""`rules` permissions for organisations, built on the Decision functions in permissions.py.

Django's `user.has_perm("orgs.view_pcn", pcn)` and the views/API all end up in the same checks.
"""

import rules

from pcndev.accounts import permissions


@rules.predicate
def can_view(user, obj):
    return obj is not None and permissions.can_view(user, obj).allowed


@rules.predicate
def can_define_places(user, system):
    return system is not None and permissions.can_define_places(user, system).allowed


@rules.predicate
def can_edit_pcn(user, pcn):
    return pcn is not None and permissions.can_edit_pcn(user, pcn).allowed


for model in ("region", "system", "place", "pcn", "practice"):
    rules.add_perm(f"orgs.view_{model}", can_view)
rules.add_perm("orgs.define_places", can_define_places)
rules.add_perm("orgs.change_pcn", can_edit_pcn)
