"""API authentication: the browser session, or a personal access token sent as `Authorization: Bearer …`."""

from ninja.security import HttpBearer, django_auth

from pcndev.accounts.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.objects.authenticate(token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), django_auth]
