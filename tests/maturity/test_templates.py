"""Matrix templates: the shipped matrix, YAML round trips, one test per kind of bad file, versions and immutability."""

import pytest

from pcndev.audit.models import AuditEvent
from pcndev.maturity.models import Element, MatrixTemplate, TemplateInUse
from pcndev.maturity.template_spec import SpecError, dump_spec, load_spec
from pcndev.maturity.templates import (
    DEFAULT_FILE,
    copy_template,
    create_template,
    default_template,
    spec_of,
    update_element,
)
from tests.maturity.builders import make_round

GOOD = """
name: Test matrix
stages: [Foundation, Step 1]
areas:
  - code: leadership
    title: Leadership
    tag: internal
    elements:
      - code: vision
        title: Vision
        descriptors: ["Starting", "Done"]
      - code: system
        title: System links
        tag: external
        descriptors: ["Starting", "Done"]
"""


def _problems(text) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(text)
    return caught.value.problems


def test_the_shipped_matrix_has_five_areas_of_four_elements_with_four_stages():
    spec = load_spec(DEFAULT_FILE.read_bytes())
    assert [a.title for a in spec.areas] == [
        "Leadership, planning and partnerships",
        "Use of data and population health management",
        "Integrating care",
        "Managing resources",
        "Working with people and communities",
    ]
    assert [len(a.elements) for a in spec.areas] == [4, 4, 4, 4, 4]
    assert spec.stages == ["Foundation", "Step 1", "Step 2", "Step 3"]
    assert all(len(e.descriptors) == 4 for a in spec.areas for e in a.elements)
    assert {a.tag for a in spec.areas} == {"internal", "external"}


def test_element_tags_default_to_their_area():
    spec = load_spec(GOOD)
    assert [e.tag for e in spec.areas[0].elements] == ["internal", "external"]


def test_yaml_round_trip_is_lossless():
    spec = load_spec(DEFAULT_FILE.read_bytes())
    assert load_spec(dump_spec(spec)) == spec


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file: is empty"),
        ("name: [unclosed", "the file: is not valid YAML at line 1, column 16"),
        ("- a list", "the file: must be a mapping of keys to values"),
        (GOOD.replace("name: Test matrix", "name: ''"), "name: is required"),
        (
            GOOD.replace("stages: [Foundation, Step 1]", "stages: [Only]"),
            "stages: must have between 2 and 7 stages, found 1",
        ),
        (
            GOOD.replace("stages: [Foundation, Step 1]", "stages: [Same, Same]"),
            "stages: each stage needs a different name",
        ),
        (GOOD.replace("tag: internal", "tag: inward"), "areas[0].tag: must be internal or external"),
        (
            GOOD.replace("code: system", "code: vision"),
            "areas[0].elements[1].code: vision is used more than once",
        ),
        (
            GOOD.replace("code: leadership", "code: Lead Ship"),
            "areas[0].code: must be lowercase letters, digits and hyphens (up to 40), e.g. leadership",
        ),
        (
            GOOD.replace(
                'descriptors: ["Starting", "Done"]\n      - code: system',
                'descriptors: ["Starting"]\n      - code: system',
            ),
            "areas[0].elements[0].descriptors: expected 2 descriptors, one per stage, found 1",
        ),
        (GOOD + "colour: blue\n", "the file: unknown key colour"),
        (
            GOOD.replace("    elements:\n", "    elements: []\n    old:\n"),
            "areas[0].elements: must be a list with at least one entry",
        ),
        (
            GOOD.replace("name: Test matrix", "name: Test matrix\nversion: 0"),
            "version: must be a whole number, 1 or more",
        ),
    ],
    ids=[
        "empty",
        "bad-yaml",
        "not-a-mapping",
        "no-name",
        "one-stage",
        "duplicate-stage",
        "bad-tag",
        "duplicate-code",
        "bad-code",
        "descriptor-count",
        "unknown-key",
        "no-elements",
        "bad-version",
    ],
)
def test_each_kind_of_bad_file_is_refused_with_its_own_message(text, expected):
    assert expected in _problems(text)


def test_bad_bytes_are_refused_before_parsing():
    assert _problems(b"name: caf\xe9") == ["the file: is not UTF-8 text (byte 9)"]
    assert _problems(b"x" * (257 * 1024)) == ["the file: is larger than 256 KB"]


def test_every_problem_is_reported_at_once():
    bad = (
        GOOD.replace("tag: internal", "tag: inward")
        .replace("code: system", "code: vision")
        .replace("name: Test matrix", "name: ''")
    )
    assert len(_problems(bad)) == 3


@pytest.mark.django_db
def test_a_new_upload_of_the_same_name_becomes_the_next_version_and_is_audited():
    first = create_template(load_spec(GOOD))
    second = create_template(load_spec(GOOD))
    assert (first.version, second.version) == (1, 2)
    assert second.elements.count() == 2 and second.stages.count() == 2
    with pytest.raises(SpecError, match="already has version 2"):
        create_template(load_spec(GOOD.replace("name: Test matrix", "name: Test matrix\nversion: 2")))
    assert AuditEvent.objects.filter(action="template.created").count() == 2


@pytest.mark.django_db
def test_copy_and_tailor_makes_a_local_variant_with_the_same_content():
    national = default_template()
    local = copy_template(national, "SWL 2019")
    assert (local.name, local.version, local.based_on) == ("SWL 2019", 1, national)
    spec = spec_of(local)
    spec.name, spec.version = national.name, national.version
    assert spec == spec_of(national)


@pytest.mark.django_db
def test_a_version_in_use_cannot_change_but_an_unused_one_can():
    template = default_template()
    element = template.elements.order_by("id").first()
    update_element(element, "Renamed", "external", ["a", "b", "c", "d"])
    assert Element.objects.get(pk=element.pk).title == "Renamed"
    make_round(template=template)
    element.refresh_from_db()
    with pytest.raises(TemplateInUse):
        update_element(element, "Again", "internal", ["a", "b", "c", "d"])
    with pytest.raises(TemplateInUse):
        element.save()
    with pytest.raises(TemplateInUse):
        template.stages.first().delete()
    assert Element.objects.get(pk=element.pk).title == "Renamed"
    assert MatrixTemplate.objects.get(pk=template.pk).in_use
