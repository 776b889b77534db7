"""A PCN across the years: per year its money (carried in and out kept apart), plan state and carried initiatives,
linked both ways; scoped by role; and a fixed number of queries whatever the number of years or initiatives."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.delivery.multi_year import years_for
from pcndev.delivery.rollover_writes import start_rollover
from pcndev.funding.ledger import post_many
from pcndev.plans import workflow
from pcndev.plans.models import Initiative, PlanVersion
from tests.builders import AS_OF, make_user
from tests.rollover.builders import year_end


@pytest.fixture
def rolled(db):
    year = year_end()
    admin = make_user("admin@test.example", Role.NATIONAL_ADMIN)
    new = start_rollover(
        admin, year.programme, "PCN development support 2020/21", 4_370_000_000, AS_OF
    ).programme
    return year, admin, new


def _figures(y) -> tuple:
    b = y.balances
    return (
        y.programme.year_label,
        y.allocated_pence,
        y.top_ups_pence,
        y.carried_in_pence,
        b.committed,
        b.released,
        b.spent,
        y.returned_pence,
        y.carried_out_pence,
        y.version.state if y.version else None,
    )


def test_each_years_money_and_plan_with_carried_money_counted_once(rolled):
    year, _, new = rolled
    p0 = year.tree.pcns[0]
    years = years_for(p0)
    assert [_figures(y) for y in years] == [
        ("2019/20", 1_000_000, 100_000, 0, 790_000, 790_000, 370_000, 0, 340_000, workflow.IN_DELIVERY),
        ("2020/21", 0, 0, 340_000, 0, 0, 0, 0, 0, workflow.DRAFT),
    ]
    assert sum(y.money_in_pence for y in years) == 1_100_000  # the carried money is not new money
    assert [i.carried_forward_from.title for i in years[1].carried_in] == [f"Initiative {k}" for k in "ACDE"]
    assert years[0].carry_out == years[1].carry_in and years[1].carry_in.amount_pence == 340_000


def test_the_page_links_the_years_and_the_carried_initiatives(client, rolled):
    year, admin, new = rolled
    p0 = year.tree.pcns[0]
    client.force_login(admin)
    page = html.unescape(client.get(reverse("delivery:multi-year", args=[p0.code])).content.decode())
    assert "<h1>" in page and "across the years" in page and "Carried into 2020/21" in page
    assert reverse("funding:pcn", args=[year.programme.pk, p0.code]) in page
    assert reverse("funding:pcn", args=[new.pk, p0.code]) in page
    assert reverse("plans:version", args=[year.versions[0].pk]) in page  # where each one came from
    copy = Initiative.objects.get(version__plan__programme=new, carried_forward_from=year.initiatives["A"])
    assert reverse("plans:version", args=[copy.version_id]) in page
    assert "£3,400.00" in page and "£2,000.00" in page and "Version 1: draft" in page


def test_the_page_and_api_are_scoped_by_role(client, rolled):
    year, _, new = rolled
    p0, _, p2, _ = year.tree.pcns
    client.force_login(make_user("place@test.example", Role.PLACE_LEAD, year.tree.places[1]))
    assert client.get(reverse("delivery:multi-year", args=[p0.code])).status_code == 404
    assert client.get(f"/api/v1/pcns/{p0.code}/years").status_code == 404
    assert client.get(reverse("delivery:multi-year", args=[p2.code])).status_code == 200
    client.force_login(make_user("cd@test.example", Role.PCN_CD, p0))
    body = client.get(f"/api/v1/pcns/{p0.code}/years").json()
    assert [y["year_label"] for y in body["years"]] == ["2019/20", "2020/21"]
    first, second = body["years"]
    assert (first["carried_out_pence"], second["carried_in_pence"], second["plan_state"]) == (
        340_000,
        340_000,
        "draft",
    )
    assert {
        i["title"]: (i["cost_pence"], i["from_cost_pence"], i["from_year_label"])
        for i in second["carried_in"]
    } == {
        "Initiative A": (200_000, 300_000, "2019/20"),
        "Initiative C": (100_000, 100_000, "2019/20"),
        "Initiative D": (40_000, 50_000, "2019/20"),
        "Initiative E": (20_000, 20_000, "2019/20"),
    }
    assert (
        first["plan_version"] == year.versions[0].pk
        and second["carried_in"][0]["from_plan_version"] == year.versions[0].pk
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_years_or_initiatives(client, rolled):
    year, admin, new = rolled
    p0 = year.tree.pcns[0]
    client.force_login(admin)
    url, api = reverse("delivery:multi-year", args=[p0.code]), f"/api/v1/pcns/{p0.code}/years"
    before = (_queries(client, url), _queries(client, api))
    # A third year: the 2020/21 plan goes into delivery with more initiatives, its money is released, and it rolls over.
    version = PlanVersion.objects.get(plan__programme=new, plan__pcn=p0)
    Initiative.objects.bulk_create(
        Initiative(version=version, title=f"Extra {n}", cost_pence=1_000, funding_source="top_up")
        for n in range(8)
    )
    PlanVersion.objects.filter(pk=version.pk).update(state=workflow.IN_DELIVERY)
    post_many(
        new,
        [
            dict(pcn=p0, kind="commitment", amount_pence=340_000, fund="local"),
            dict(pcn=p0, kind="release", amount_pence=340_000, fund="local"),
        ],
    )
    start_rollover(admin, new, "PCN development support 2021/22", 4_400_000_000, AS_OF)
    years = [y for y in years_for(p0) if y.has_anything]
    assert [y.programme.year_label for y in years] == ["2019/20", "2020/21", "2021/22"]
    assert years[1].carried_out_pence == 340_000 and years[2].carried_in_pence == 340_000
    assert len(years[2].carried_in) == 12  # never reviewed, so the extra ones carry over too
    assert (_queries(client, url), _queries(client, api)) == before
