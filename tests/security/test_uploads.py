"""File uploads: the matrix template YAML (the only upload; NHS files are imported from the command line), from the
page (multipart) and the API (JSON). Oversized, wrong-type, binary, non-UTF-8, malformed or hostile files are refused
with a 400 and a clear message, and nothing is written.

The limits: the form and the parser refuse templates over 256 KB (template_spec.MAX_BYTES); Django's
DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, the default) refuses larger request bodies (the API's JSON) and
FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) only decides when an upload is spooled to a temporary file."""

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pcndev.accounts.models import Role
from pcndev.audit.models import AuditEvent
from pcndev.maturity.models import MatrixTemplate
from pcndev.maturity.template_spec import MAX_BYTES, dump_spec
from pcndev.maturity.templates import default_template, spec_of
from tests.builders import make_user

UPLOAD = reverse("maturity:template-upload")
API = "/api/v1/maturity/templates"
SUMMARY = "There is a problem"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdef", "bcdefg", strict=True)
)
FILES = {
    "oversized": (
        "matrix.yaml",
        b"# padding\n" * (MAX_BYTES // 10 + 1),
        "The file must be smaller than 256 KB",
    ),
    "far too big": ("matrix.yaml", b"x" * (5 * 1024 * 1024), "The file must be smaller than 256 KB"),
    "wrong extension": (
        "matrix.txt",
        b"name: A matrix\n",
        "The file must be a YAML file ending .yaml or .yml",
    ),
    "an executable": (
        "matrix.exe",
        b"MZ\x90\x00\x03\x00\x00\x00",
        "The file must be a YAML file ending .yaml",
    ),
    "binary": ("matrix.yaml", bytes(range(256)), "is not UTF-8 text"),
    "Latin-1 text": ("matrix.yaml", "name: Café".encode("latin-1"), "is not UTF-8 text"),
    "not YAML": ("matrix.yaml", b"name: [unclosed\n", "is not valid YAML"),
    "not a mapping": ("matrix.yaml", b"- one\n- two\n", "the file: must be"),
    "empty": ("matrix.yaml", b"", "The submitted file is empty"),
    "an alias bomb": ("matrix.yaml", (BOMB + "name: *g\nstages: *g\nareas: *g\n").encode(), "name: must be"),
}


@pytest.fixture
def lead_client(client, tree):
    client.force_login(make_user("system.lead@security.example", Role.SYSTEM_LEAD, tree.systems[0]))
    return client


def _counts():
    return MatrixTemplate.objects.count(), AuditEvent.objects.count()


def test_the_limits():
    assert MAX_BYTES == 256 * 1024
    assert (
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
        and settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    )
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000


@pytest.mark.parametrize("case", FILES)
def test_a_bad_upload_is_refused_with_a_clear_message(lead_client, case):
    name, content, message = FILES[case]
    before = _counts()
    response = lead_client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})
    page = response.content.decode()
    assert response.status_code == 400 and SUMMARY in page and message in page, page[-2000:]
    assert _counts() == before


def test_a_good_upload_is_taken(lead_client):
    """The control: the same form takes a valid template (the next version of the shipped matrix)."""
    spec = spec_of(default_template())
    spec.version = None
    content = dump_spec(spec).encode()
    before = MatrixTemplate.objects.count()
    response = lead_client.post(UPLOAD, {"file": SimpleUploadedFile("matrix.yml", content)})
    assert response.status_code == 302 and MatrixTemplate.objects.count() == before + 1


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (
            json.dumps({"yaml": "# padding\n" * (MAX_BYTES // 10 + 1)}),
            "application/json",
            400,
            "larger than 256 KB",
        ),
        (
            json.dumps({"yaml": "x" * (3 * 1024 * 1024)}),
            "application/json",
            400,
            "DATA_UPLOAD_MAX_MEMORY_SIZE",
        ),
        (json.dumps({"yaml": "name: [unclosed"}), "application/json", 400, "is not valid YAML"),
        (
            json.dumps({"yaml": BOMB + "name: *g\nstages: *g\nareas: *g\n"}),
            "application/json",
            400,
            "name: must",
        ),
        (json.dumps({"yaml": ""}), "application/json", 400, "is empty"),
        (json.dumps({"yaml": 5}), "application/json", 422, "valid string"),
        (b'{"yaml": "caf\xe9"}', "application/json", 400, "Cannot parse request body"),
        (b"\x00\x01\x02\xff", "application/octet-stream", 400, "Cannot parse request body"),
        ("yaml=name", "application/x-www-form-urlencoded", 400, "Cannot parse request body"),
    ],
    ids=[
        "oversized",
        "over the request limit",
        "not YAML",
        "alias bomb",
        "empty",
        "not text",
        "not UTF-8",
        "binary",
        "a form",
    ],
)
def test_the_api_refuses_bad_templates_cleanly(lead_client, body, content_type, status, message):
    before = _counts()
    response = lead_client.generic("POST", API, body, content_type=content_type)
    assert response.status_code == status and message in response.content.decode(), response.content[:500]
    assert _counts() == before


def test_too_many_form_fields_are_refused(lead_client):
    before = _counts()
    fields = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert lead_client.post(UPLOAD, fields).status_code == 400
    assert _counts() == before
