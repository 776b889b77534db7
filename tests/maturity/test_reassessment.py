"""The year-end re-assessment: a new round reusing the template, dated at the year end, once per baseline, with the
change per area since the baseline shown per PCN and aggregated, in the pages and the API."""

import datetime
import html
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.delivery.models import Phase
from pcndev.maturity.models import AssessmentRound
from pcndev.maturity.rounds import (
    ReassessmentRefused,
    can_start_reassessment,
    change_by_area,
    start_reassessment,
)
from tests.builders import build_tree, make_user
from tests.funding.builders import make_programme
from tests.maturity.builders import make_round, submitted_assessment

API = "/api/v1/maturity/rounds"


@pytest.fixture
def world(db):
    tree = build_tree(regions=1, systems=1, places=2, pcns=2, practices=1, unallocated=0)
    programme = make_programme()
    rnd = make_round(programme=programme)
    return tree, programme, rnd


def _date(prefix, day: datetime.date) -> dict:
    return {f"{prefix}[day]": day.day, f"{prefix}[month]": day.month, f"{prefix}[year]": day.year}


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_reassessment_reuses_the_template_and_is_dated_at_the_year_end(world):
    tree, programme, rnd = world
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    new = start_reassessment(admin, rnd)
    assert new.template_id == rnd.template_id and new.programme_id == programme.pk
    assert new.financial_year == 2019 and new.baseline_id == rnd.pk
    assert (new.opens_on, new.closes_on) == (datetime.date(2020, 3, 1), datetime.date(2020, 3, 31))
    assert new.name == "Year-end re-assessment 2019/20" and new.scope_label == "England"
    event = AuditEvent.objects.get(action="round.created", object_id=str(new.pk))
    assert event.after["baseline"] == rnd.pk and event.actor == admin


def test_the_programmes_own_year_end_dates_are_used(world):
    _, programme, rnd = world
    Phase.objects.create(
        programme=programme,
        kind="year_end",
        starts_on=datetime.date(2020, 2, 15),
        ends_on=datetime.date(2020, 3, 20),
    )
    new = start_reassessment(make_user("admin@test.example", Role.NATIONAL_ADMIN), rnd)
    assert (new.opens_on, new.closes_on) == (datetime.date(2020, 2, 15), datetime.date(2020, 3, 20))


def test_a_second_reassessment_of_the_same_baseline_is_refused_with_the_reason(world):
    _, _, rnd = world
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    first = start_reassessment(admin, rnd)
    with pytest.raises(ReassessmentRefused) as exc:
        start_reassessment(admin, rnd)
    assert exc.value.reason == f"The year-end re-assessment of {rnd} has already been started: {first}."
    refused = can_start_reassessment(admin, first)
    assert not refused and "is the re-assessment of September 2019" in refused.reason
    assert AssessmentRound.objects.count() == 2


def test_next_years_round_compared_with_last_year_can_have_its_own_reassessment(world):
    _, _, rnd = world
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    later = AssessmentRound.objects.create(
        name="September 2020",
        template=rnd.template,
        financial_year=2020,
        opens_on=datetime.date(2020, 9, 1),
        closes_on=datetime.date(2020, 9, 30),
        baseline=rnd,
    )
    assert can_start_reassessment(admin, later)
    assert can_start_reassessment(admin, rnd)  # the 2020 round is not rnd's re-assessment


def test_who_may_start_it(world):
    tree, _, rnd = world
    place_round = make_round("Place September", place=tree.places[0])
    place_lead = make_user("place@test.example", Role.PLACE_LEAD, tree.places[0])
    other_place = make_user("other@test.example", Role.PLACE_LEAD, tree.places[1])
    cd = make_user("cd@test.example", Role.PCN_CD, tree.pcns[0])
    assert can_start_reassessment(place_lead, place_round)
    assert can_start_reassessment(other_place, place_round).reason == (
        f"Only a lead whose role covers {tree.places[0]} can start this round's re-assessment."
    )
    assert can_start_reassessment(place_lead, rnd).reason == (
        "Only a lead whose role covers England can start this round's re-assessment."
    )
    assert can_start_reassessment(cd, rnd).reason == (
        "Only a place, system, region or national lead can open a self-assessment round."
    )
    new = start_reassessment(place_lead, place_round)
    assert (
        new.place_id == tree.places[0].pk and new.name == f"Year-end re-assessment 2019/20: {tree.places[0]}"
    )


