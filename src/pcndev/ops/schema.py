"""The schema a backup belongs to: the latest applied migration of each app."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.migrations.loader import MigrationLoader

Schema = dict[str, str]


def _latest(nodes: Iterable[tuple[str, str]], loader: MigrationLoader) -> Schema:
    """Per app, the migrations no other one of the set depends on ("a+b" after an unmerged branch)."""
    by_app: dict[str, set[str]] = defaultdict(set)
    for app, name in nodes:
        if app in loader.migrated_apps:
            by_app[app].add(name)
    latest = {}
    for app, names in by_app.items():
        tips = []
        for name in names:
            node = loader.graph.node_map.get((app, name))
            children = {child[1] for child in node.children if child[0] == app} if node else set()
            if not children & names:
                tips.append(name)
        latest[app] = "+".join(sorted(tips))
    return dict(sorted(latest.items()))


def applied_schema(connection) -> Schema:
    """What the database has applied (an app recorded in django_migrations but gone from the code is ignored)."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return _latest(loader.applied_migrations, loader)


def code_schema(connection) -> Schema:
    """What `migrate` would bring the database to with this code."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return _latest(loader.graph.leaf_nodes(), loader)


def schema_differences(wanted: Schema, have: Schema, names=("backup", "database")) -> list[str]:
    """One "app: backup X, database Y" per app whose latest migration differs."""
    out = []
    for app in sorted(wanted.keys() | have.keys()):
        a, b = wanted.get(app, "(none)"), have.get(app, "(none)")
        if a != b:
            out.append(f"{app}: {names[0]} {a}, {names[1]} {b}")
    return out


def has_no_tables(connection) -> bool:
    return not connection.introspection.table_names()
