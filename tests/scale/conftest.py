"""A national year in miniature: scale-data built once per module on a sample of the NHS Digital files.

The sample is every practice of a few CCGs from the shared files (../shared/data/nhs) when they are there,
else 24 synthetic PCNs written in the same formats by the importer tests' helpers (tests/orgs/nhs_samples.py),
so the generator is always tested; tests that need the real files are marked `nhsdata` and skip with a message
when they are absent.
"""

import csv
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from pcndev.ops.scale_data import build
from pcndev.ops.scale_orgs import ScaleError, shared_files
from tests.orgs import nhs_samples

SAMPLE_PLACES = 3  # CCGs taken from the real mapping: about 20 PCNs and 120 practices
AUDIT_ROWS = 20_000


def real_files() -> tuple[Path, Path] | None:
    try:
        return shared_files(settings.NHS_DATA_DIR)
    except ScaleError:
        return None


def write_real_sample(directory: Path, places: int = SAMPLE_PLACES) -> Path:
    """Every row of the first few CCGs (by code) of the real mapping, and their practices' list sizes."""
    mapping, sizes = real_files()
    with mapping.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows, fields = list(reader), reader.fieldnames
    place_field = "CCG_CODE" if "CCG_CODE" in fields else "SUB_ICB_LOCATION_CODE"
    chosen = sorted({r[place_field] for r in rows})[:places]
    kept = [r for r in rows if r[place_field] in chosen]
    codes = {r["PRACTICE_CODE"] for r in kept}
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / mapping.name).open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    with sizes.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        size_rows, size_fields = [r for r in reader if r["CODE"] in codes], reader.fieldnames
    with (directory / sizes.name).open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, size_fields, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(size_rows)
    return directory


def write_synthetic_sample(directory: Path, pcns: int = 24) -> Path:
    """Files in the real formats for `pcns` PCNs of 3-7 practices over the importer tests' four places."""
    places = sorted(nhs_samples.PLACES)
    practices = [
        nhs_samples.SamplePractice(
            f"S{n:02d}{k}",
            f"SYNTHETIC PRACTICE {n}-{k}",
            "AB1 2CD",
            f"U9{n:04d}",
            f"SYNTHETIC {n} PCN",
            places[n % len(places)],
            4_000 + 1_000 * k,
        )
        for n in range(pcns)
        for k in range(3 + n % 5)
    ]
    nhs_samples.write_pair(directory, practices)
    return directory


@pytest.fixture(scope="session")
def nhs_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("nhs")
    if real_files() is not None:
        return write_real_sample(directory)
    return write_synthetic_sample(directory)


@pytest.fixture(scope="session")
def real_sample(tmp_path_factory) -> Path:
    if real_files() is None:
        pytest.skip(f"needs the shared NHS Digital files, which are not in {settings.NHS_DATA_DIR}")
    return write_real_sample(tmp_path_factory.mktemp("nhs-real"))


@pytest.fixture(scope="module")
def scaled(django_db_setup, django_db_blocker, nhs_dir):
    """scale-data at factor 1 on the sample, built once per module and rolled back at its end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build(seed=7, audit_rows=AUDIT_ROWS, directory=nhs_dir)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
