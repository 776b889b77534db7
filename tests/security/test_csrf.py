"""CSRF: every page refuses a POST without the token (the CSRF page, 403) and writes nothing; the API refuses
session-authenticated writes without the token, and takes personal-token writes (no cookie, so no CSRF risk)."""

import pytest
from django.test import Client

from pcndev.accounts.models import ApiToken
from pcndev.audit.models import AuditEvent
from pcndev.delivery.review_models import ProgressReview
from pcndev.funding.models import LedgerEntry, Programme
from pcndev.maturity.models import AssessmentRound, MatrixTemplate, Rating, Response
from pcndev.plans.models import CDDevelopmentItem, Initiative, PlanVersion, SignOff
from tests.security.access import WRITE_OK, expected, rules_of
from tests.security.kinds import KINDS
from tests.security.matrix import api_url, send, ui_url
from tests.security.registry import operations, pages
from tests.security.rules_api import API_RULES
from tests.security.rules_ui import UI_RULES
from tests.security.world import ANONYMOUS

CSRF_PAGE = "Your form has expired"
WATCHED = (
    AuditEvent,
    LedgerEntry,
    Programme,
    PlanVersion,
    Initiative,
    SignOff,
    Response,
    Rating,
    ProgressReview,
    CDDevelopmentItem,
    AssessmentRound,
    MatrixTemplate,
    ApiToken,
)
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _counts() -> dict:
    return {model.__name__: model.objects.count() for model in WATCHED}


def _allowed_holder(world, rule, action, api: bool) -> str:
    """Someone the rule lets do the action on the own object (the national admin when nobody may)."""
    kind = KINDS[rule.kind]
    target = kind.target(world, kind.variants()[0])
    for key, holder in world.holders.items():
        if key != ANONYMOUS and expected(rule, action, holder, target, api) <= WRITE_OK:
            return key
    return "national"


@pytest.fixture(scope="module")
def strict(world):
    """Per holder, a signed-in client that enforces CSRF checks as a browser session meets them (signed in
    here, with the world, so the sessions outlive each test's rollback)."""
    made = {key: Client(enforce_csrf_checks=True, raise_request_exception=False) for key in world.holders}
    for key, client in made.items():
        if key != ANONYMOUS:
            client.force_login(world.users[key])
    return made.__getitem__


def _ui_cases():
    """Every page (its first case): those with a form as someone allowed to send it, the rest as anyone."""
    out = []
    for page in pages():
        if page.name not in UI_RULES:
            continue  # test_registry fails for it
        rule = rules_of(UI_RULES[page.name])[0]
        action = next((a for a in ("edit", "transition") if a in rule.actions), next(iter(rule.actions)))
        out.append(pytest.param(page.name, action, id=page.name))
    return out


@pytest.mark.parametrize(("name", "action"), _ui_cases())
def test_a_post_without_the_token_is_refused_and_writes_nothing(db, world, strict, name, action):
    page = {p.name: p for p in pages()}[name]
    rule = rules_of(UI_RULES[name])[0]
    kind = KINDS[rule.kind]
    variant = kind.variants()[0]
    key = ANONYMOUS if rule.public else _allowed_holder(world, rule, action, api=False)
    body = rule.body(world, variant) if rule.body and action in ("edit", "transition") else {}
    before = _counts()
    response = strict(key).post(ui_url(page, kind.params(world, variant)), body)
    assert response.status_code == 403 and CSRF_PAGE in response.content.decode(), (key, response.status_code)
    assert _counts() == before


def _api_cases():
    return [
        pytest.param(op.operation_id, id=op.operation_id)
        for op in operations()
        if op.method in UNSAFE and op.operation_id in API_RULES
    ]


@pytest.mark.parametrize("operation_id", _api_cases())
def test_api_writes_need_the_token_with_a_session_but_not_with_a_personal_token(
    db, world, strict, operation_id
):
    op = {o.operation_id: o for o in operations()}[operation_id]
    rule = rules_of(API_RULES[operation_id])[0]
    (action,) = rule.actions
    kind = KINDS[rule.kind]
    variant = kind.variants()[0]
    key = _allowed_holder(world, rule, action, api=True)
    url = api_url(op, kind.params(world, variant))
    url += "".join(f"?{k}={v}" for k, v in rule.query.items())
    body = rule.body(world, variant) if rule.body else {}
    before = _counts()
    session = strict(key)
    response = send(session, op.method, url, body, api=True)
    assert response.status_code == 403 and "CSRF" in response.json()["detail"], (key, response.status_code)
    assert _counts() == before

    want = expected(rule, action, world.holders[key], kind.target(world, variant), api=True)
    _, raw = ApiToken.objects.issue(world.users[key], "csrf test")
    bearer = Client(
        enforce_csrf_checks=True, raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    response = send(bearer, op.method, url, body, api=True)
    assert response.status_code in want, (key, response.status_code, response.content[:300])

    session.get("/account/my-organisations/")  # a page sets the CSRF cookie, as a browser would get it
    token = session.cookies["csrftoken"].value
    response = send(session, op.method, url, body, api=True, headers={"X-CSRFToken": token})
    assert response.status_code in want, (key, response.status_code, response.content[:300])
