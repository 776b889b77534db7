"""Security headers on pages, downloads, error pages, static files and the API: the exact Content Security Policy
(scripts only from our origin or under the per-request nonce), nosniff, same-origin referrers, no framing; and HSTS
with HTTPS redirects when PCNDEV_HTTPS is on (settings are read once, so HTTPS is switched on with override_settings
and requests are made with secure=True)."""

import re

import pytest
from django.test import Client, override_settings

from pcndev.accounts.models import ApiToken, Role
from tests.builders import make_user

POLICY = re.compile(
    r"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self' 'nonce-([\w-]{22})'; "
    r"form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains; preload"
PRODUCTION_HTTPS = {
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@pytest.fixture
def signed_in(tree):
    client = Client()
    client.force_login(make_user("viewer@security.example", Role.VIEWER, tree.places[0]))
    return client


def _responses(client, tree):
    """A page of each sort: public, signed in, a download, 403, 404, the API (data, 401, 404, the document)."""
    anonymous = Client()
    pcn = tree.pcns[0].code
    return {
        "home": anonymous.get("/"),
        "sign-in": anonymous.get("/account/sign-in/"),
        "a PCN": client.get(f"/organisations/pcns/{pcn}/"),
        "a CSV": client.get("/funding/?format=csv"),
        "403": client.get("/funding/new/"),
        "404": client.get("/organisations/pcns/NOSUCH/"),
        "API": client.get(f"/api/v1/pcns/{pcn}"),
        "API 401": anonymous.get("/api/v1/me"),
        "API 404": client.get("/api/v1/pcns/NOSUCH"),
        "OpenAPI": anonymous.get("/api/v1/openapi.json"),
        "health": anonymous.get("/healthz"),
    }


def test_every_kind_of_response_carries_the_headers(signed_in, tree):
    statuses = {}
    for label, response in _responses(signed_in, tree).items():
        statuses[label] = response.status_code
        assert POLICY.fullmatch(response["Content-Security-Policy"]), (
            label,
            response["Content-Security-Policy"],
        )
        assert response["X-Content-Type-Options"] == "nosniff", label
        assert response["Referrer-Policy"] == "same-origin", label
        assert response["X-Frame-Options"] == "DENY", label
        assert "Strict-Transport-Security" not in response, f"{label}: no HSTS over plain http"
    assert statuses == {
        "home": 200,
        "sign-in": 200,
        "a PCN": 200,
        "a CSV": 200,
        "403": 403,
        "404": 404,
        "API": 200,
        "API 401": 401,
        "API 404": 404,
        "OpenAPI": 200,
        "health": 200,
    }


def test_scripts_run_only_from_our_origin_or_under_the_nonce(signed_in, tree):
    nonces = set()
    for url in ("/", "/account/sign-in/", f"/organisations/pcns/{tree.pcns[0].code}/"):
        response = signed_in.get(url)
        nonce = POLICY.fullmatch(response["Content-Security-Policy"]).group(1)
        nonces.add(nonce)
        page = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert 'src="/static/' in tag or f'nonce="{nonce}"' in tag, f"{url}: {tag}"
        assert "javascript:" not in page and not re.search(r"\son[a-z]+=", page), f"{url}: inline handlers"
    assert len(nonces) == 3, "a fresh nonce for every response"


def test_static_files_are_not_sniffed(client, db):
    response = client.get("/static/pcndev/app.css")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("text/css")


def test_the_api_by_token_gets_the_headers_too(tree):
    _, raw = ApiToken.objects.issue(make_user("cd@security.example", Role.PCN_CD, tree.pcns[0]))
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and POLICY.fullmatch(response["Content-Security-Policy"])
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"


@override_settings(**PRODUCTION_HTTPS)
def test_with_https_on_pages_and_the_api_send_hsts_and_plain_http_is_redirected(signed_in, tree):
    client = Client()  # a new client: the middleware reads the settings when it is first loaded
    client.force_login(make_user("lead@security.example", Role.PLACE_LEAD, tree.places[0]))
    for url in ("/", "/account/sign-in/", f"/organisations/pcns/{tree.pcns[0].code}/", "/api/v1/me"):
        response = client.get(url, secure=True)
        assert response.status_code in (200, 302) and response["Strict-Transport-Security"] == HSTS, url
        insecure = client.get(url)
        assert insecure.status_code == 301 and insecure["Location"] == f"https://testserver{url}", url
        assert "Strict-Transport-Security" not in insecure, "HSTS is only sent over https"


@override_settings(**PRODUCTION_HTTPS)
def test_with_https_on_the_cookies_are_secure(tree):
    from tests.builders import PASSWORD

    make_user("cd@security.example", Role.PCN_CD, tree.pcns[0])
    client = Client()
    page = client.get("/account/sign-in/", secure=True)
    assert page.cookies["csrftoken"]["secure"]
    response = client.post(
        "/account/sign-in/", {"username": "cd@security.example", "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302 and response.cookies["sessionid"]["secure"]
    assert response.cookies["sessionid"]["httponly"]


def test_the_admin_is_framed_by_nobody_either(client, db):
    response = client.get("/admin/login/")
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"


def test_the_api_docs_load_nothing_from_another_origin(client, db):
    """Swagger UI comes from our static files (a CDN copy would be refused by the policy, and is another origin)."""
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and POLICY.fullmatch(page["Content-Security-Policy"])
    html = page.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/static/") for u in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
