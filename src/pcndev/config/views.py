from django.shortcuts import render


def home(request):
    return render(request, "home.jinja")


def not_found(request, exception=None):
    return render(request, "errors/not_found.jinja", status=404)


def server_error(request):
    return render(request, "errors/server_error.jinja", status=500)


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.jinja", status=403)
