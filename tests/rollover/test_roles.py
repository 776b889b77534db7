"""Every role (ROLE_CASES): the dry run lists exactly the PCNs the role reaches, only a national administrator may
start the rollover (everyone else gets the reason, on the page and as a 403 in the API), the multi-year view is 404
outside the role's subtree, and the year-end re-assessment of a place's round is for the leads covering it."""

import json

import pytest
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.funding.models import Programme
from pcndev.maturity.rounds import can_start_reassessment
from tests.accounts.test_access_matrix import ROLE_CASES, _holder
from tests.maturity.builders import make_round
from tests.rollover.builders import year_end

LEADS = {Role.NATIONAL_ADMIN, Role.REGION_LEAD, Role.SYSTEM_LEAD, Role.PLACE_LEAD}


@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_each_role_sees_its_scope_and_only_a_national_admin_may_start_it(client, db, role, role_level):
    year = year_end()
    tree = year.tree
    user, node = _holder(tree, role, role_level)
    client.force_login(user)
    reach = {
        p.code
        for p in tree.pcns
        if role_level is None or (role_level, node.code) in tree.lineage[("pcn", p.code)]
    }
    carried = {p.code for p in tree.pcns[:3]}
    admin = role == Role.NATIONAL_ADMIN
    reason = "Only a national administrator can start 2020/21."

    url = f"/api/v1/programmes/{year.programme.pk}/rollover"
    dry = client.get(url).json()
    assert {p["pcn"] for p in dry["pcns"]} == reach & carried
    assert dry["start"] == {"allowed": admin, "reason": "" if admin else reason}
    page = client.get(reverse("delivery:rollover", args=[year.programme.pk])).content.decode()
    assert ("You cannot start 2020/21" in page) is not admin and ('name="national_total"' in page) is admin

    for pcn in tree.pcns:
        expected = 200 if pcn.code in reach else 404
        assert client.get(reverse("delivery:multi-year", args=[pcn.code])).status_code == expected
        assert client.get(f"/api/v1/pcns/{pcn.code}/years").status_code == expected

    place_round = make_round("Place September", place=tree.places[0])
    covers = role_level is None or (role_level, node.code) in tree.lineage[("place", tree.places[0].code)]
    assert bool(can_start_reassessment(user, place_round)) is (role in LEADS and covers)

    body = {"name": "PCN development support 2020/21", "national_total_pence": 4_370_000_000}
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == (201 if admin else 403)
    if not admin:
        assert response.json()["detail"] == reason
    assert Programme.objects.filter(financial_year=2020).exists() is admin
