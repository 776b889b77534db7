"""Requests for the API bad-input suite, built from the OpenAPI document: a plausible body and query for each
operation (real ids and codes from the fuzz world where a field names an object), and the bad values for each
kind of field."""

import copy

from tests.faults.bad_values import BAD_VALUES

HUGE = 2**70
# By JSON type: what each kind of field gets (strings get every text value; numbers a huge, a negative, one
# that is not a number; and so on).
BAD_BY_TYPE = {
    "string": [BAD_VALUES[k] for k in ("oversized text", "unicode", "nul", "empty", "negative")]
    + ["9999-99-99"],
    "integer": [HUGE, -1, "x", None, 1.5],
    "number": [HUGE, -1, "x", None],
    "boolean": ["x", None],
    "array": ["x", [None], None],
    "object": ["x", None],
}


class Document:
    def __init__(self, raw: dict):
        self.raw = raw
        self.components = raw["components"]["schemas"]

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[1]]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.resolve(s) for s in schema[key] if s.get("type") != "null"]
                return options[0] if options else {}
        return schema

    def kind(self, schema: dict) -> str:
        return self.resolve(schema).get("type", "string")

    def example(self, schema: dict, name: str = "", values=None, depth: int = 0):
        """A plausible value: real ids and codes where `values(name)` knows some, else one of the right type."""
        schema = self.resolve(schema)
        known = values(name) if values and name else []
        if known:
            return copy.deepcopy(known[0])
        kind = schema.get("type")
        if "default" in schema and schema["default"] not in (None, "", [], {}):
            return copy.deepcopy(schema["default"])
        if "enum" in schema:
            return schema["enum"][0]
        if kind == "object" or "properties" in schema:
            if depth > 3:
                return {}
            props = schema.get("properties", {})
            return {k: self.example(v, k, values, depth + 1) for k, v in props.items()}
        if kind == "array":
            return [self.example(schema.get("items", {}), name, values, depth + 1)] if depth < 3 else []
        if kind == "integer":
            return 1
        if kind == "number":
            return 1.0
        if kind == "boolean":
            return False
        if schema.get("format") == "date":
            return "2019-11-20"
        return "Checked by the fault suite"

    def body_fields(self, operation: dict) -> tuple[dict | None, bool]:
        """The body's top-level object schema (the first item's, for a list), and whether the body is a list."""
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if body is None:
            return None, False
        body = self.resolve(body)
        if body.get("type") == "array":
            return self.resolve(body.get("items", {})), True
        return body, False

    def query(self, operation: dict) -> dict[str, dict]:
        return {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p["in"] == "query"}


def with_bad(body, is_list: bool, name: str, value):
    """The body with one field replaced (in the first item, for a list)."""
    body = copy.deepcopy(body)
    target = body[0] if is_list else body
    target[name] = value
    return body
