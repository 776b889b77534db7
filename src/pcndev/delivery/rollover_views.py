"""Year rollover pages: the dry run with the "Start 2020/21" form (POST, works without JavaScript), and a PCN's
multi-year view. Scoped through accounts.scope: the dry run lists the PCNs the user's roles reach; only a national
administrator may start the rollover, and everyone else is told why."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from pcndev.config.views import forbidden
from pcndev.delivery.multi_year import years_for
from pcndev.delivery.rollover import default_name, default_total, preview
from pcndev.delivery.rollover_forms import RolloverForm, list_size_dates
from pcndev.delivery.rollover_writes import RolloverProblems, RolloverRefused, start_rollover
from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN


@login_required
def rollover(request, pk: int):
    programme = get_object_or_404(Programme, pk=pk)
    dates = list_size_dates()
    dry_run = preview(request.user, programme)
    posted = request.method == "POST"
    if posted and not dry_run.decision:
        return forbidden(request, dry_run.decision.reason)
    form = RolloverForm(
        request.POST if posted else None,
        dates=dates,
        initial={
            "name": default_name(programme),
            "national_total": f"{default_total(programme) / 100:,.2f}",
            "list_size_date": dates[0].isoformat() if dates else "",
            "open_rounds": True,
        },
    )
    if posted and form.is_valid():
        d = form.cleaned_data
        try:
            done = start_rollover(
                request.user, programme, d["name"], d["national_total"], d["list_size_date"], d["open_rounds"]
            )
        except RolloverRefused as exc:
            return forbidden(request, exc.reason)
        except RolloverProblems as exc:
            for field, message in exc.problems:
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                f"{done.programme} has started: {len(done.versions)} PCN plan(s) carry "
                f"{sum(c.initiatives for c in done.carried)} unfinished initiative(s) forward",
            )
            return redirect("funding:programme", pk=done.programme.pk)
    return render(
        request,
        "delivery/rollover.jinja",
        {"programme": programme, "preview": dry_run, "form": form, "nav": "delivery"},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def multi_year(request, code: str):
    pcn = get_visible_or_404(request.user, PCN, ("place__system",), code=code)
    return render(
        request,
        "delivery/multi_year.jinja",
        {"pcn": pcn, "years": [y for y in years_for(pcn) if y.has_anything], "nav": "delivery"},
    )