def test_the_round_page_offers_the_button_or_says_why_not(client, world):
    tree, _, rnd = world
    client.force_login(make_user("place@test.example", Role.PLACE_LEAD, tree.places[0]))
    page = _text(client.get(reverse("maturity:round", args=[rnd.pk])))
    assert (
        "You cannot start a year-end re-assessment of this round: Only a lead whose role covers England"
        in page
    )
    assert reverse("maturity:reassess", args=[rnd.pk]) not in page
    response = client.get(reverse("maturity:reassess", args=[rnd.pk]))
    assert response.status_code == 403 and "Only a lead whose role covers England" in _text(response)
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    page = _text(client.get(reverse("maturity:round", args=[rnd.pk])))
    assert "Start the year-end re-assessment" in page and reverse("maturity:reassess", args=[rnd.pk]) in page


def test_starting_it_from_the_page_with_bad_then_good_input(client, world):
    _, _, rnd = world
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    url = reverse("maturity:reassess", args=[rnd.pk])
    form = _text(client.get(url))
    assert 'value="Year-end re-assessment 2019/20"' in form and 'name="opens_on[day]"' in form
    assert "csrfmiddlewaretoken" in form
    bad = client.post(
        url,
        {"name": "", "opens_on[day]": "31", "opens_on[month]": "2", "opens_on[year]": "2020"}
        | _date("closes_on", datetime.date(2020, 3, 1)),
    )
    assert bad.status_code == 400
    page = _text(bad)
    assert "There is a problem" in page and "Enter a name for the re-assessment" in page
    assert "The opening date must be a real date" in page and 'value="31"' in page
    backwards = client.post(
        url,
        {"name": "March review"}
        | _date("opens_on", datetime.date(2020, 3, 20))
        | _date("closes_on", datetime.date(2020, 3, 1)),
    )
    assert backwards.status_code == 400
    assert "The closing date must be on or after the opening date" in _text(backwards)
    assert AssessmentRound.objects.count() == 1
    done = client.post(
        url,
        {"name": "March review"}
        | _date("opens_on", datetime.date(2020, 3, 2))
        | _date("closes_on", datetime.date(2020, 3, 27)),
    )
    new = AssessmentRound.objects.get(baseline=rnd)
    assert done.status_code == 302 and done.url == reverse("maturity:round", args=[new.pk])
    assert (new.name, new.opens_on, new.closes_on) == (
        "March review",
        datetime.date(2020, 3, 2),
        datetime.date(2020, 3, 27),
    )
    page = _text(client.get(reverse("maturity:round", args=[rnd.pk])))
    assert "Year-end re-assessment: March review" in page
    assert f"The year-end re-assessment of {rnd} has already been started: March review." in page
    again = client.post(
        url, {"name": "Again"} | _date("opens_on", new.opens_on) | _date("closes_on", new.closes_on)
    )
    assert again.status_code == 403 and "has already been started" in _text(again)


def _with_results(tree, rnd, admin):
    """Baseline: every PCN at stage 1. Re-assessment: the first PCN at 2, the second at 1, the third not submitted."""
    for pcn in tree.pcns:
        submitted_assessment(rnd, pcn, stages=(1, 2))
    new = start_reassessment(admin, rnd)
    submitted_assessment(new, tree.pcns[0], stages=(2, 3))
    submitted_assessment(new, tree.pcns[1], stages=(1, 2))
    return new


def test_the_change_since_the_baseline_per_pcn_and_aggregated(client, world):
    tree, _, rnd = world
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    new = _with_results(tree, rnd, admin)
    summary, pcns = change_by_area(new, new.pcns())
    assert [a.compared for a in summary] == [2] * 5
    assert {
        (a.baseline_mean, a.current_mean, a.change, a.improved, a.unchanged, a.fell) for a in summary
    } == {(1.0, 1.5, 0.5, 1, 1, 0)}
    by_code = {r.pcn.code: r for r in pcns}
    assert by_code[tree.pcns[0].code].changes == [1.0] * 5
    assert by_code[tree.pcns[1].code].changes == [0.0] * 5
    assert not by_code[tree.pcns[2].code].compared

    client.force_login(admin)
    page = _text(client.get(reverse("maturity:round", args=[new.pk])))
    assert "Change since September 2019" in page and "+0.5" in page
    page = _text(client.get(reverse("maturity:change", args=[new.pk])))
    assert "+1.0" in page and "+0.0" in page and "Not submitted in both rounds" in page
    results = _text(client.get(reverse("maturity:results", args=[new.pk, tree.pcns[0].code])))
    assert "Change since September 2019" in results and "+1.0" in results


