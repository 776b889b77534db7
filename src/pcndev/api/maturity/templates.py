"""Matrix templates: list, read, download as YAML, upload and copy."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.responses import Status

from pcndev.api.maturity.schemas import (
    CopyIn,
    ElementIn,
    MaturityProblem,
    TemplateDetailOut,
    TemplateIn,
    TemplateOut,
    _problems,
    _refused,
)
from pcndev.maturity import permissions as perms
from pcndev.maturity.forms import ElementForm
from pcndev.maturity.models import AssessmentRound, Element, MatrixTemplate, TemplateInUse
from pcndev.maturity.template_spec import SpecError, dump_spec, load_spec
from pcndev.maturity.templates import copy_template, create_template, spec_of, update_element

router = Router()
_TEXT = {"type": "string"}
_ELEMENT = {
    "type": "object",
    "properties": {
        "code": _TEXT,
        "title": _TEXT,
        "tag": _TEXT,
        "descriptors": {"type": "array", "items": _TEXT},
    },
    "required": ["code", "title"],
}
_AREA = {
    "type": "object",
    "properties": {
        "code": _TEXT,
        "title": _TEXT,
        "tag": _TEXT,
        "elements": {"type": "array", "items": _ELEMENT},
    },
    "required": ["code", "title", "elements"],
}
TEMPLATE_SPEC = {  # the YAML document's structure, as POST /maturity/templates takes it back
    "type": "object",
    "properties": {
        "name": _TEXT,
        "version": {"type": "integer"},
        "description": _TEXT,
        "stages": {"type": "array", "items": _TEXT},
        "areas": {"type": "array", "items": _AREA},
    },
    "required": ["name", "stages", "areas"],
}


def _template_out(t: MatrixTemplate, in_use: bool | None = None) -> dict:
    return {
        "id": t.id,
        "name": t.name,
        "version": t.version,
        "description": t.description,
        "based_on": t.based_on_id,
        "in_use": t.in_use if in_use is None else in_use,
    }


def _template_detail(t: MatrixTemplate) -> dict:
    spec = spec_of(t)
    return {
        **_template_out(t),
        "stages": spec.stages,
        "areas": [
            {
                "code": a.code,
                "title": a.title,
                "tag": a.tag,
                "elements": [
                    {"code": e.code, "title": e.title, "tag": e.tag, "descriptors": e.descriptors}
                    for e in a.elements
                ],
            }
            for a in spec.areas
        ],
    }


@router.get(
    "/maturity/templates", response=list[TemplateOut], operation_id="pcndev_api_maturity_list_templates"
)
def list_templates(request):
    """Every matrix template version, newest version of each name first."""
    used = set(AssessmentRound.objects.values_list("template_id", flat=True))
    return [_template_out(t, t.id in used) for t in MatrixTemplate.objects.all()]


@router.get(
    "/maturity/templates/{pk}", response=TemplateDetailOut, operation_id="pcndev_api_maturity_get_template"
)
def get_template(request, pk: int):
    return _template_detail(get_object_or_404(MatrixTemplate, pk=pk))


@router.get(
    "/maturity/templates/{pk}/yaml",
    openapi_extra={
        "responses": {
            200: {
                "description": "The template as YAML",
                "content": {"application/yaml": {"schema": TEMPLATE_SPEC}},
            }
        }
    },
    operation_id="pcndev_api_maturity_get_template_yaml",
)
def get_template_yaml(request, pk: int):
    template = get_object_or_404(MatrixTemplate, pk=pk)
    return HttpResponse(dump_spec(spec_of(template)), content_type="application/yaml; charset=utf-8")


@router.post(
    "/maturity/templates",
    response={201: TemplateDetailOut, 400: MaturityProblem, 403: MaturityProblem},
    operation_id="pcndev_api_maturity_create_template_endpoint",
)
def create_template_endpoint(request, body: TemplateIn):
    """Add a template (or the next version of one) from YAML; every problem in the file is listed at once."""
    decision = perms.can_manage_templates(request.user)
    if not decision:
        return _refused(decision.reason)
    try:
        template = create_template(load_spec(body.yaml.encode("utf-8")), request.user)
    except SpecError as exc:
        return _problems("Check the matrix template", [("", "yaml", p) for p in exc.problems])
    return Status(201, _template_detail(template))


@router.post(
    "/maturity/templates/{pk}/copy",
    response={201: TemplateDetailOut, 400: MaturityProblem, 403: MaturityProblem},
    operation_id="pcndev_api_maturity_copy_template_endpoint",
)
def copy_template_endpoint(request, pk: int, body: CopyIn):
    """Copy and tailor: a new name makes a local variant; the same name makes the next version."""
    template = get_object_or_404(MatrixTemplate, pk=pk)
    decision = perms.can_manage_templates(request.user)
    if not decision:
        return _refused(decision.reason)
    name = body.name.strip()
    if not name:
        return _problems("Check the copy", [("", "name", "Enter a name for the new template")])
    if len(name) > 200:
        return _problems("Check the copy", [("", "name", "The name must be 200 characters or fewer")])
    try:
        copy = copy_template(template, name, request.user)
    except SpecError as exc:
        return _problems("Check the copy", [("", "name", p) for p in exc.problems])
    return Status(201, _template_detail(copy))


@router.put(
    "/maturity/templates/{pk}/elements/{code}",
    response={200: TemplateDetailOut, 400: MaturityProblem, 403: MaturityProblem},
    operation_id="pcndev_api_maturity_update_element",
)
def update_element_endpoint(request, pk: int, code: str, body: ElementIn):
    """Change an element's title, tag and stage descriptors, as the template page does; a template used by a
    round cannot change (copy it to make a new version)."""
    template = get_object_or_404(MatrixTemplate, pk=pk)  # an id out of range is a 404 here, not an overflow
    element = get_object_or_404(Element.objects.select_related("template"), template=template, code=code)
    decision = perms.can_manage_templates(request.user)
    if not decision:
        return _refused(decision.reason)
    if element.template.in_use:
        return _refused(
            f"{element.template} is used by an assessment round, so it cannot change. Copy it first."
        )
    stages = [s.name for s in element.template.stages.all()]
    if len(body.descriptors) != len(stages):
        message = f"Give {len(stages)} descriptors, one for each stage ({', '.join(stages)})"
        return _problems("Check the element", [(code, "descriptors", message)])
    data = {"title": body.title, "tag": body.tag} | {
        f"descriptor_{i}": d for i, d in enumerate(body.descriptors)
    }
    form = ElementForm(data, stages=stages)
    if not form.is_valid():
        fields = {f"descriptor_{i}": "descriptors" for i in range(len(stages))}
        problems = [(code, fields.get(f, f), m) for f, errors in form.errors.items() for m in errors]
        return _problems("Check the element", problems)
    d = form.cleaned_data
    try:
        update_element(
            element, d["title"], d["tag"], [d[f"descriptor_{i}"] for i in range(len(stages))], request.user
        )
    except TemplateInUse as exc:
        return _refused(str(exc))
    return _template_detail(element.template)
