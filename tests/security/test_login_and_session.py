"""Login throttling (django-axes, per username and address) and sessions: they end with the browser and after
SESSION_COOKIE_AGE, an expired or signed-out session is refused, and signing in issues a new session key."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.builders import PASSWORD, make_user

LOGIN = reverse("accounts:login")
MINE = reverse("accounts:my-organisations")
LOCKED = "Your account is locked"


@pytest.fixture
def lead(db):
    return make_user("lead@security.example")


def _sign_in(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def _signed_in(client) -> bool:
    return client.get(MINE).status_code == 200


def _fail(client, email, times, **extra):
    for _ in range(times):
        assert _sign_in(client, email, "not-the-password", **extra).status_code in (200, 429)


def test_the_limits_are_configured():
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.AXES_COOLOFF_TIME == 0.5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.SESSION_COOKIE_AGE == 8 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_ENGINE.endswith(".db")


def test_repeated_bad_passwords_lock_the_account_until_the_cool_off(client, lead):
    _fail(client, lead.email, settings.AXES_FAILURE_LIMIT)
    refused = _sign_in(client, lead.email)  # the right password, too late
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    assert not _signed_in(client)
    assert _sign_in(client, lead.email).status_code == 429, "still locked on a second try"
    # Half an hour later the lock has gone.
    cooled = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    AccessAttempt.objects.update(attempt_time=cooled)
    response = _sign_in(client, lead.email)
    assert response.status_code == 302 and response["Location"] == MINE
    assert _signed_in(client)


def test_the_lock_is_per_account_and_address(client, lead):
    other = make_user("other@security.example")
    _fail(client, lead.email, settings.AXES_FAILURE_LIMIT)
    assert _sign_in(client, lead.email).status_code == 429
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert _sign_in(elsewhere, lead.email).status_code == 302, "another address is not locked out"
    assert _sign_in(Client(), other.email).status_code == 302, "another account is not locked out"


def test_an_unknown_account_is_locked_the_same_way(client, db):
    """The lock-out says nothing about whether an account exists."""
    _fail(client, "nobody@security.example", settings.AXES_FAILURE_LIMIT)
    response = _sign_in(client, "nobody@security.example")
    assert response.status_code == 429 and LOCKED in response.content.decode()


def test_the_session_ends_with_the_browser_and_after_eight_hours(client, lead):
    before = timezone.now()
    assert _sign_in(client, lead.email).status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"], "a browser-session cookie"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    session = Session.objects.get(session_key=cookie.value)
    age = (session.expire_date - before).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 <= age <= settings.SESSION_COOKIE_AGE + 60


def test_an_expired_session_is_signed_out(client, lead):
    assert _sign_in(client, lead.email).status_code == 302 and _signed_in(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    page = client.get(MINE)
    assert page.status_code == 302 and page["Location"].startswith(LOGIN)
    assert client.get("/api/v1/me").status_code == 401


def test_signing_out_ends_the_session_on_the_server(client, lead):
    assert _sign_in(client, lead.email).status_code == 302
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post(reverse("accounts:logout")).status_code == 302
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert replay.get(MINE).status_code == 302 and replay.get("/api/v1/me").status_code == 401


def test_signing_in_issues_a_new_session_key(client, lead):
    """No session fixation: a key planted before signing in is not the one the signed-in session uses."""
    planted = client.session
    planted["planted"] = True
    planted.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert _sign_in(client, lead.email).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert not _signed_in(replay)


def test_a_deactivated_account_or_a_revoked_role_takes_effect_at_once(tree):
    from pcndev.accounts.models import ApiToken, Role, RoleMembership
    from pcndev.accounts.roles import revoke_role

    user = make_user("cd@security.example", Role.PCN_CD, tree.pcns[0])
    _, raw = ApiToken.objects.issue(user)
    session, bearer = Client(), Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    session.force_login(user)
    page, api = f"/organisations/pcns/{tree.pcns[0].code}/", f"/api/v1/pcns/{tree.pcns[0].code}"
    assert session.get(page).status_code == 200 and bearer.get(api).status_code == 200
    revoke_role(RoleMembership.objects.get(user=user))
    assert session.get(page).status_code == 404 and bearer.get(api).status_code == 404
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert session.get(page).status_code == 302 and bearer.get(api).status_code == 401
    assert session.get("/api/v1/me").status_code == 401


def test_the_django_admin_is_for_staff_only(tree):
    """Left out of the matrix on purpose: no role opens it, only staff accounts (support) do."""
    from pcndev.accounts.models import Role, User

    client = Client()
    client.force_login(make_user("national.admin@security.example", Role.NATIONAL_ADMIN))
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    staff = Client()
    staff.force_login(User.objects.create_user("support@security.example", PASSWORD, is_staff=True))
    assert staff.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "http:evil"]
)
def test_signing_in_never_sends_anyone_to_another_site(client, lead, target):
    from urllib.parse import quote

    response = client.post(f"{LOGIN}?next={quote(target)}", {"username": lead.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == MINE
    again = client.get(f"{LOGIN}?next={quote(target)}")  # signed in: sent on, but not off-site
    assert again.status_code == 302 and again["Location"] == MINE
