"""The API fuzzer: schemathesis cases for one operation at a time, sent through the WSGI app as a user of each
role, checked for server errors and for conformance to the OpenAPI document (documented status code, content
type, body schema). Used by tests/fuzz/ (bounded) and bench/fuzz.py (the full run).

Each generated case draws a role, positive or negative data and, most of the time, real ids and codes for its
path parameters (tests/fuzz/world.py), so that requests reach real programmes, plans, rounds and reviews.
"""

import copy
import json
import traceback
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
KEEP = 3  # failures kept per operation, with how to reproduce them
REAL_PATH_ODDS = 0.8  # how often a path parameter takes a real value when one is known
REAL_FIELD_ODDS = 0.7  # how often a body or query field naming an object does
STORY_ODDS = 0.6  # how often a case's path and fields all come from one story (one PCN's plan, rounds…)


def load_schema():
    """The OpenAPI document as the app serves it at /api/v1/openapi.json."""
    from pcndev.api.urls import api

    raw = json.loads(json.dumps(api.get_openapi_schema(), default=str))
    return schemathesis.openapi.from_dict(raw)


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


@dataclass
class Stats:
    requests: int = 0
    by_status: Counter = field(default_factory=Counter)
    server_errors: list = field(default_factory=list)
    schema_failures: list = field(default_factory=list)
    per_operation: Counter = field(default_factory=Counter)
    statuses: dict = field(default_factory=dict)  # operation → Counter of statuses

    def as_json(self) -> dict:
        return {
            "requests": self.requests,
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "server_errors": len(self.server_errors),
            "schema_failures": len(self.schema_failures),
            "operations": len(self.per_operation),
        }


@contextmanager
def app_requests():
    """Let the WSGI handler serve requests inside a test's transaction (as Django's test client does): the
    request signals must not close the connection, and unhandled exceptions are kept for the report."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import got_request_exception, request_finished, request_started
    from django.db import close_old_connections

    errors: list[str] = []

    def keep(sender, request=None, **kwargs):
        errors.append(traceback.format_exc(limit=-8))

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(keep)
    try:
        yield WSGIHandler(), errors
    finally:
        got_request_exception.disconnect(keep)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz_operation(
    operation, world, app, errors: list, stats: Stats, max_examples: int, seed: int = 0
) -> None:
    """Generate up to `max_examples` cases for the operation, send each, and record what came back."""
    roles = sorted(world.tokens)
    names = [p.name for p in operation.path_parameters]
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]

    @hypothesis.settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @hypothesis.given(data=st.data())
    def run(data):
        mode = data.draw(st.sampled_from(modes), label="mode")
        story = None
        if world.stories and data.draw(st.floats(0, 1), label="story?") < STORY_ODDS:
            story = data.draw(st.sampled_from(world.stories), label="story")
        cast = story["roles"] if story and data.draw(st.booleans(), label="story's roles?") else roles
        role = data.draw(st.sampled_from(cast), label="role")
        fixed = {}
        for name in names:
            known = world.path_values(operation.path, name, story)
            if known and data.draw(st.floats(0, 1), label=f"real {name}?") < REAL_PATH_ODDS:
                fixed[name] = data.draw(st.sampled_from(known), label=name)
        case = data.draw(operation.as_strategy(generation_mode=mode, path_parameters=fixed or None))
        if mode is GenerationMode.POSITIVE:  # keep negative cases as generated: they must stay invalid
            _real_fields(data, world, case, story)
        errors.clear()
        response = case.call(app=app, headers={"Authorization": f"Bearer {world.tokens[role]}"})
        stats.requests += 1
        stats.by_status[response.status_code] += 1
        stats.per_operation[operation.label] += 1
        stats.statuses.setdefault(operation.label, Counter())[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            _keep(stats, operation, role, case, response, group, errors)

    hypothesis.seed(seed)(run)()  # a fixed stream of cases for each seed


def _real_fields(data, world, case, story) -> None:
    """Most of the time, give the fields that name objects (a PCN, an element, a plan version…) real values."""

    def visit(value):
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for key in list(value):
                known = world.field_values(key, story)
                if not known or data.draw(st.floats(0, 1), label=f"real {key}?") >= REAL_FIELD_ODDS:
                    visit(value[key])
                elif (
                    key == "lock_version"
                    and (live := world.live_lock(case.operation.path, case.path_parameters)) is not None
                ):
                    value[key] = live
                else:
                    value[key] = copy.deepcopy(data.draw(st.sampled_from(known), label=key))

    if isinstance(case.query, dict):
        visit(case.query)
    body = getattr(case, "body", None)
    if isinstance(body, dict | list):
        visit(body)


def _keep(stats: Stats, operation, role, case, response, group, errors) -> None:
    server = response.status_code >= 500
    bucket = stats.server_errors if server else stats.schema_failures
    label = operation.label
    if sum(1 for f in bucket if f["operation"] == label) >= KEEP:
        bucket.append({"operation": label})
        return
    bucket.append(
        {
            "operation": label,
            "role": role,
            "status": response.status_code,
            "failures": sorted(
                {f"{type(f).__name__}: {f.title}: {f.message[:300]}" for f in group.exceptions}
            ),
            "request": f"{case.method} {case.formatted_path} query={case.query!r} body={_body(case)!r}"[:600],
            "response": response.text[:400],
            "traceback": errors[-1] if errors else "",
        }
    )


def _body(case):
    try:
        return case.body
    except AttributeError:
        return None


def report(failures: list) -> str:
    """The kept failures, readable in a test's assertion message."""
    lines = []
    for f in failures:
        if "role" not in f:
            continue
        lines += [
            f"{f['operation']} as {f['role']} → {f['status']}: {'; '.join(f['failures'])}",
            f"  {f['request']}",
            f"  ← {f['response'][:300]}",
        ]
        if f["traceback"]:
            lines.append("  " + f["traceback"].strip().replace("\n", "\n  "))
    return "\n".join(lines)
