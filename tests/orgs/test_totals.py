"""Totals reconcile at every level: each node's figure is the sum of its children's (plus unallocated practices)."""

import re

import pytest
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.orgs import totals
from pcndev.orgs.models import ListSize, PracticeMembership
from pcndev.orgs.views import band_flag
from tests.builders import AS_OF, build_tree, make_user


def _cells(html: str, attr: str) -> list[int]:
    return [int(v) for v in re.findall(rf'{attr}="(\d+)"', html)]


@pytest.mark.django_db
def test_every_page_total_equals_the_sum_of_its_rows_and_the_parent_row(client):
    tree = build_tree(regions=2, systems=2, places=2, pcns=2, practices=3, unallocated=1)
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    everything = sum(ListSize.objects.filter(as_of=AS_OF).values_list("patients", flat=True))

    index = client.get(reverse("orgs:index")).content.decode()
    assert sum(_cells(index, "data-patients")) == _cells(index, "data-total-patients")[0] == everything

    for region in tree.regions:
        html = client.get(reverse("orgs:region", args=[region.code])).content.decode()
        region_total = _cells(html, "data-total-patients")[0]
        assert sum(_cells(html, "data-patients")) == region_total
        assert f'data-patients="{region_total}"' in index  # the region's row on the national page
    for place in tree.places:
        html = client.get(reverse("orgs:place", args=[place.code])).content.decode()
        assert sum(_cells(html, "data-patients")) == _cells(html, "data-total-patients")[0]
    for pcn in tree.pcns:
        html = client.get(reverse("orgs:pcn", args=[pcn.code])).content.decode()
        expected = sum(
            ListSize.objects.filter(
                as_of=AS_OF, practice__memberships__pcn=pcn, practice__memberships__valid_to__isnull=True
            ).values_list("patients", flat=True)
        )
        assert sum(_cells(html, "data-patients")) == _cells(html, "data-total-patients")[0] == expected


@pytest.mark.django_db
def test_place_totals_separate_pcn_practices_from_unallocated_ones():
    tree = build_tree(regions=1, systems=1, places=1, pcns=2, practices=2, unallocated=1)
    place = tree.places[0]
    result = totals.totals_by("place", [place.id], AS_OF)[place.id]
    # practices 1..4 are in PCNs (1,000 × n patients), practice 5 is unallocated
    assert (result.pcns, result.practices, result.patients) == (2, 4, 10_000)
    assert (result.unallocated_practices, result.unallocated_patients) == (1, 5_000)
    assert result.all_patients == 15_000


@pytest.mark.django_db
def test_a_closed_membership_no_longer_counts_towards_the_pcn():
    tree = build_tree(regions=1, systems=1, places=1, pcns=1, practices=2, unallocated=0)
    pcn = tree.pcns[0]
    PracticeMembership.objects.filter(practice=tree.practices[0]).update(valid_to=AS_OF)
    result = totals.totals_by("pcn", [pcn.id], AS_OF)[pcn.id]
    assert (result.practices, result.patients) == (1, 2_000)


@pytest.mark.parametrize(
    ("patients", "flag"), [(29_999, "Below 30,000"), (30_000, ""), (50_000, ""), (50_001, "Above 50,000")]
)
def test_pcn_size_band_flags(patients, flag):
    assert band_flag(patients) == flag


@pytest.mark.django_db
def test_place_page_lists_practices_that_never_joined_a_pcn(client):
    tree = build_tree(regions=1, systems=1, places=1, pcns=1, practices=1, unallocated=2)
    client.force_login(make_user("admin@test.example", Role.NATIONAL_ADMIN))
    page = client.get(reverse("orgs:place", args=[tree.places[0].code])).content.decode()
    assert "<h2>Practices not in a PCN</h2>" in page
    for practice in tree.unallocated:
        assert f">{practice.name}</a> ({practice.code})" in page
    assert f">{tree.practices[0].name}</a> ({tree.practices[0].code}):" not in page
