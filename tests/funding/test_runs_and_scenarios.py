import re

import pytest
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.funding.allocating import preview, save_run
from tests.builders import AS_OF, build_tree, make_user
from tests.funding.builders import make_programme


@pytest.fixture
def world(db):
    tree = build_tree(regions=1, systems=2, places=2, pcns=2, practices=1, unallocated=0)
    programme = make_programme()
    return tree, programme


def test_a_new_version_shows_what_changed_pcn_by_pcn(client, world):
    tree, programme = world
    system = tree.systems[0]
    save_run(programme, preview(100_000, system.code, "list-size", AS_OF))
    second = save_run(programme, preview(100_000, system.code, "equal", AS_OF))
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, system))
    page = client.get(reverse("funding:run", args=[programme.pk, second.pk])).content.decode()
    assert "Changes since version 1" in page
    changes = [int(v) for v in re.findall(r'data-change="(-?\d+)"', page)]
    assert len(changes) == 4 and sum(changes) == 0 and any(changes)


def test_run_pages_show_only_visible_pcns(client, world):
    tree, programme = world
    run = save_run(programme, preview(100_000, "national", "list-size", AS_OF))
    pcn = tree.pcns[0]
    client.force_login(make_user("cd@test.example", Role.PCN_CD, pcn))
    page = client.get(reverse("funding:run", args=[programme.pk, run.pk])).content.decode()
    assert pcn.name in page and tree.pcns[1].name not in page
    client.force_login(make_user("nobody@test.example"))
    assert client.get(reverse("funding:run", args=[programme.pk, run.pk])).status_code == 404


def test_scenarios_compare_the_three_bases_against_the_engine(client, world):
    tree, programme = world
    system = tree.systems[0]
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, system))
    page = client.get(
        reverse("funding:compare", args=[programme.pk]), {"scope": system.code, "total": "1,000"}
    ).content.decode()
    shown = [int(v) for v in re.findall(r'data-list-size="(\d+)"', page)]
    engine = [
        r.total_pence for r in preview(100_000, system.code, "list-size", AS_OF).allocation.by_level("pcn")
    ]
    assert shown == engine and sum(shown) == 100_000
    assert "£250.00" in page  # equal shares: £1,000 over 4 PCNs


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"total": "-3"}, "must be £0 or more"),
        ({"scope": "ELSEWHERE"}, "Choose a system or place you can see"),
    ],
)
def test_scenario_form_errors_use_the_error_summary(client, world, params, message):
    tree, programme = world
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, tree.systems[0]))
    response = client.get(reverse("funding:compare", args=[programme.pk]), params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
