import pytest
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.funding.models import Programme
from tests.builders import AS_OF, build_tree, make_user

VALID = {
    "name": "PCN development support",
    "financial_year": "2020",
    "national_total": "43,700,000",
    "list_size_date[day]": str(AS_OF.day),
    "list_size_date[month]": str(AS_OF.month),
    "list_size_date[year]": str(AS_OF.year),
    "cd_share": "10",
    "cd_split": "per-cd",
    "basis": "list-size",
}


@pytest.fixture
def admin_client(client, db):
    build_tree(regions=1, systems=1, places=1, pcns=1, practices=1, unallocated=0)
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    return client


def test_a_national_admin_sets_up_a_programme_from_the_ui(admin_client):
    response = admin_client.post(reverse("funding:programme-new"), VALID)
    programme = Programme.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "funding:programme", args=[programme.pk]
    )
    assert (programme.national_total_pence, programme.financial_year, programme.cd_split) == (
        4_370_000_000,
        2020,
        "per-cd",
    )
    assert programme.priorities.count() == 10
    assert AuditEvent.objects.filter(action="programme.created", actor__email="admin@test.example").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter a name for the programme"),
        ({"financial_year": "19"}, "The programme must start in 2019 or later"),
        ({"national_total": "-1"}, "must be £0 or more"),
        ({"national_total": "lots"}, "is not an amount in pounds"),
        ({"list_size_date[day]": ""}, "Enter the date of the list sizes used"),
        ({"list_size_date[month]": "13"}, "The list-size date must be a real date"),
        ({"list_size_date[year]": "2018"}, "No list sizes are held for 2018-01-01"),
        ({"cd_share": "150"}, "The CD share must be between 0 and 100"),
    ],
)
def test_each_mistake_gets_a_specific_message_and_keeps_the_answers(admin_client, changes, message):
    response = admin_client.post(reverse("funding:programme-new"), {**VALID, **changes})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page and message in page
    assert 'value="43,700,000"' in page or "national_total" in changes
    assert not Programme.objects.exists()


def test_only_national_admins_see_the_form(client, db):
    tree = build_tree(regions=1, systems=1, places=1, pcns=1, practices=1, unallocated=0)
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, tree.systems[0]))
    response = client.get(reverse("funding:programme-new"))
    assert (
        response.status_code == 403
        and "Only a national administrator can set up a programme." in response.content.decode()
    )
