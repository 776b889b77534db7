"""Matrix templates: list, read (and download as YAML), upload a YAML file, copy and tailor, edit an unused version."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from pcndev.config.views import forbidden
from pcndev.maturity.forms import CopyTemplateForm, ElementForm, UploadTemplateForm
from pcndev.maturity.lookup import elements_by_area
from pcndev.maturity.models import Element, MatrixTemplate, Tag, TemplateInUse
from pcndev.maturity.permissions import can_manage_templates
from pcndev.maturity.template_spec import SpecError, dump_spec, load_spec
from pcndev.maturity.templates import copy_template, create_template, spec_of, update_element


@login_required
def template_list(request):
    templates = MatrixTemplate.objects.select_related("based_on").prefetch_related("rounds")
    return render(
        request,
        "maturity/templates.jinja",
        {"templates": templates, "can_manage": can_manage_templates(request.user), "nav": "maturity"},
    )


@login_required
def template_detail(request, pk):
    template = get_object_or_404(MatrixTemplate, pk=pk)
    if request.GET.get("format") == "yaml":
        response = HttpResponse(dump_spec(spec_of(template)), content_type="application/yaml; charset=utf-8")
        slug = "".join(c if c.isalnum() else "-" for c in template.name.lower()).strip("-")
        response["Content-Disposition"] = f'attachment; filename="{slug}-v{template.version}.yaml"'
        return response
    return render(
        request,
        "maturity/template.jinja",
        {
            "template": template,
            "areas": elements_by_area(template),
            "stages": [s.name for s in template.stages.all()],
            "in_use": template.in_use,
            "can_manage": can_manage_templates(request.user),
            "nav": "maturity",
        },
    )


@login_required
def template_upload(request):
    decision = can_manage_templates(request.user)
    if not decision:
        return forbidden(request, decision.reason)
    form = UploadTemplateForm(*((request.POST, request.FILES) if request.method == "POST" else (None,)))
    if request.method == "POST" and form.is_valid():
        try:
            template = create_template(load_spec(form.cleaned_data["file"].read()), request.user)
        except SpecError as exc:
            for problem in exc.problems:
                form.add_error("file", problem)
        else:
            messages.success(request, f"{template} was added")
            return redirect("maturity:template", pk=template.pk)
    return render(
        request,
        "maturity/template_upload.jinja",
        {"form": form, "nav": "maturity"},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def template_copy(request, pk):
    template = get_object_or_404(MatrixTemplate, pk=pk)
    decision = can_manage_templates(request.user)
    if not decision:
        return forbidden(request, decision.reason)
    form = CopyTemplateForm(
        request.POST if request.method == "POST" else None, initial={"name": template.name}
    )
    if request.method == "POST" and form.is_valid():
        copy = copy_template(template, form.cleaned_data["name"], request.user)
        messages.success(request, f"{copy} was made from {template}")
        return redirect("maturity:template", pk=copy.pk)
    return render(
        request,
        "maturity/template_copy.jinja",
        {"template": template, "form": form, "nav": "maturity"},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def element_edit(request, pk, code):
    element = get_object_or_404(Element.objects.select_related("template", "area"), template_id=pk, code=code)
    decision = can_manage_templates(request.user)
    if not decision:
        return forbidden(request, decision.reason)
    if element.template.in_use:
        return forbidden(
            request,
            f"{element.template} is used by an assessment round, so it cannot change. Copy it to make a new version.",
        )
    stages = [s.name for s in element.template.stages.all()]
    initial = {"title": element.title, "tag": element.tag} | {
        f"descriptor_{i}": d for i, d in enumerate(element.descriptors)
    }
    form = ElementForm(request.POST if request.method == "POST" else None, stages=stages, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            update_element(
                element,
                d["title"],
                d["tag"],
                [d[f"descriptor_{i}"] for i in range(len(stages))],
                request.user,
            )
        except TemplateInUse as exc:
            return forbidden(request, str(exc))
        messages.success(request, f"{element.title} was updated")
        return redirect("maturity:template", pk=pk)
    return render(
        request,
        "maturity/element_edit.jinja",
        {"element": element, "form": form, "stages": stages, "tags": Tag.choices, "nav": "maturity"},
        status=400 if form.is_bound and form.errors else 200,
    )
