"""What the support plans API tests share: the URLs, the eligibility findings they expect, JSON requests as a
user, the 400 body for a list of problems, an initiative's request body, and a plan taken to agreed."""

import json

from django.test import Client

from pcndev.maturity.models import AssessmentRound
from pcndev.plans.models import PlanVersion
from pcndev.plans.transitions import transition
from tests.maturity.builders import make_round, submitted_assessment

API = "/api/v1"
MEETING = "2019-12-05"
NOT_FOUND = {"detail": "Not found"}
EXISTING_FIRST = {
    "rule_id": "existing-funds-first",
    "outcome": "warn",
    "reason": "Check existing support funds first: the guidance asks for them to be used before this money.",
    "guidance": "Existing support funds are to be used before the additional PCN Development Support funding is "
    "taken up.",
    "source": "PCN Development Support Guidance and Prospectus 2019/20",
}
NOT_DELIVERY = {
    "rule_id": "development-not-delivery",
    "outcome": "block",
    "reason": "Development money cannot pay for delivering services or for running costs.",
    "guidance": "Funding should be used to support development, rather than to pay for delivery of services or "
    "other operating costs.",
    "source": "PCN development support guidance 2020/21",
}


def _send(client, method, url, body=None):
    if body is None:  # no body at all (the test client's post() would send an empty multipart form)
        return client.generic(method.upper(), url)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _v(version, rest: str = "") -> str:
    return f"{API}/plans/versions/{version.pk}{rest}"


def _problems(*pairs) -> dict:
    return {
        "detail": "; ".join(m for _, m in pairs),
        "reasons": [m for _, m in pairs],
        "problems": [{"field": f, "message": m} for f, m in pairs],
    }


def _initiative_body(lock_version: int, **changes) -> dict:
    body = {
        "lock_version": lock_version,
        "title": "Clinical director coaching",
        "domain": "leadership",
        "cost_pence": 10_000_00,
        "support_required": "Six coaching sessions",
        "existing_funds_checked": True,
        "measures": [{"description": "Coaching sessions held", "target": "6", "due": "2020-03-31"}],
    }
    return body | changes


def _with_assessment(w):
    """The PCN's submitted self-assessment for the programme's year (its priority and ranked needs)."""
    rnd = make_round()
    AssessmentRound.objects.filter(pk=rnd.pk).update(financial_year=w.programme.financial_year)
    return submitted_assessment(AssessmentRound.objects.get(pk=rnd.pk), w.pcn)


def _lock(version) -> int:
    return PlanVersion.objects.get(pk=version.pk).lock_version


def _agreed(w, version):
    transition(version, "submit", w.cd)
    transition(version, "agree", w.place_lead)
    transition(version, "agree", w.cd)
