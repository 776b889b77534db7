"""Allocating from the register: preview, saved versions, the ledger, and the CLI."""

import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.funding.allocating import preview, save_run
from pcndev.funding.ledger import LedgerRefused, balances_by, post
from pcndev.funding.models import AllocationLine, AllocationRun, LedgerEntry, Programme
from pcndev.funding.programmes import ProgrammeError, create_programme, percent_to_bp, pounds_to_pence
from pcndev.orgs.models import ClinicalDirector
from tests.builders import AS_OF, build_tree, make_user
from tests.funding.builders import make_programme


@pytest.fixture
def system_tree(db):
    return build_tree(regions=1, systems=2, places=2, pcns=3, practices=2, unallocated=1)


def test_preview_allocates_a_system_total_exactly_and_writes_nothing(system_tree):
    system = system_tree.systems[0]
    result = preview(113_400_000, system.code, "list-size", AS_OF)
    pcn_rows = result.allocation.by_level("pcn")
    assert len(pcn_rows) == 6 and sum(r.total_pence for r in pcn_rows) == 113_400_000
    assert result.allocation.row("system", system.code).total_pence == 113_400_000
    assert sum(r.cd_pence for r in pcn_rows) == 11_340_000
    assert result.unallocated["practices"] == 2 and result.unallocated["patients"] > 0
    assert not AllocationRun.objects.exists() and not LedgerEntry.objects.exists()


def test_saved_runs_are_versioned_and_replace_earlier_allocations_in_the_ledger(system_tree):
    programme = make_programme()
    system = system_tree.systems[0]
    first = save_run(programme, preview(100_000_00, system.code, "list-size", AS_OF))
    second = save_run(programme, preview(120_000_00, system.code, "equal", AS_OF))
    assert (first.version, second.version) == (1, 2)
    assert AllocationLine.objects.filter(run=second, level="pcn").count() == 6
    balances = balances_by(programme, "system", [system.id])[system.id]
    assert balances.allocated == 120_000_00  # version 1's entries were reversed, not edited
    assert LedgerEntry.objects.filter(kind="reversal").count() == 6
    assert AuditEvent.objects.filter(action="allocation.saved").count() == 2
    with pytest.raises(ValueError, match="cannot be changed"):
        first.total_pence = 1
        first.save()


def test_reallocating_above_commitments_succeeds_even_when_the_amount_falls(system_tree):
    programme = make_programme()
    system = system_tree.systems[0]
    save_run(programme, preview(100_000_00, system.code, "list-size", AS_OF))
    pcn = system_tree.pcns[0]
    post(programme, pcn, "commitment", 4_000_00)  # its list-size share was £5,128.20
    save_run(programme, preview(24_000_00, system.code, "equal", AS_OF))  # now £4,000.00 each
    balances = balances_by(programme, "pcn", [pcn.id])[pcn.id]
    assert balances.allocated == 4_000_00 and balances.committed == 4_000_00 and balances.available == 0


def test_a_run_that_would_leave_commitments_unfunded_is_refused(system_tree):
    programme = make_programme()
    system = system_tree.systems[0]
    save_run(programme, preview(100_000_00, system.code, "list-size", AS_OF))
    pcn = system_tree.pcns[0]
    post(programme, pcn, "commitment", balances_by(programme, "pcn", [pcn.id])[pcn.id].allocated)
    with pytest.raises(LedgerRefused) as caught:
        save_run(programme, preview(10_00, system.code, "list-size", AS_OF))
    assert any(
        r.startswith(f"{pcn.name}: the new allocation of £")
        and r.endswith("of national money already committed")
        for r in caught.value.reasons
    )
    assert AllocationRun.objects.count() == 1


def test_cd_money_follows_cd_roles_under_the_per_cd_split(system_tree):
    pcns = [p for p in system_tree.pcns if p.place.system_id == system_tree.systems[0].id]
    ClinicalDirector.objects.create(pcn=pcns[0], name="A", share_percent=100)
    ClinicalDirector.objects.create(pcn=pcns[0], name="B", share_percent=100)  # two full CD roles
    result = preview(
        60_000_00, system_tree.systems[0].code, "equal", AS_OF, cd_share_bp=1000, cd_split="per-cd"
    )
    cd = {r.code: r.cd_pence for r in result.allocation.by_level("pcn")}
    # CD pot £6,000.00 over weights 200 + 5 × 100: 171,428.57p and 85,714.29p each, pennies by largest remainder
    assert cd[pcns[0].code] == 171_429 and sum(cd.values()) == 600_000
    assert {cd[p.code] for p in pcns[1:]} <= {85_714, 85_715}


