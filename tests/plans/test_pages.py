"""Plan pages: the whole agreement path through the UI, each form's specific errors, stale saves, reasons on
buttons, CD development plans, and who may see a plan."""

import html

import pytest
from django.urls import reverse

from pcndev.orgs.models import ClinicalDirector
from pcndev.plans.models import CDDevelopmentPlan, Initiative, PlanVersion
from tests.accounts.test_access_matrix import ROLE_CASES, _expected, _holder
from tests.builders import build_tree
from tests.plans.builders import funded_world, ready_plan

INITIATIVE = {
    "title": "Away day",
    "domain": "od",
    "tag": "internal",
    "provider_type": "federation",
    "funding_source": "programme",
    "cost": "2,500",
    "category": "development",
    "already_funded": "no",
    "in_contract": "no",
    "pcn_related": "yes",
    "transformation": "yes",
    "existing_funds_checked": "yes",
    "measure-0-description": "Away day held",
    "measure-0-target": "1",
    "measure-0-due[day]": "31",
    "measure-0-due[month]": "3",
    "measure-0-due[year]": "2020",
    "priorities": [],
}


@pytest.fixture
def w(db):
    return funded_world()


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_a_cd_starts_a_plan_adds_initiatives_and_the_place_lead_agrees_it(client, w):
    client.force_login(w.cd)
    response = client.post(reverse("plans:start", args=[w.programme.pk, w.pcn.code]))
    version = PlanVersion.objects.get(plan__pcn=w.pcn)
    assert response.status_code == 302 and response["Location"] == reverse("plans:version", args=[version.pk])
    url = reverse("plans:initiative-new", args=[version.pk])
    assert client.post(url, INITIATIVE | {"lock_version": version.lock_version}).status_code == 302
    version.refresh_from_db()
    response = client.post(
        url,
        INITIATIVE
        | {"lock_version": version.lock_version, "title": "ARRS pharmacist salary", "category": "contract"},
    )
    assert response.status_code == 302
    page = _page(client.get(reverse("plans:version", args=[version.pk])))
    assert "This is already paid for through the GP contract or the Network Contract DES." in page
    assert "Blocked" in page and "Eligible" in page
    assert "£2,500.00" in page
    version.refresh_from_db()
    client.post(
        reverse("plans:version-edit", args=[version.pk]),
        {"improvement_priority": "Frailty", "summary": "", "lock_version": version.lock_version},
    )
    response = client.post(reverse("plans:action", args=[version.pk, "submit"]), {})
    assert response.status_code == 400
    assert "ARRS pharmacist salary: This is already paid for" in _page(response)
    blocked = Initiative.objects.get(title="ARRS pharmacist salary")
    version.refresh_from_db()
    client.post(
        reverse("plans:initiative-edit", args=[version.pk, blocked.pk]),
        INITIATIVE
        | {"lock_version": version.lock_version, "title": "Pharmacist induction", "category": "development"},
    )
    assert client.post(reverse("plans:action", args=[version.pk, "submit"]), {}).status_code == 302
    page = _page(client.get(reverse("plans:version", args=[version.pk])))
    assert "Agree the plan" in page
    client.force_login(w.place_lead)
    assert client.post(reverse("plans:action", args=[version.pk, "agree"]), {}).status_code == 302
    client.force_login(w.cd)
    assert client.post(reverse("plans:action", args=[version.pk, "agree"]), {}).status_code == 302
    assert PlanVersion.objects.get(pk=version.pk).state == "agreed"


def test_the_initiative_form_names_every_problem_and_keeps_the_answers(client, w):
    version = ready_plan(w, costs=())
    client.force_login(w.cd)
    bad = INITIATIVE | {
        "lock_version": version.lock_version,
        "title": "",
        "cost": "lots",
        "start_month[month]": "13",
        "start_month[year]": "2019",
        "measure-0-target": "",
        "measure-1-due[day]": "31",
        "measure-1-due[month]": "2",
        "measure-1-due[year]": "2020",
        "domain": "",
    }
    response = client.post(reverse("plans:initiative-new", args=[version.pk]), bad)
    assert response.status_code == 400
    page = _page(response)
    for message in (
        "Enter a title for the initiative",
        "'lots' is not an amount in pounds",
        "The start month must be a real month, like 10 2019",
        "Output measure 2: the date must be a real date",
        "Select the support domain the initiative belongs to",
    ):
        assert message in page, message
    assert 'value="lots"' in page
    assert not Initiative.objects.exists()


