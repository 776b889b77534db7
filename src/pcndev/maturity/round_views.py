"""Self-assessment rounds: the list, opening a round, a round's PCNs, the heatmap, the XLSX export, and the
year-end re-assessment (starting it, and the change since its baseline across the PCNs)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from pcndev.config.views import forbidden
from pcndev.funding.models import Programme
from pcndev.maturity import exports
from pcndev.maturity.forms import ReassessmentForm, RoundForm
from pcndev.maturity.lookup import round_or_404
from pcndev.maturity.models import MatrixTemplate
from pcndev.maturity.permissions import can_create_round, can_view_comparisons
from pcndev.maturity.privacy import involved_pcns, overseen_pcns, visible_rounds
from pcndev.maturity.progress import SUBMITTED, progress_by_pcn
from pcndev.maturity.results import areas_of, heatmap
from pcndev.maturity.rounds import (
    ReassessmentRefused,
    RoundError,
    can_start_reassessment,
    change_by_area,
    create_round,
    default_window,
    reassessment_name,
    reassessment_of,
    scope_choices,
    start_reassessment,
    year_end_window,
)
from pcndev.orgs.models import Place


@login_required
def index(request):
    return render(
        request,
        "maturity/index.jinja",
        {
            "rounds": visible_rounds(request.user),
            "can_create": can_create_round(request.user),
            "nav": "maturity",
        },
    )


@login_required
def round_new(request):
    decision = can_create_round(request.user)
    if not decision:
        return forbidden(request, decision.reason)
    templates = list(MatrixTemplate.objects.all())
    baselines = visible_rounds(request.user)
    form = RoundForm(
        request.POST if request.method == "POST" else None,
        templates=templates,
        scopes=scope_choices(request.user),
        baselines=baselines,
        initial={"template": templates[0].pk if templates else None, "financial_year": 2019},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        template = next(t for t in templates if t.pk == d["template"])
        baseline = next((r for r in baselines if r.pk == d["baseline"]), None)
        programme = Programme.objects.filter(financial_year=d["financial_year"]).first()
        try:
            rnd = create_round(
                request.user,
                d["name"],
                template,
                d["financial_year"],
                form.dates["opens_on"],
                form.dates["closes_on"],
                d["scope"],
                programme,
                baseline,
            )
        except RoundError as exc:
            for field, message in exc.problems:
                form.errors.setdefault(field, form.error_class()).append(message)
        else:
            messages.success(request, f"{rnd} is open for {rnd.scope_label}")
            return redirect("maturity:round", pk=rnd.pk)
    opens, closes = default_window(_shown_year(form["financial_year"].value()))
    return render(
        request,
        "maturity/round_new.jinja",
        {"form": form, "default_opens": opens, "default_closes": closes, "nav": "maturity"},
        status=400 if form.is_bound and form.errors else 200,
    )


def _shown_year(value) -> int:
    """The year the form's default dates are shown for: the one typed, when it is a year the form accepts."""
    try:
        year = int(value or 2019)
    except (TypeError, ValueError):
        return 2019
    return year if 2019 <= year < 2100 else 2019


@login_required
def round_detail(request, pk):
    rnd = round_or_404(request.user, pk)
    pcns = list(involved_pcns(request.user, rnd).select_related("place").order_by("place__name", "name"))
    progress = progress_by_pcn(rnd, [p.id for p in pcns])
    rows = [(p, progress[p.id]) for p in pcns]
    submitted = sum(1 for _, pr in rows if pr.status == SUBMITTED)
    can_compare = can_view_comparisons(request.user)
    change = None
    if rnd.baseline_id and can_compare:
        change, _ = change_by_area(rnd, overseen_pcns(request.user, rnd))
    return render(
        request,
        "maturity/round.jinja",
        {
            "round": rnd,
            "rows": rows,
            "submitted": submitted,
            "can_compare": can_compare,
            "reassess": can_start_reassessment(request.user, rnd),
            "reassessment": reassessment_of(rnd),
            "change": change,
            "nav": "maturity",
        },
    )


@login_required
def round_reassess(request, pk):
    """Start the year-end re-assessment of a round: a confirmation form with its name and window, then POST."""
    rnd = round_or_404(request.user, pk)
    decision = can_start_reassessment(request.user, rnd)
    if not decision:
        return forbidden(request, decision.reason)
    form = ReassessmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            new = start_reassessment(
                request.user,
                rnd,
                form.cleaned_data["name"],
                form.dates["opens_on"],
                form.dates["closes_on"],
            )
        except ReassessmentRefused as exc:
            return forbidden(request, exc.reason)
        except RoundError as exc:
            for field, message in exc.problems:
                key = field if field in ("name", "opens_on", "closes_on") else None
                form.add_error(key, message)
        else:
            messages.success(request, f"{new} is set up for {new.scope_label}, compared with {rnd}")
            return redirect("maturity:round", pk=new.pk)
    opens, closes = year_end_window(rnd)
    return render(
        request,
        "maturity/round_reassess.jinja",
        {
            "round": rnd,
            "form": form,
            "default_name": reassessment_name(rnd),
            "default_opens": opens,
            "default_closes": closes,
            "nav": "maturity",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def round_change(request, pk):
    """Each PCN's change per area since the round's baseline (place-level users and above), with the means."""
    rnd = round_or_404(request.user, pk)
    decision = can_view_comparisons(request.user)
    if not decision:
        return forbidden(request, decision.reason)
    if rnd.baseline_id is None:
        return forbidden(
            request, f"{rnd} is not compared with an earlier round, so there is no change to show."
        )
    summary, pcns = change_by_area(rnd, overseen_pcns(request.user, rnd))
    return render(
        request,
        "maturity/round_change.jinja",
        {"round": rnd, "summary": summary, "pcns": pcns, "nav": "maturity"},
    )


@login_required
def round_heatmap(request, pk):
    rnd = round_or_404(request.user, pk)
    decision = can_view_comparisons(request.user)
    if not decision:
        return forbidden(request, decision.reason)
    pcns = overseen_pcns(request.user, rnd)
    places = list(Place.objects.filter(pk__in=pcns.values("place_id")).order_by("name"))
    chosen = next((p for p in places if p.code == request.GET.get("place")), None)
    if chosen is not None:
        pcns = pcns.filter(place=chosen)
    areas = areas_of(rnd)
    rows = heatmap(rnd, pcns, areas)
    stages = [s.name for s in rnd.template.stages.all()]
    return render(
        request,
        "maturity/heatmap.jinja",
        {
            "round": rnd,
            "areas": areas,
            "rows": rows,
            "stages": stages,
            "places": places,
            "chosen": chosen,
            "submitted": sum(1 for r in rows if r.submitted),
            "nav": "maturity",
        },
    )


@login_required
def round_export(request, pk):
    return exports.responses_xlsx(request.user, round_or_404(request.user, pk))
