"""Fetching org objects for a user: visible or 404, with no hint that a hidden object exists."""

from django.http import Http404

from pcndev.accounts.scope import visible


def get_visible_or_404(user, model, related: tuple[str, ...] = (), **lookup):
    obj = visible(user, model).select_related(*related).filter(**lookup).first()
    if obj is None:
        raise Http404(f"No {model._meta.verbose_name} found")
    return obj
