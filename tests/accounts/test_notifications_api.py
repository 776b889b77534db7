"""The signed-in user's email notification preferences in the API: read and set as on the page
(accounts:notifications), audited the same way, refusing anything but true or false."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from pcndev.accounts.models import ApiToken, Role
from pcndev.audit.models import AuditEvent
from tests.builders import make_user

URL = "/api/v1/me/notifications"


@pytest.fixture
def user(db):
    return make_user("lead@test.example", Role.NATIONAL_ADMIN)


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _put(client, body):
    return client.put(URL, json.dumps(body), content_type="application/json")


def test_round_trip_saved_and_audited_as_the_page_does(user):
    client = _as(user)
    assert client.get(URL).json() == {"email_notifications": True}  # on by default

    off = _put(client, {"email_notifications": False})
    assert off.status_code == 200 and off.json() == {"email_notifications": False}
    user.refresh_from_db()
    assert user.email_notifications is False
    assert client.get(URL).json() == {"email_notifications": False}
    event = AuditEvent.objects.get(action="account.notifications_changed")
    assert event.actor == user and event.object_id == str(user.pk)
    assert (event.before, event.after) == ({"email_notifications": True}, {"email_notifications": False})

    assert _put(client, {"email_notifications": False}).status_code == 200  # the same again: nothing changes
    assert AuditEvent.objects.filter(action="account.notifications_changed").count() == 1

    assert _put(client, {"email_notifications": True}).json() == {"email_notifications": True}
    user.refresh_from_db()
    assert user.email_notifications is True
    assert AuditEvent.objects.filter(action="account.notifications_changed").count() == 2


def test_the_api_and_the_page_agree(user):
    client = _as(user)
    client.post(reverse("accounts:notifications"), {"email_notifications": "no"})
    assert client.get(URL).json() == {"email_notifications": False}
    events = AuditEvent.objects.filter(action="account.notifications_changed")
    _put(client, {"email_notifications": True})
    assert [(e.before, e.after) for e in events.order_by("pk")] == [
        ({"email_notifications": True}, {"email_notifications": False}),
        ({"email_notifications": False}, {"email_notifications": True}),
    ]


def test_each_user_sets_only_their_own(user):
    other = make_user("viewer@test.example", Role.VIEWER)
    _, raw = ApiToken.objects.issue(other, "test")
    token = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert token.put(
        URL, json.dumps({"email_notifications": False}), content_type="application/json"
    ).json() == {"email_notifications": False}
    other.refresh_from_db()
    user.refresh_from_db()
    assert other.email_notifications is False and user.email_notifications is True
    assert _as(user).get(URL).json() == {"email_notifications": True}


@pytest.mark.parametrize(
    "body",
    [{"email_notifications": "yes"}, {"email_notifications": 1}, {"email_notifications": None}, {}, []],
)
def test_bad_input_is_a_422_with_detail_and_changes_nothing(user, body):
    response = _put(_as(user), body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail and all(d["msg"] for d in detail)
    user.refresh_from_db()
    assert user.email_notifications is True
    assert not AuditEvent.objects.filter(action="account.notifications_changed").exists()


def test_not_json_is_a_400_and_signed_out_is_a_401(user):
    not_json = _as(user).put(URL, "{", content_type="application/json")
    assert not_json.status_code == 400 and not_json.json()["detail"]
    anonymous = Client()
    assert anonymous.get(URL).status_code == 401
    assert _put(anonymous, {"email_notifications": False}).status_code == 401