def test_cli_preview_prints_json_rows_for_every_node_in_scope(system_tree, capsys):
    system = system_tree.systems[0]
    call_command(
        "funding",
        "allocate",
        "--total",
        "1,134,000",
        "--scope",
        system.code,
        "--as-of",
        AS_OF.isoformat(),
        "--json",
    )
    data = json.loads(capsys.readouterr().out)
    assert data["total_pence"] == 113_400_000 and data["basis"] == "list-size"
    levels = [r["level"] for r in data["rows"]]
    assert levels.count("system") == 1 and levels.count("place") == 2 and levels.count("pcn") == 6
    assert set(data["rows"][0]) == {
        "level",
        "code",
        "name",
        "list_size",
        "development_pence",
        "cd_pence",
        "total_pence",
    }
    assert data["unallocated_practices"] == 2
    assert not AllocationRun.objects.exists()


def test_cli_saves_into_a_named_programme(system_tree, capsys):
    call_command(
        "funding",
        "programme",
        "--name",
        "PCN development",
        "--year",
        "2019",
        "--total",
        "43500000",
        "--as-of",
        AS_OF.isoformat(),
    )
    assert "with 6 priorities" in capsys.readouterr().out
    call_command(
        "funding",
        "allocate",
        "--total",
        "1000",
        "--scope",
        "national",
        "--as-of",
        AS_OF.isoformat(),
        "--save",
        "--programme",
        "PCN development",
    )
    run = AllocationRun.objects.get()
    assert run.scope == "national" and run.total_pence == 100_000
    assert (
        sum(LedgerEntry.objects.filter(kind="allocation").values_list("amount_pence", flat=True)) == 100_000
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--total", "-5"], "'-5' must be £0 or more"),
        (["--total", "12.345"], "fractions of a penny"),
        (["--total", "ten"], "is not an amount in pounds"),
        (["--scope", "NOWHERE"], "Unknown scope 'NOWHERE'"),
        (["--as-of", "2020-02-02"], "No list sizes are held for 2020-02-02"),
        (["--cd-share", "101"], "The CD share must be between 0 and 100"),
        (["--basis", "blend:x"], "Unknown basis 'blend:x'"),
        (["--save"], "--save needs --programme NAME"),
        (["--save", "--programme", "Nope"], "No programme called 'Nope'"),
    ],
)
def test_cli_refuses_bad_arguments_clearly(system_tree, args, message):
    base = {"--total": "1000", "--scope": system_tree.systems[0].code, "--as-of": AS_OF.isoformat()}
    flags = [a for a in args if a.startswith("--")]
    argv = [x for k, v in base.items() if k not in flags for x in (k, v)] + args
    with pytest.raises(CommandError, match=message):
        call_command("funding", "allocate", *argv)
    assert not AllocationRun.objects.exists()


def test_programme_creation_validates_and_carries_the_years_priorities(system_tree):
    p2019 = create_programme("Development", 2019, 4_350_000_000, AS_OF)
    p2020 = create_programme("Development", 2020, 4_370_000_000, AS_OF)
    assert (
        p2019.priorities.filter(kind="domain").count() == 6
        and not p2019.priorities.filter(kind="priority").exists()
    )
    assert set(p2020.priorities.filter(kind="priority").values_list("code", flat=True)) == {
        "workforce",
        "integration",
        "access",
        "inequalities",
    }
    with pytest.raises(ProgrammeError, match="already a programme called 'Development' for 2019"):
        create_programme("Development", 2019, 1, AS_OF)
    with pytest.raises(ProgrammeError) as caught:
        create_programme(
            " ", 1990, -1, AS_OF.replace(year=1999), cd_share_bp=20000, cd_split="x", basis="nope"
        )
    for text in (
        "Enter a name",
        "2019 or later",
        "£0 or more",
        "between 0% and 100%",
        "The CD split must be",
        "Unknown basis",
        "No list sizes",
    ):
        assert text in str(caught.value)
    assert Programme.objects.count() == 2


@pytest.mark.parametrize(
    ("text", "pence"), [("43500000", 4_350_000_000), ("£1,134,000.00", 113_400_000), ("0.01", 1)]
)
def test_pounds_are_read_exactly(text, pence):
    assert pounds_to_pence(text) == pence


def test_percentages_become_basis_points():
    assert percent_to_bp("10") == 1000 and percent_to_bp("12.5%") == 1250
    with pytest.raises(ProgrammeError, match="more than two decimal places"):
        percent_to_bp("10.005")


def test_the_pcn_money_page_shows_practice_shares_of_the_latest_run(client, system_tree):
    programme = make_programme()
    system = system_tree.systems[0]
    save_run(programme, preview(100_000_00, system.code, "list-size", AS_OF))
    run = save_run(programme, preview(50_000_00, system.code, "list-size", AS_OF))
    pcn = system_tree.pcns[0]
    line = AllocationLine.objects.get(run=run, pcn=pcn)
    client.force_login(make_user("lead@test.example", Role.SYSTEM_LEAD, system))
    page = client.get(reverse("funding:pcn", args=[programme.pk, pcn.code])).content.decode()
    shares = [int(v) for v in re.findall(r'data-share="(\d+)"', page)]
    assert len(shares) == 2 and sum(shares) == line.development_pence
