"""`pcndev scale-data` as an operator meets it: the flag it needs, refusing a database with data, --force,
--factor, --json, and the same data from the same seed."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from pcndev.audit.models import AuditEvent
from pcndev.audit.services import record
from pcndev.funding.models import LedgerEntry
from pcndev.ops.scale_data import build
from pcndev.ops.scale_orgs import ScaleError
from pcndev.orgs.models import PCN, ListSize, Place, Practice, PracticeMembership, Region
from pcndev.plans.models import Initiative
from tests.builders import build_tree
from tests.orgs import nhs_samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def synthetic(tmp_path, settings):
    """The importer tests' small files (4 PCNs), as NHS_DATA_DIR."""
    nhs_samples.write_pair(tmp_path)
    settings.NHS_DATA_DIR = tmp_path
    return tmp_path


def _run(*args) -> str:
    out = io.StringIO()
    call_command("scale_data", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_needs_from_shared_and_the_files(tmp_path, settings):
    with pytest.raises(CommandError, match="--from-shared"):
        _run()
    settings.NHS_DATA_DIR = tmp_path / "nowhere"
    with pytest.raises(CommandError, match="No NHS Digital files in .*nowhere.*PCNDEV_NHS_DATA_DIR"):
        _run("--from-shared")
    assert not Region.objects.exists()


def test_it_refuses_a_database_with_data_and_changes_nothing(synthetic):
    tree = build_tree()
    with pytest.raises(CommandError) as refused:
        _run("--from-shared", "--audit-rows", "0")
    assert "The database is not empty" in str(refused.value) and "--force" in str(refused.value)
    assert list(PCN.objects.values_list("code", flat=True)) == [p.code for p in tree.pcns]
    assert not LedgerEntry.objects.exists()


def test_force_replaces_everything_even_the_append_only_audit_trail(synthetic):
    tree = build_tree()
    record(None, "test.before_force", tree.pcns[0])
    summary = json.loads(_run("--from-shared", "--force", "--audit-rows", "0", "--json"))
    assert not PCN.objects.filter(code__in=[p.code for p in tree.pcns]).exists()
    assert summary["counts"]["pcns"] == PCN.objects.count() == 4
    assert AuditEvent.objects.count() == summary["counts"]["audit_events"]
    assert not AuditEvent.objects.filter(action="test.before_force").exists()
    with pytest.raises(CommandError, match="not empty"):
        _run("--from-shared", "--audit-rows", "0")


def test_factor_multiplies_pcns_and_practices_under_the_same_places(synthetic):
    summary = build(factor=3, audit_rows=0, directory=synthetic)
    assert summary.factor == 3 and summary.counts["pcns"] == PCN.objects.count() == 12
    assert Place.objects.count() == 4  # places do not grow
    for code in ("U00001", "U00002", "U00003", "U00004"):
        original = PCN.objects.get(code=code)
        for k in (2, 3):
            copy = PCN.objects.get(code=f"{code}X{k}")
            assert copy.place_id == original.place_id and copy.name == f"{original.name} ({k})"
            assert copy.memberships.count() == original.memberships.count()
    assert Practice.objects.count() == 3 * 10
    assert PracticeMembership.objects.count() == 3 * 8
    assert ListSize.objects.count() == 3 * 9
    assert Initiative.objects.values("version__plan__pcn").distinct().count() >= 9


def test_the_same_seed_gives_the_same_data(synthetic):
    def fingerprint():
        return (
            list(Initiative.objects.order_by("id").values_list("title", "cost_pence", "funding_source")),
            list(LedgerEntry.objects.order_by("id").values_list("kind", "amount_pence", "entry_date")),
        )

    build(seed=11, audit_rows=0, directory=synthetic)
    first = fingerprint()
    build(seed=11, audit_rows=0, directory=synthetic, force=True)
    assert fingerprint() == first


def test_an_unreasonable_factor_is_refused_before_anything_is_written(synthetic):
    with pytest.raises(ScaleError, match="between 1 and 20"):
        build(factor=0, directory=synthetic)
    assert not Region.objects.exists()


@pytest.mark.nhsdata
def test_on_the_real_files_the_register_is_theirs(real_sample):
    import csv

    mapping = next(real_sample.glob("gp-reg-pat-prac-map*.csv"))
    with mapping.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    summary = build(audit_rows=0, directory=real_sample)
    assert set(PCN.objects.values_list("code", flat=True)) == {r["PCN_CODE"] for r in rows} - {"U"}
    assert set(Practice.objects.values_list("code", flat=True)) == {r["PRACTICE_CODE"] for r in rows}
    assert summary.counts["plans"] >= 0.8 * summary.counts["pcns"]