def test_a_stale_initiative_save_is_refused_and_shows_the_typed_answers(client, w):
    version = ready_plan(w, costs=(1_000_00,))
    client.force_login(w.cd)
    stale = version.lock_version - 1
    response = client.post(
        reverse("plans:initiative-new", args=[version.pk]),
        INITIATIVE | {"lock_version": stale, "title": "Late idea"},
    )
    assert response.status_code == 409
    page = _page(response)
    assert "This plan was changed by Cd on" in page and 'value="Late idea"' in page
    assert not Initiative.objects.filter(title="Late idea").exists()


def test_buttons_that_are_unavailable_say_why(client, w):
    version = ready_plan(w)
    client.force_login(w.place_lead)
    page = _page(client.get(reverse("plans:version", args=[version.pk])))
    assert "Submit for agreement</strong>: Only the PCN's clinical director can submit for agreement." in page
    response = client.get(reverse("plans:action", args=[version.pk, "submit"]))
    assert response.status_code == 403
    assert "Only the PCN's clinical director can submit for agreement." in _page(response)


@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_plans_are_seen_only_within_the_subtree(client, db, role, role_level):
    tree = build_tree(regions=2, systems=1, places=2, pcns=1, practices=1, unallocated=0)
    from pcndev.funding.programmes import create_programme
    from pcndev.plans.models import PlanVersion, SupportPlan
    from tests.builders import AS_OF

    programme = create_programme("PCN development support", 2019, 1_000_00, AS_OF)
    versions = {
        p.code: PlanVersion.objects.create(
            plan=SupportPlan.objects.create(programme=programme, pcn=p), number=1
        )
        for p in tree.pcns
    }
    user, node = _holder(tree, role, role_level)
    client.force_login(user)
    listed = _page(client.get(reverse("plans:list", args=[programme.pk])))
    for pcn in tree.pcns:
        allowed = _expected(tree, "pcn", pcn, role_level, node)
        status = client.get(reverse("plans:version", args=[versions[pcn.code].pk])).status_code
        assert status == (200 if allowed else 404), f"{role}@{role_level} {pcn.code}"
        assert (pcn.name in listed) == allowed


def test_job_share_cds_each_plan_within_their_share_and_the_place_lead_agrees(client, w):
    programme, pcn = w.programme, w.pcn
    first = ClinicalDirector.objects.create(pcn=pcn, name="Dr A", share_percent=60, user=w.cd)
    ClinicalDirector.objects.create(pcn=pcn, name="Dr B", share_percent=40)
    client.force_login(w.cd)
    url = reverse("plans:cd-director", args=[programme.pk, first.pk])
    page = _page(client.get(url))
    assert "CD development money for this plan: £3,000.00" in page  # 60% of the PCN's £5,000 CD slice
    assert not CDDevelopmentPlan.objects.exists()  # looking never creates a plan
    response = client.post(url, {"kind": "coaching", "description": "Executive coaching", "cost": "3,500"})
    assert response.status_code == 400
    assert "This would take the plan to £3,500.00, over its £3,000.00 of CD development money" in _page(
        response
    )
    assert not CDDevelopmentPlan.objects.exists()  # the refused first item left no empty plan
    assert (
        client.post(
            url, {"kind": "coaching", "description": "Executive coaching", "cost": "1,500"}
        ).status_code
        == 302
    )
    response = client.post(url, {"action": "agree"})
    assert response.status_code == 403 and "Only the place lead can agree" in _page(response)
    client.force_login(w.place_lead)
    assert client.post(url, {"action": "agree"}).status_code == 302
    assert CDDevelopmentPlan.objects.get(director=first).status == "agreed"
    response = client.post(url, {"kind": "coaching", "description": "More", "cost": "1"})
    assert response.status_code == 403


def test_a_plan_started_from_a_submitted_assessment_links_its_needs_and_elements(client, w):
    from tests.maturity.builders import elements_of, make_round, submitted_assessment

    rnd = make_round()
    assessment = submitted_assessment(rnd, w.pcn, stages=(0, 1), priority="Childhood asthma")
    client.force_login(w.cd)
    client.post(reverse("plans:start", args=[w.programme.pk, w.pcn.code]))
    version = PlanVersion.objects.get(plan__pcn=w.pcn)
    assert version.improvement_priority == "Childhood asthma"
    assert version.needs.count() == assessment.needs.count() == 20
    element = elements_of(rnd)[0]
    data = INITIATIVE | {
        "lock_version": version.lock_version,
        "elements": [str(element.pk)],
        "area": str(element.area_id),
    }
    assert client.post(reverse("plans:initiative-new", args=[version.pk]), data).status_code == 302
    initiative = Initiative.objects.get()
    assert list(initiative.elements.all()) == [element] and initiative.area == element.area
    page = _page(client.get(reverse("plans:version", args=[version.pk])))
    assert element.title in page and "Childhood asthma" in page
