"""Content Security Policy: every asset comes from our own origin; the page template's one inline
script runs under a per-request nonce."""

import secrets

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            policy = settings.CONTENT_SECURITY_POLICY.replace(
                "script-src 'self'", f"script-src 'self' 'nonce-{request.csp_nonce}'"
            )
            response.headers.setdefault("Content-Security-Policy", policy)
        return response
