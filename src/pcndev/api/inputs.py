"""Inputs no view should see: text with NUL characters, which PostgreSQL cannot store or even compare (a
filter on one is a DataError). Refused for every operation with a 422 in the validation error's shape, naming
where it was, before the view runs (Django's forms do the same with ProhibitNullCharactersValidator)."""

import json
from functools import wraps

from django.core.exceptions import SuspiciousOperation

MESSAGE = "Text must not contain NUL (\\x00) characters"


def _nul_at(value, loc: list) -> list | None:
    if isinstance(value, str):
        return loc if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return [*loc, key]
        if (found := _nul_at(item, [*loc, key])) is not None:
            return found
    return None


def nul_location(request, path_params: dict) -> list | None:
    """Where the request carries a NUL character (["path", name], ["query", name], ["body", …]), if anywhere."""
    found = _nul_at(path_params, ["path"])
    if found is None:
        found = _nul_at({k: request.GET.getlist(k) for k in request.GET}, ["query"])
    if found is None and request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            if b"\\u0000" in request.body:
                found = _nul_at(json.loads(request.body), ["body"])
        except (ValueError, SuspiciousOperation):
            return None  # not JSON, or too big: the parser answers 400
    if found is not None and found[0] == "query" and len(found) > 2:
        found = found[:2]  # a query value's position among repeats says nothing useful
    return found


def refusing_nul(view, respond):
    """Wrap a view: a request with NUL in its path, query or JSON body gets `respond(request, loc)`."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        loc = nul_location(request, kwargs)
        if loc is not None:
            return respond(request, loc)
        return view(request, *args, **kwargs)

    return wrapped
