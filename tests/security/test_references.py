"""References to objects out of reach, carried in a body or a query instead of the path (IDOR): a role naming
another region's round, ledger entry, plan version, initiative, PCN or place, next to its own objects, gets the
answer a missing object gets (no hint it exists, nothing of it shown) and nothing is written."""

import json

import pytest

from pcndev.audit.models import AuditEvent
from pcndev.maturity.models import AssessmentRound
from tests.security.matrix import foreign_tokens, send

FAR = "other_region"


def _no_trace(world, key, response):
    text = response.content.decode()
    for token in foreign_tokens(world, world.holders[key]):
        assert token not in text, f"{token!r} in {text[:500]}"


def _api(clients, key, method, url, body=None):
    data = json.dumps(body if body is not None else {})
    return clients[key].generic(method, url, data, content_type="application/json")


@pytest.fixture
def writes(db):
    before = AuditEvent.objects.count()
    yield
    assert AuditEvent.objects.count() == before, "nothing may be written"


def test_a_new_round_cannot_take_another_regions_round_as_its_baseline(world, clients, writes):
    far = world.o[("september", FAR)].pk
    body = {"name": "Re-run", "template": world.template.pk, "financial_year": 2019}
    body |= {"scope": f"place:{world.nodes[('place', 'own')].code}", "baseline": far}
    rounds = AssessmentRound.objects.count()
    response = _api(clients, "place_lead", "POST", "/api/v1/maturity/rounds", body)
    assert response.status_code == 400 and f"There is no round {far}" in response.content.decode()
    form = {"name": "Re-run", "template": world.template.pk, "financial_year": 2019, "scope": body["scope"]}
    form |= {
        f"{d}[{p}]": v
        for d in ("opens_on", "closes_on")
        for p, v in (("day", 1), ("month", 9), ("year", 2019))
    }
    control = send(
        clients["place_lead"], "POST", "/self-assessment/rounds/new/", form | {"baseline": ""}, api=False
    )
    assert control.status_code == 302, "the same form with no baseline opens the round"
    page = clients["place_lead"].post("/self-assessment/rounds/new/", form | {"baseline": far})
    assert page.status_code == 400 and "Select an earlier round from the list" in page.content.decode()
    assert AssessmentRound.objects.count() == rounds
    _no_trace(world, "place_lead", response)


def test_ledger_plan_and_initiative_ids_from_elsewhere_are_not_found(world, clients, writes):
    p19, own = world.programmes[2019].pk, world.nodes[("pcn", "own")].code
    entry = world.o[("release_entry", FAR)].pk
    reverse = {"pcn": own, "kind": "reversal", "reverses": entry}
    cases = [
        _api(clients, "place_lead", "POST", f"/api/v1/programmes/{p19}/ledger", reverse),
        clients["place_lead"].get(f"/funding/{p19}/pcns/{own}/entries/{entry}/reverse/"),
        _api(
            clients,
            "place_lead",
            "POST",
            f"/api/v1/programmes/{p19}/places/{world.nodes[('place', 'own')].code}/committee-decisions",
            {"committee": "PCCC", "meeting_date": "2019-10-10", "minute_reference": "7", "versions": []}
            | {"versions": [world.o[("submitted", FAR)].pk]},
        ),
    ]
    revision, far = world.o[("revision", "own")], world.o[("initiative", FAR)].pk
    initiative = {
        "lock_version": revision.lock_version,
        "title": "x",
        "domain": "leadership",
        "cost_pence": 1,
    }
    cases += [
        _api(clients, "pcn_cd", "PUT", f"/api/v1/plans/versions/{revision.pk}/initiatives/{far}", initiative),
        clients["pcn_cd"].get(f"/plans/versions/{revision.pk}/initiatives/{far}/"),
        clients["pcn_cd"].post(
            f"/plans/versions/{revision.pk}/initiatives/{far}/delete/", {"lock_version": 0}
        ),
    ]
    for response in cases:
        assert response.status_code == 404, response.content[:300]
    for response in cases[:3]:
        _no_trace(world, "place_lead", response)


def test_filters_naming_an_organisation_out_of_reach_show_nothing_of_it(world, clients, writes):
    p19 = world.programmes[2019].pk
    place, pcn = world.nodes[("place", FAR)].code, world.nodes[("pcn", FAR)].code
    march = world.o[("march", "own")].pk
    empty = [
        f"/api/v1/pcns?place={place}",
        f"/api/v1/pcns?q={pcn}",
        f"/api/v1/practices?pcn={pcn}",
        f"/api/v1/systems?region={world.nodes[('region', FAR)].code}",
        f"/api/v1/programmes/{p19}/balances?level=pcn",
    ]
    for url in empty:
        response = clients["place_lead"].get(url)
        assert response.status_code == 200, url
        _no_trace(world, "place_lead", response)
    refused = {
        f"/api/v1/programmes/{p19}/timetable?place={place}": 404,
        f"/api/v1/maturity/rounds/{march}/heatmap?place={place}": 404,
        f"/api/v1/programmes/{p19}/ledger?pcn={pcn}": 422,
        f"/funding/{p19}/ledger/?scope=pcn:{pcn}": 400,
        f"/funding/{p19}/compare/?scope={place}": 400,
        f"/self-assessment/rounds/{march}/heatmap/?place={place}": 200,  # the place's own PCNs only
    }
    for url, status in refused.items():
        response = clients["place_lead"].get(url)
        assert response.status_code == status, (url, response.status_code)
        _no_trace(world, "place_lead", response)


def test_a_review_cannot_report_on_another_plans_initiative(world, clients, writes):
    p19, own = world.programmes[2019].pk, world.nodes[("pcn", "own")].code
    url = f"/api/v1/programmes/{p19}/reviews/{own}/2019-11-30"
    current = clients["pcn_cd"].get(url).json()
    far = world.o[("delivered", FAR)].initiatives.first().pk
    body = {
        "lock_version": current["lock_version"],
        "updates": [{"initiative_id": far, "status": "in_progress"}],
    }
    response = _api(clients, "pcn_cd", "PUT", url, body)
    assert response.status_code == 400, response.content[:300]
    _no_trace(world, "pcn_cd", response)


def test_ratings_of_another_pcns_practice_are_not_found_under_ones_own_pcn(world, clients, writes):
    rnd, own = world.open_round.pk, world.nodes[("pcn", "own")].code
    far = world.o[("rater", FAR)].code
    for key in ("pcn_cd", "practice_member", "place_lead"):
        page = clients[key].get(f"/self-assessment/rounds/{rnd}/pcns/{own}/rate/{far}/")
        api = clients[key].get(f"/api/v1/maturity/rounds/{rnd}/pcns/{own}/ratings/{far}")
        assert (page.status_code, api.status_code) == (404, 404), key
        _no_trace(world, key, page)
