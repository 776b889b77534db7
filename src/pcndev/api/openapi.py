"""What every operation can answer besides what it declares, documented in OpenAPI, and JSON for failures.

The framework answers some requests before (or instead of) the view: 401 without a valid session or token, 404
for anything outside the caller's roles, 422 when the request does not match its schema, 400 when the body is
not JSON, and 503 when the database is unavailable. Each operation documents these with the body it gets: where
the view declares the same status with its own body, the document allows either. Text with NUL characters
is refused with a 422 before any view runs (pcndev.api.inputs).
"""

import logging

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.db import Error, InterfaceError, OperationalError
from django.urls import URLPattern
from ninja import NinjaAPI

from pcndev.api.inputs import MESSAGE as NUL_MESSAGE
from pcndev.api.inputs import refusing_nul

logger = logging.getLogger("django.request")

MESSAGE = "Message"
VALIDATION = "ValidationErrors"
COMPONENTS = {
    MESSAGE: {
        "title": MESSAGE,
        "type": "object",
        "properties": {"detail": {"title": "Detail", "type": "string"}},
        "required": ["detail"],
    },
    VALIDATION: {
        "title": VALIDATION,
        "type": "object",
        "description": "The request does not match the operation's schema: one item per problem",
        "properties": {
            "detail": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "loc": {
                            "type": "array",
                            "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                        },
                        "msg": {"type": "string"},
                    },
                    "required": ["type", "loc", "msg"],
                },
            }
        },
        "required": ["detail"],
    },
}
# status → (description, component, only for operations with a request body)
FRAMEWORK = {
    "400": ("The request body is not valid JSON", MESSAGE, True),
    "401": ("Not signed in: no session or no valid token", MESSAGE, False),
    "404": ("Not found, or outside your roles", MESSAGE, False),
    "422": ("The request does not match the schema", VALIDATION, False),
    "503": ("The service is unavailable (its database cannot be reached): try again later", MESSAGE, False),
}
UNAVAILABLE = "The service is unavailable. Try again later; nothing you sent has been saved."
FAILED = "Sorry, there is a problem with the service. Nothing you sent has been saved."


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def complete(schema: dict) -> dict:
    """Add the framework's answers to every operation of an OpenAPI document (in place)."""
    schema.setdefault("components", {}).setdefault("schemas", {}).update(COMPONENTS)
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            responses = {
                str(k): v for k, v in operation.get("responses", {}).items()
            }  # ninja's keys are ints
            operation["responses"] = responses
            for status, (description, component, needs_body) in FRAMEWORK.items():
                if needs_body and "requestBody" not in operation:
                    continue
                ours = _ref(component)
                declared = responses.get(status)
                if declared is None:
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": ours}},
                    }
                    continue
                media = declared.setdefault("content", {}).setdefault("application/json", {})
                theirs = media.get("schema")
                if theirs is not None and theirs != ours:
                    media["schema"] = {"anyOf": [theirs, ours]}
                    declared["description"] = f"{declared.get('description', '')}; or {description.lower()}"
    return schema


class CompleteNinjaAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document lists every answer, and whose failures are JSON, never a page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_exception_handler(Error, self._database_error)  # InterfaceError is no DatabaseError
        self.add_exception_handler(Exception, self._server_error)

    def _get_urls(self):
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = refusing_nul(pattern.callback, self._nul_refused)
        return patterns

    def _nul_refused(self, request, loc: list):
        detail = [{"type": "string_nul", "loc": loc, "msg": NUL_MESSAGE}]
        return self.create_response(request, {"detail": detail}, status=422)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return complete(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))

    def _failure(self, request, exc, status: int, detail: str):
        # As Django does for the exceptions it handles: signal (error reporting), log with the traceback.
        got_request_exception.send(sender=None, request=request)
        logger.error(
            "%s: %s", detail.split(".")[0], request.path, exc_info=exc, extra={"status_code": status}
        )
        return self.create_response(request, {"detail": detail}, status=status)

    def _database_error(self, request, exc):
        if isinstance(exc, OperationalError | InterfaceError):
            return self._failure(request, exc, 503, UNAVAILABLE)
        return self._server_error(request, exc)

    def _server_error(self, request, exc):
        if isinstance(exc, PermissionDenied):  # as Django answers them, in JSON
            return self.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)
        if isinstance(exc, SuspiciousOperation):  # e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE
            return self.create_response(request, {"detail": str(exc) or "Bad request"}, status=400)
        return self._failure(request, exc, 500, FAILED)
