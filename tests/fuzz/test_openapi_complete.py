"""The OpenAPI document is complete: every operation documents a typed body for each status it can answer and
for its request, and no two different schemas share a name (one would silently replace the other)."""

import json

import pytest
from ninja.openapi.schema import REF_TEMPLATE

from pcndev.api.openapi import FRAMEWORK
from pcndev.api.urls import api

DOCUMENT = api.get_openapi_schema()
COMPONENTS = DOCUMENT["components"]["schemas"]
OPERATIONS = [
    (f"{method.upper()} {path}", operation)
    for path, methods in DOCUMENT["paths"].items()
    for method, operation in methods.items()
]
WRITES = ("POST", "PUT", "PATCH")


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _untyped(schema: dict, where: str, seen=()) -> list[str]:
    """Where the schema lets anything through: an object without properties, a list of anything."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return [] if name in seen else _untyped(COMPONENTS[name], f"{where} ({name})", (*seen, name))
    found = []
    for key in ("anyOf", "oneOf", "allOf"):
        for i, part in enumerate(schema.get(key, [])):
            found += _untyped(part, f"{where}.{key}[{i}]", seen)
    kind = schema.get("type")
    if kind == "array":
        found += _untyped(schema.get("items", {}), f"{where}[]", seen) if schema.get("items") else [where]
    elif kind == "object" or "properties" in schema:
        properties, extra = schema.get("properties"), schema.get("additionalProperties")
        if not properties and not isinstance(extra, dict):
            found.append(where)
        for name, prop in (properties or {}).items():
            found += _untyped(prop, f"{where}.{name}", seen)
        if isinstance(extra, dict) and extra:
            found += _untyped(extra, f"{where}.*", seen)
    elif not kind and not any(k in schema for k in ("anyOf", "oneOf", "allOf", "enum", "const")):
        found.append(where)
    return found


@pytest.mark.parametrize("label,operation", OPERATIONS, ids=[label for label, _ in OPERATIONS])
def test_every_answer_has_a_typed_schema(label, operation):
    responses = operation["responses"]
    assert any(s.startswith("2") for s in responses), "no success response documented"
    for status in ("401", "404", "422", "503"):
        assert status in responses, f"{status} ({FRAMEWORK[status][0]}) is not documented"
    problems = []
    for status, response in responses.items():
        content = response.get("content", {})
        if not content:
            problems.append(f"{status}: no content")
        for media, body in content.items():
            if "schema" not in body:
                problems.append(f"{status} {media}: no schema")
            elif media == "application/json":
                problems += _untyped(body["schema"], f"{status}")
    assert not problems, f"{label}: untyped or missing response schemas at {problems}"


@pytest.mark.parametrize("label,operation", OPERATIONS, ids=[label for label, _ in OPERATIONS])
def test_every_request_body_has_a_typed_schema(label, operation):
    if "requestBody" not in operation:
        view = _view(label)
        assert not any(
            m.__ninja_param_source__ == "body" for m in view.models if hasattr(m, "__ninja_param_source__")
        )
        return
    content = operation["requestBody"]["content"]
    assert "application/json" in content, f"{label}: the body is not JSON"
    schema = content["application/json"].get("schema")
    assert schema, f"{label}: the body has no schema"
    assert not _untyped(schema, "body"), f"{label}: the body is untyped at {_untyped(schema, 'body')}"
    assert "400" in operation["responses"], f"{label}: 400 (the body is not JSON) is not documented"


def _view(label: str):
    method, path = label.split(" ", 1)
    for _, router in api._routers:
        for route, path_view in router.path_operations.items():
            for op in path_view.operations:
                if method in op.methods and path.endswith(
                    route.rstrip("/").replace("<", "{").replace(">", "}")
                ):
                    return op
    raise AssertionError(f"no view for {label}")


def _definitions() -> dict[str, set[str]]:
    """Every schema the operations use, by the name it gets in the document, with each distinct definition."""
    seen: dict[str, set[str]] = {}
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                models = list(op.models) + [
                    m for m in op.response_models.values() if hasattr(m, "model_json_schema")
                ]
                for model in models:
                    for name, definition in (
                        model.model_json_schema(ref_template=REF_TEMPLATE).get("$defs", {}).items()
                    ):
                        seen.setdefault(name, set()).add(json.dumps(definition, sort_keys=True))
    return seen


def test_no_two_schemas_share_a_name():
    clashes = sorted(name for name, definitions in _definitions().items() if len(definitions) > 1)
    assert not clashes, f"different schemas named alike (rename one): {clashes}"


def test_the_served_document_is_the_complete_one(client):
    served = client.get("/api/v1/openapi.json").json()
    assert served["paths"].keys() == DOCUMENT["paths"].keys()
    assert all("503" in op["responses"] for methods in served["paths"].values() for op in methods.values())
