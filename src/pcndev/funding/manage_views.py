"""Setting up money from the UI: a programme (national), and from there allocations and top-ups."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from pcndev.funding.forms import ProgrammeForm
from pcndev.funding.permissions import can_create_programme
from pcndev.funding.programmes import ProgrammeError, create_programme


def _forbidden(request, decision):
    return render(request, "errors/forbidden.jinja", {"reason": decision.reason}, status=403)


@login_required
def programme_new(request):
    decision = can_create_programme(request.user)
    if not decision:
        return _forbidden(request, decision)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            programme = create_programme(
                d["name"],
                d["financial_year"],
                d["national_total"],
                form.list_size_date,
                d["cd_share"],
                d["cd_split"],
                d["basis"],
                user=request.user,
            )
        except ProgrammeError as exc:
            for problem in str(exc).split("; "):
                form.add_error(None, problem)
        else:
            messages.success(request, f"{programme} was set up")
            return redirect("funding:programme", pk=programme.pk)
    return render(
        request,
        "funding/programme_new.jinja",
        {"form": form, "nav": "funding"},
        status=400 if form.is_bound and form.errors else 200,
    )
