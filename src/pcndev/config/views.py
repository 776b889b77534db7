from django.http import HttpResponse
from django.shortcuts import render


def forbidden(request, reason: str):
    """403 with the permission check's reason, shown to the user."""
    return render(request, "errors/forbidden.jinja", {"reason": reason}, status=403)


def home(request):
    return render(request, "home.jinja")


def not_found(request, exception=None):
    return render(request, "errors/not_found.jinja", status=404)


def server_error(request):
    return render(request, "errors/server_error.jinja", status=500)


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.jinja", status=403)


def healthz(request):
    """For load balancers and the load test's floor: the app answers, without touching the database."""
    return HttpResponse("ok", content_type="text/plain")
