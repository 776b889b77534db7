"""`pcndev import-nhs`: the JSON output, the summary with progress on a terminal, the console script name."""

import io
import json
import sys

import pytest
from django.core.management import call_command

from pcndev.orgs.models import Practice
from tests.orgs.nhs_samples import write_pair

pytestmark = pytest.mark.django_db


def test_json_output(tmp_path):
    mapping, lists = write_pair(tmp_path)
    out = io.StringIO()
    call_command("import_nhs", "--mapping", str(mapping), "--list-sizes", str(lists), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == {
        "practices": 10,
        "pcns": 4,
        "places": 4,
        "systems": 3,
        "regions": 2,
        "list_sizes": 9,
        "created": 31,
        "updated": 0,
        "unchanged": 0,
        "unmapped_practices": 2,
        "unmapped_patients": 2000,
        "pcns_spanning_places": ["U00001"],
    }


def test_summary_and_progress_on_a_terminal(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    mapping, lists = write_pair(tmp_path)
    out = Terminal()
    call_command(
        "import_nhs",
        "--mapping",
        str(mapping),
        "--list-sizes",
        str(lists),
        "--as-of",
        "2021-01-01",
        stdout=out,
    )
    text = out.getvalue()
    assert "Imported mapping of 1 January 2022 and list sizes of 1 January 2021." in text
    assert "10 practices, 4 PCNs, 4 CCGs, 3 STPs, 2 regions" in text
    assert "2 practices in the list-size file are not in the mapping (2,000 patients, not imported)" in text
    assert "Rows created 31, updated 0, unchanged 0 (6 audit events)" in text
    assert "1 PCNs have practices in more than one CCG: U00001" in text


def test_console_script_accepts_the_hyphenated_name(tmp_path, monkeypatch, capsys):
    from django.db import connections

    from pcndev.__main__ import main

    # run_from_argv closes every connection when it finishes, which would end the test's transaction
    monkeypatch.setattr(connections, "close_all", lambda: None)
    mapping, lists = write_pair(tmp_path)
    monkeypatch.setattr(
        sys, "argv", ["pcndev", "import-nhs", "--mapping", str(mapping), "--list-sizes", str(lists), "--json"]
    )
    main()
    assert json.loads(capsys.readouterr().out)["practices"] == 10
    assert Practice.objects.count() == 10
