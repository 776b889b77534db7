"""Funding access, generated: every role × every money page, ledger history, ledger form and write, UI and API."""

import csv
import io
import json

import pytest
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.funding.ledger import post_many
from pcndev.funding.models import LedgerEntry
from tests.accounts.test_access_matrix import ROLE_CASES, _expected, _holder
from tests.builders import build_tree
from tests.funding.builders import make_programme

MANAGERS = {Role.NATIONAL_ADMIN, Role.REGION_LEAD, Role.SYSTEM_LEAD, Role.PLACE_LEAD}


@pytest.fixture
def funded(db):
    tree = build_tree(regions=2, systems=1, places=2, pcns=2, practices=1, unallocated=0)
    programme = make_programme()
    post_many(programme, [dict(pcn=p, kind="allocation", amount_pence=100_000) for p in tree.pcns])
    return tree, programme


@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_money_pages_and_ledger_writes_follow_the_subtree(client, funded, role, role_level):
    tree, programme = funded
    user, node = _holder(tree, role, role_level)
    client.force_login(user)
    for level, objects in (("system", tree.systems), ("place", tree.places), ("pcn", tree.pcns)):
        for obj in objects:
            allowed = _expected(tree, level, obj, role_level, node)
            status = client.get(reverse(f"funding:{level}", args=[programme.pk, obj.code])).status_code
            assert status == (200 if allowed else 404), f"{role}@{role_level} {level} {obj.code}: {status}"
            listed = {
                b["code"]
                for b in client.get(f"/api/v1/programmes/{programme.pk}/balances?level={level}").json()
            }
            assert (obj.code in listed) == allowed
    for pcn in tree.pcns:
        visible = _expected(tree, "pcn", pcn, role_level, node)
        body = {"pcn": pcn.code, "kind": "commitment", "amount_pence": 1}
        status = client.post(
            f"/api/v1/programmes/{programme.pk}/ledger", json.dumps(body), content_type="application/json"
        ).status_code
        expected = (201 if role in MANAGERS else 403) if visible else 404
        assert status == expected, f"{role}@{role_level} commit to {pcn.code}: {status}"


@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_run_compare_allocate_and_top_up_pages_follow_roles(client, funded, role, role_level):
    from pcndev.funding.allocating import preview, save_run
    from tests.builders import AS_OF

    tree, programme = funded
    run = save_run(programme, preview(1_000_000, "national", "list-size", AS_OF))
    user, node = _holder(tree, role, role_level)
    client.force_login(user)
    sees_a_pcn = any(_expected(tree, "pcn", p, role_level, node) for p in tree.pcns)
    sees_a_place = any(_expected(tree, "place", p, role_level, node) for p in tree.places)
    is_manager = role in MANAGERS

    assert client.get(reverse("funding:run", args=[programme.pk, run.pk])).status_code == (
        200 if sees_a_pcn else 404
    )
    assert client.get(reverse("funding:compare", args=[programme.pk])).status_code == (
        200 if sees_a_place else 403
    )
    assert client.get(reverse("funding:allocate", args=[programme.pk])).status_code == (
        200 if is_manager else 403
    )
    for place in tree.places:
        visible = _expected(tree, "place", place, role_level, node)
        status = client.get(reverse("funding:top-up", args=[programme.pk, "place", place.code])).status_code
        assert status == ((200 if is_manager else 403) if visible else 404), (
            f"{role}@{role_level} top-up {place.code}"
        )


@pytest.mark.parametrize(("role", "role_level"), ROLE_CASES, ids=[f"{r}@{lv}" for r, lv in ROLE_CASES])
def test_ledger_history_and_posting_forms_follow_roles(client, funded, role, role_level):
    tree, programme = funded
    user, node = _holder(tree, role, role_level)
    client.force_login(user)
    seen = {p.code for p in tree.pcns if _expected(tree, "pcn", p, role_level, node)}
    is_manager = role in MANAGERS
    url = reverse("funding:ledger", args=[programme.pk])
    page = client.get(url, {"format": "csv"})
    if seen:
        rows = list(csv.DictReader(io.StringIO(page.content.decode("utf-8-sig"))))
        assert page.status_code == 200 and {r["ODS code"] for r in rows} == seen
    else:
        assert page.status_code == 403 and "your roles do not cover a PCN" in page.content.decode()
    api = {e["pcn"] for e in client.get(f"/api/v1/programmes/{programme.pk}/ledger").json()}
    assert api == seen
    for level, objects in (("system", tree.systems), ("place", tree.places), ("pcn", tree.pcns)):
        for obj in objects:
            status = client.get(url, {"scope": f"{level}:{obj.code}"}).status_code
            expected = (200 if _expected(tree, level, obj, role_level, node) else 400) if seen else 403
            assert status == expected, f"{role}@{role_level} ledger scope {level} {obj.code}: {status}"
    before = LedgerEntry.objects.count()
    for pcn in tree.pcns:
        expected = (200 if is_manager else 403) if pcn.code in seen else 404
        entry = LedgerEntry.objects.get(pcn=pcn, kind="allocation")
        urls = [
            reverse("funding:entry-new", args=[programme.pk, pcn.code, k])
            for k in ("release", "spend", "return")
        ]
        urls.append(reverse("funding:reverse", args=[programme.pk, pcn.code, entry.pk]))
        for form_url in urls:
            status = client.get(form_url).status_code
            assert status == expected, f"{role}@{role_level} GET {form_url}: {status}"
        spend = {"amount": "1", "entry_date[day]": "1", "entry_date[month]": "1", "entry_date[year]": "2020"}
        status = client.post(urls[1], {**spend, "fund": "national"}).status_code
        # a manager's spend is refused by the ledger (nothing released yet); others never reach it
        assert status == (400 if expected == 200 else expected), f"{role}@{role_level} POST spend: {status}"
    assert LedgerEntry.objects.count() == before
