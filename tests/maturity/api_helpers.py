"""What the self-assessment API tests share: the URLs, a small matrix, JSON requests and a two-region world."""

import json

from tests.builders import build_tree, make_user
from tests.maturity.builders import make_round, open_round_now

API = "/api/v1/maturity"
SMALL = """
name: Small matrix
stages: [Foundation, Step 1, Step 2]
areas:
  - code: leadership
    title: Leadership
    tag: internal
    elements:
      - code: vision
        title: Vision
        descriptors: ["Starting", "Going", "Done"]
      - code: partners
        title: Partners
        tag: external
        descriptors: ["Starting", "Going", "Done"]
  - code: care
    title: Care
    tag: external
    elements:
      - code: frailty
        title: Frailty
        descriptors: ["Starting", "Going", "Done"]
"""


def _send(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _post(client, url, body=None):
    return _send(client, "post", url, {} if body is None else body)


def _put(client, url, body):
    return _send(client, "put", url, body)


def _pcn_url(rnd, pcn, rest=""):
    return f"{API}/rounds/{rnd.pk}/pcns/{pcn.code}{rest}"


def _full(elements, current=0, target=1, priority="high"):
    return [
        {"element": e.code, "current_stage": current, "target_stage": target, "priority": priority}
        for e in elements
    ]


def make_world():
    """Two regions, each with one system, one place and two PCNs of two practices; an England round open now."""
    tree = build_tree(regions=2, systems=1, places=1, pcns=2, practices=2, unallocated=0)
    rnd = open_round_now(make_round("September"))
    return tree, rnd


def _login(client, email, role=None, node=None):
    user = make_user(email, role, node)
    client.force_login(user)
    return user
