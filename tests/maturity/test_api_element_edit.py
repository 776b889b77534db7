"""Editing a matrix element through the API, as the template page does: who may, what is checked, and a
template in use by a round never changes."""

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.maturity.models import Element
from pcndev.maturity.template_spec import load_spec
from pcndev.maturity.templates import create_template
from tests.builders import build_tree
from tests.maturity.api_helpers import API, SMALL, _login, _put
from tests.maturity.builders import make_round

BODY = {"title": "Shared vision", "tag": "internal", "descriptors": ["Not yet", "Drafted", "Agreed by all"]}


def _url(template, code="vision"):
    return f"{API}/templates/{template.pk}/elements/{code}"


def test_a_template_manager_edits_an_element(client, db):
    template = create_template(load_spec(SMALL.encode()))
    tree = build_tree()
    _login(client, "system@test.example", Role.SYSTEM_LEAD, tree.systems[0])
    response = _put(client, _url(template), BODY)
    assert response.status_code == 200
    vision = next(e for a in response.json()["areas"] for e in a["elements"] if e["code"] == "vision")
    assert vision == {"code": "vision", **BODY}
    stored = Element.objects.get(template=template, code="vision")
    assert (stored.title, stored.descriptors) == ("Shared vision", BODY["descriptors"])
    event = AuditEvent.objects.get(action="template.element_changed")
    assert event.before["title"] == "Vision" and event.after["title"] == "Shared vision"


def test_bad_input_is_listed_and_nothing_changes(client, db):
    template = create_template(load_spec(SMALL.encode()))
    _login(client, "admin@test.example", Role.NATIONAL_ADMIN)
    short = _put(client, _url(template), {**BODY, "descriptors": ["One", "Two"]})
    assert short.status_code == 400
    assert short.json()["reasons"] == ["Give 3 descriptors, one for each stage (Foundation, Step 1, Step 2)"]
    bad = _put(
        client, _url(template), {"title": " ", "tag": "sideways", "descriptors": ["", "x" * 601, "ok"]}
    )
    assert bad.status_code == 400
    reasons = bad.json()["reasons"]
    assert "Enter the element's title" in reasons and "Select internal or external" in reasons
    assert "Describe what Foundation looks like" in reasons
    assert any("600 characters" in r for r in reasons)
    assert {p["field"] for p in bad.json()["problems"]} == {"title", "tag", "descriptors"}
    assert Element.objects.get(template=template, code="vision").title == "Vision"
    assert _put(client, _url(template, "nope"), BODY).status_code == 404


def test_who_may_and_a_template_in_use(client, db):
    template = create_template(load_spec(SMALL.encode()))
    tree = build_tree()
    _login(client, "cd@test.example", Role.PCN_CD, tree.pcns[0])
    refused = _put(client, _url(template), BODY)
    assert refused.status_code == 403 and refused.json()["detail"].startswith("Only a system, region")
    make_round(template=template)
    _login(client, "admin@test.example", Role.NATIONAL_ADMIN)
    in_use = _put(client, _url(template), BODY)
    assert in_use.status_code == 403 and "is used by an assessment round" in in_use.json()["detail"]
    assert Element.objects.get(template=template, code="vision").title == "Vision"
