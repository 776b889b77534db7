"""The page (or, under /api/, the JSON) for an unhandled error: 503 when the database is unavailable, else 500.

It must work when the database is gone: the page template reads the signed-in user and the messages (both may
need the database), so if it cannot be rendered a static page with the same words is sent instead. Never a
traceback (Django shows one only with DEBUG on, which `pcndev serve` refuses).
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static

from pcndev.api.openapi import FAILED, UNAVAILABLE

TITLE = "Sorry, there is a problem with the service"
TEXT = "Try again later. Nothing you entered has been saved unless you were told it was."
STATIC_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} – PCN development support – NHS</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="{css}"></head>
<body><main class="nhsuk-main-wrapper" id="maincontent"><div class="nhsuk-width-container">
<h1>{title}</h1><p>{text}</p></div></main></body></html>
"""


def database_unavailable(exc) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request):
    unavailable = database_unavailable(sys.exc_info()[1])
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": UNAVAILABLE if unavailable else FAILED}, status=status)
    try:
        return render(request, "errors/server_error.jinja", status=status)
    except Exception:  # the database is gone too far to render the page (the user, the messages)
        page = STATIC_PAGE.format(title=TITLE, text=TEXT, css=static("nhsuk/nhsuk.min.css"))
        return HttpResponse(page, status=status, content_type="text/html; charset=utf-8")
