"""The registries the suite is generated from: every Django URL pattern, and every API operation in OpenAPI."""

import re
from dataclasses import dataclass
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver

from pcndev.api.urls import api

API_PREFIX = "api/v1/"
# Left out on purpose, and only these: the Django admin (support staff, its own permissions) and static files.
EXCLUDED_PREFIXES = ("admin/", "static/")


@dataclass(frozen=True)
class Page:
    name: str  # namespaced URL name, e.g. "funding:pcn"
    route: str  # e.g. "funding/<int:pk>/pcns/<str:code>/"
    params: tuple  # the URL's parameter names


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str  # e.g. "/api/v1/programmes/{pk}/ledger"

    @property
    def params(self) -> tuple:
        return tuple(re.findall(r"{(\w+)}", self.path))


def _walk(resolver, prefix="", namespace="", params=()):
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        found = params + tuple(getattr(p.pattern, "converters", {}))
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace) if x)
            yield from _walk(p, route, ns, found)
        elif isinstance(p, URLPattern):
            name = ":".join(x for x in (namespace, p.name or "") if x)
            yield Page(name, route, found)


@cache
def all_patterns() -> list[Page]:
    """Every URL pattern but the explicitly excluded ones (the API's are listed too, as Django sees them)."""
    return [p for p in _walk(get_resolver()) if not p.route.startswith(EXCLUDED_PREFIXES)]


def pages() -> list[Page]:
    """The site's own pages (the API's patterns are covered operation by operation)."""
    return [p for p in all_patterns() if not p.route.startswith(API_PREFIX)]


@cache
def operations() -> list[Operation]:
    schema = api.get_openapi_schema()
    return [
        Operation(op["operationId"], method.upper(), path)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    ]


def api_route_as_openapi(route: str) -> str:
    """'api/v1/programmes/<pk>/ledger' (as Django has it) → '/api/v1/programmes/{pk}/ledger' (as OpenAPI has it)."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