def test_the_change_page_is_for_overseers_and_a_cd_sees_their_own_change(client, world):
    tree, _, rnd = world
    new = _with_results(tree, rnd, make_user("admin@test.example", Role.NATIONAL_ADMIN))
    client.force_login(make_user("cd@test.example", Role.PCN_CD, tree.pcns[0]))
    refused = client.get(reverse("maturity:change", args=[new.pk]))
    assert (
        refused.status_code == 403
        and "Heatmaps are for place, system, region and national users." in _text(refused)
    )
    own = _text(client.get(reverse("maturity:results", args=[new.pk, tree.pcns[0].code])))
    assert "Change since September 2019" in own and "+1.0" in own
    client.force_login(make_user("place@test.example", Role.PLACE_LEAD, tree.places[0]))
    page = _text(client.get(reverse("maturity:change", args=[new.pk])))
    assert tree.pcns[0].name in page and tree.pcns[2].name not in page  # the other place's PCN
    no_baseline = client.get(reverse("maturity:change", args=[rnd.pk]))
    assert no_baseline.status_code == 403 and "is not compared with an earlier round" in _text(no_baseline)


def test_the_change_page_reads_a_fixed_number_of_queries(client, db):
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    client.force_login(admin)
    counts = []
    for n, prefix in ((2, "A"), (6, "B")):
        tree = build_tree(regions=1, systems=1, places=1, pcns=n, practices=1, unallocated=0, prefix=prefix)
        rnd = make_round(f"September {prefix}", place=tree.places[0])
        for pcn in tree.pcns:
            submitted_assessment(rnd, pcn, stages=(1, 2))
        new = start_reassessment(admin, rnd)
        for pcn in tree.pcns:
            submitted_assessment(new, pcn, stages=(2, 3))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("maturity:change", args=[new.pk])).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_api_starts_it_refuses_with_reasons_and_shows_the_change(client, world):
    tree, _, rnd = world
    client.force_login(make_user("place@test.example", Role.PLACE_LEAD, tree.places[0]))
    detail = client.get(f"{API}/{rnd.pk}").json()
    assert detail["start_reassessment"] == {
        "allowed": False,
        "reason": "Only a lead whose role covers England can start this round's re-assessment.",
    }
    refused = _post(client, f"{API}/{rnd.pk}/reassessment", {})
    assert refused.status_code == 403 and "covers England" in refused.json()["detail"]
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    client.force_login(admin)
    assert client.get(f"{API}/{rnd.pk}").json()["start_reassessment"]["allowed"] is True
    long_name = _post(client, f"{API}/{rnd.pk}/reassessment", {"name": "x" * 201})
    assert long_name.status_code == 400 and "200 characters" in long_name.json()["reasons"][0]
    backwards = _post(
        client, f"{API}/{rnd.pk}/reassessment", {"opens_on": "2020-03-20", "closes_on": "2020-03-01"}
    )
    assert backwards.status_code == 400
    assert backwards.json()["reasons"] == ["The closing date must be on or after the opening date"]
    created = _post(client, f"{API}/{rnd.pk}/reassessment", {})
    assert created.status_code == 201
    body = created.json()
    assert body["baseline"] == rnd.pk and body["template"] == rnd.template_id
    assert (body["opens_on"], body["closes_on"]) == ("2020-03-01", "2020-03-31")
    again = _post(client, f"{API}/{rnd.pk}/reassessment", {})
    assert again.status_code == 403 and "has already been started" in again.json()["detail"]
    assert client.get(f"{API}/{rnd.pk}").json()["reassessment"] == body["id"]

    new = AssessmentRound.objects.get(pk=body["id"])
    submitted_assessment(new, tree.pcns[0], stages=(2, 3))
    submitted_assessment(rnd, tree.pcns[0], stages=(1, 2))
    change = client.get(f"{API}/{new.pk}/change").json()
    assert change["baseline"] == rnd.pk
    assert change["areas"][0]["compared"] == 1 and change["areas"][0]["change"] == 1.0
    assert change["pcns"][0]["changes"] == [1.0] * 5
    results = client.get(f"{API}/{new.pk}/pcns/{tree.pcns[0].code}/results").json()
    assert [c["change"] for c in results["change"]] == [1.0] * 5
    assert client.get(f"{API}/{rnd.pk}/change").status_code == 404
    client.force_login(make_user("cd@test.example", Role.PCN_CD, tree.pcns[0]))
    assert client.get(f"{API}/{new.pk}/change").status_code == 403
