import pytest
from django.core.management import call_command
from django.urls import reverse

from pcndev.accounts.models import ApiToken, Role
from pcndev.accounts.roles import RoleError, grant_role, revoke_role
from pcndev.audit.models import AuditEvent
from tests.builders import PASSWORD, make_user


def test_sign_in_and_out(client, tree):
    make_user("cd@test.example", Role.PCN_CD, tree.pcns[0])
    response = client.post(reverse("accounts:login"), {"username": "cd@test.example", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:my-organisations")
    page = client.get(reverse("accounts:my-organisations")).content.decode()
    assert tree.pcns[0].name in page and "PCN clinical director" in page
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:my-organisations")).status_code == 302


def test_wrong_password_gets_the_error_summary(client, db):
    make_user("cd@test.example")
    response = client.post(reverse("accounts:login"), {"username": "cd@test.example", "password": "nope"})
    page = response.content.decode()
    assert "There is a problem" in page and "Enter a correct email address and password" in page
    assert "<title>Error: Sign in" in page


def test_repeated_failures_lock_the_account(client, db, settings):
    make_user("cd@test.example")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "cd@test.example", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "cd@test.example", "password": PASSWORD})
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()


def test_passwords_are_hashed_with_argon2(db):
    user = make_user("cd@test.example")
    assert user.password.startswith("argon2")


def test_bearer_token_authenticates_the_api_with_the_users_scope(client, tree, capsys):
    make_user("cd@test.example", Role.PCN_CD, tree.pcns[0])
    call_command("token", "create", "--user", "cd@test.example")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("pcn_") and not ApiToken.objects.filter(token_hash=raw).exists()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"/api/v1/pcns/{tree.pcns[0].code}", **auth).status_code == 200
    assert client.get(f"/api/v1/pcns/{tree.pcns[1].code}", **auth).status_code == 404
    assert client.get("/api/v1/me", **auth).json()["email"] == "cd@test.example"
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer pcn_wrong").status_code == 401
    ApiToken.objects.update(revoked_at="2021-01-01T00:00:00Z")
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_token_for_unknown_user_is_refused(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No active user with email nobody@test.example"):
        call_command("token", "create", "--user", "nobody@test.example")


def test_roles_are_granted_at_the_right_level_and_audited(tree):
    user = make_user("lead@test.example")
    with pytest.raises(RoleError, match="A Place lead \\(CCG\\) role is held at a place, not at pcn"):
        grant_role(user, Role.PLACE_LEAD, tree.pcns[0])
    membership = grant_role(user, Role.PLACE_LEAD, tree.places[0])
    assert grant_role(user, Role.PLACE_LEAD, tree.places[0]) == membership  # idempotent
    revoke_role(membership)
    actions = list(
        AuditEvent.objects.filter(object_type="accounts.rolemembership").values_list("action", flat=True)
    )
    assert sorted(actions) == ["role.granted", "role.revoked"]


def test_openapi_document_lists_the_org_endpoints(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/regions", "/api/v1/pcns/{code}", "/api/v1/practices/{code}/list-sizes"):
        assert path in spec["paths"]


def test_the_header_offers_a_real_sign_out_form(client, tree):
    client.force_login(make_user("cd@test.example", Role.PCN_CD, tree.pcns[0]))
    page = client.get(reverse("accounts:my-organisations")).content.decode()
    assert '<form method="post" action="/account/sign-out/" class="nhsuk-header__account-form">' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "&lt;form" not in page
