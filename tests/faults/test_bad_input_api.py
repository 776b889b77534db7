"""Every API operation gets oversized, Unicode, NUL, negative, empty and wrongly typed values in each field of its
body, each query parameter and each path parameter: never a server error, and every refusal is JSON with a
`detail` saying what is wrong.

The operations come from the OpenAPI document. Each starts from a plausible request on the demo data (the fuzz
world's real ids and codes, and the lock version the object has), sent as a user who gets past the permission
check with it where one does, so that the bad value reaches the validation behind it. Every request is rolled
back.
"""

import json
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.test import Client

from pcndev.api.urls import api
from tests.faults.api_inputs import BAD_BY_TYPE, HUGE, Document, with_bad
from tests.faults.bad_values import BAD_VALUES
from tests.fuzz.world import build_world

DOCUMENT = Document(json.loads(json.dumps(api.get_openapi_schema(), default=str)))
OPERATIONS = [
    (method.upper(), path, operation)
    for path, methods in DOCUMENT.raw["paths"].items()
    for method, operation in methods.items()
]
BAD_PATH = [BAD_VALUES["oversized text"], BAD_VALUES["unicode"], BAD_VALUES["nul"], "-1", str(HUGE)]
REFUSED = (401, 403, 404)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def _send(client, method, path, params, query=None, body=None):
    url = path.format(**{k: quote(str(v), safe="") for k, v in params.items()})
    if query:
        url += "?" + urlencode(query, doseq=True)
    data = json.dumps(body) if body is not None else ""
    with transaction.atomic():
        response = client.generic(method, url, data, content_type="application/json")
        transaction.set_rollback(True)
    return response


def _starts(world, path, operation):
    """(identity, path params, body, query) to start from: a plausible request past the permission check if
    some story and user give one, else the first story's as the national administrator."""
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
    fields, is_list = DOCUMENT.body_fields(operation)
    for story in [None, *world.stories]:
        params = {n: (world.path_values(path, n, story) or [None])[0] for n in names}
        if None in params.values():
            continue
        values = lambda n, story=story: world.field_values(n, story)  # noqa: E731
        body = DOCUMENT.example(fields, values=values) if fields else None
        if isinstance(body, dict) and "lock_version" in body:
            body["lock_version"] = world.live_lock(path, params) or body["lock_version"]
        body = [body] if is_list and body is not None else body
        query = {q: DOCUMENT.example(s, q, values) for q, s in DOCUMENT.query(operation).items()}
        query = {k: v for k, v in query.items() if k in ("limit", "offset") or world.field_values(k, story)}
        yield story, params, body, query, is_list


def _clients(world) -> dict[str, Client]:
    return {
        who: Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")
        for who, token in world.tokens.items()
    }


def _start(world, method, path, operation):
    clients, first = _clients(world), None
    for story, params, body, query, is_list in _starts(world, path, operation):
        cast = list(dict.fromkeys([*(story or {}).get("roles", []), *clients]))
        for who in cast:
            first = first or (who, params, body, query, is_list)
            if _send(clients[who], method, path, params, query, body).status_code not in REFUSED:
                return clients[who], (who, params, body, query, is_list), True
        if story is None:
            continue
    who = "national_admin" if first else None
    return (clients[who] if who else None), first, False


def _problem(response) -> str | None:
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail")
        except (ValueError, AttributeError):
            return f"{response.status_code} that is not JSON"
        if not detail:
            return f"{response.status_code} without a detail"
    return None


@pytest.mark.parametrize("method,path,operation", OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_every_field_of_every_operation_refuses_bad_values_clearly(world, db, method, path, operation):
    client, start, reached = _start(world, method, path, operation)
    if start is None:
        pytest.skip("no real value for a path parameter")
    who, params, body, query, is_list = start
    fields, _ = DOCUMENT.body_fields(operation)
    problems = []

    def check(response, where):
        if problem := _problem(response):
            problems.append(f"{where} as {who}: {problem}: {response.content[:200]!r}")

    for name, schema in (fields or {}).get("properties", {}).items():
        for bad in BAD_BY_TYPE[DOCUMENT.kind(schema)]:
            check(
                _send(client, method, path, params, query, with_bad(body, is_list, name, bad)),
                f"body {name}={bad!r:.30}",
            )
    for name, schema in DOCUMENT.query(operation).items():
        for bad in BAD_BY_TYPE[DOCUMENT.kind(schema)]:
            check(
                _send(client, method, path, params, {**query, name: "" if bad is None else bad}, body),
                f"query {name}={bad!r:.30}",
            )
    for name in params:
        for bad in BAD_PATH:
            check(_send(client, method, path, {**params, name: bad}, query, body), f"path {name}={bad!r:.30}")
    assert not problems, ("" if reached else "(not past the permission check) ") + "\n".join(problems)
