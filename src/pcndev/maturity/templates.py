"""Matrix template versions: create from a spec (YAML), copy and tailor, new versions, edit unused versions."""

from pathlib import Path

from django.db import transaction
from django.db.models import Max

from pcndev.audit.services import record
from pcndev.maturity.models import Area, Element, MatrixTemplate, Stage, TemplateInUse
from pcndev.maturity.template_spec import AreaSpec, ElementSpec, SpecError, TemplateSpec, load_spec

DEFAULT_FILE = Path(__file__).parent / "templates_data" / "pcn-maturity-matrix.yaml"


def spec_of(template: MatrixTemplate) -> TemplateSpec:
    stages = [s.name for s in template.stages.all()]
    areas = []
    elements = list(template.elements.select_related("area").order_by("area__position", "position"))
    for area in template.areas.all():
        areas.append(
            AreaSpec(
                area.code,
                area.title,
                area.tag,
                [
                    ElementSpec(e.code, e.title, e.tag, list(e.descriptors))
                    for e in elements
                    if e.area_id == area.id
                ],
            )
        )
    return TemplateSpec(template.name, stages, areas, template.description, template.version)


@transaction.atomic
def create_template(spec: TemplateSpec, user=None, based_on: MatrixTemplate | None = None) -> MatrixTemplate:
    """Write a template version. A spec naming a version that already exists is refused."""
    latest = MatrixTemplate.objects.filter(name=spec.name).aggregate(v=Max("version"))["v"] or 0
    if spec.version is not None and spec.version <= latest:
        raise SpecError(
            [
                f"version: {spec.name} already has version {latest}; leave version out to add version {latest + 1}"
            ]
        )
    template = MatrixTemplate.objects.create(
        name=spec.name,
        version=spec.version or latest + 1,
        description=spec.description,
        based_on=based_on,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    Stage.objects.bulk_create(Stage(template=template, position=i, name=n) for i, n in enumerate(spec.stages))
    areas = Area.objects.bulk_create(
        Area(template=template, position=i, code=a.code, title=a.title, tag=a.tag)
        for i, a in enumerate(spec.areas)
    )
    Element.objects.bulk_create(
        Element(
            template=template,
            area=area,
            position=j,
            code=e.code,
            title=e.title,
            tag=e.tag,
            descriptors=e.descriptors,
        )
        for area, a in zip(areas, spec.areas, strict=True)
        for j, e in enumerate(a.elements)
    )
    after = {"name": template.name, "version": template.version, "elements": spec.element_count}
    if based_on is not None:
        after["based_on"] = str(based_on)
    record(user, "template.created", template, None, after)
    return template


def copy_template(template: MatrixTemplate, name: str, user=None) -> MatrixTemplate:
    """Copy and tailor: the same content under a new name (a local variant), or the next version of the same name."""
    spec = spec_of(template)
    spec.name, spec.version = name.strip() or template.name, None
    return create_template(spec, user, based_on=template)


@transaction.atomic
def update_element(element: Element, title: str, tag: str, descriptors: list[str], user=None) -> Element:
    if element.template.in_use:
        raise TemplateInUse(
            f"{element.template} is used by an assessment round; make a new version to change it"
        )
    before = {"title": element.title, "tag": element.tag, "descriptors": element.descriptors}
    element.title, element.tag, element.descriptors = title, tag, descriptors
    element.save()
    record(
        user,
        "template.element_changed",
        element,
        before,
        {"title": title, "tag": tag, "descriptors": descriptors},
    )
    return element


def default_template() -> MatrixTemplate:
    """The shipped matrix, loaded on first use."""
    spec = load_spec(DEFAULT_FILE.read_bytes())
    existing = MatrixTemplate.objects.filter(name=spec.name, version=spec.version).first()
    return existing or create_template(spec)
