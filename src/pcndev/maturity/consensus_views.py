"""The CD's consensus: every rater side by side with divergence flagged, the PCN's rating, submission; and results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from pcndev.charts import current_and_target
from pcndev.config.views import forbidden
from pcndev.maturity import permissions as perms
from pcndev.maturity.assessing import NotAllowed, Problems, save_consensus, today, transition
from pcndev.maturity.forms import error_items, parse_entries, values_from, values_of
from pcndev.maturity.lookup import assessment_or_404, elements_by_area
from pcndev.maturity.models import DevelopmentNeed, Rating
from pcndev.maturity.privacy import visible_responses
from pcndev.maturity.results import benchmark, change_since_baseline, pcn_results
from pcndev.maturity.scoring import spread


def _cd_only(request, assessment):
    if not perms.is_cd(request.user, assessment):
        raise Http404("No consensus found")


def _side_by_side(user, assessment, elements):
    """element id -> [(rater label, rating)], plus element id -> Spread, from the ratings the CD may see."""
    responses = list(
        visible_responses(user).filter(assessment=assessment).select_related("practice", "respondent")
    )
    ratings = Rating.objects.filter(response__in=responses, element__in=elements)
    by_key = {(r.response_id, r.element_id): r for r in ratings}
    table, spreads = {}, {}
    for e in elements:
        cells = [(resp.label, resp.status, by_key.get((resp.id, e.id))) for resp in responses]
        table[e.id] = cells
        spreads[e.id] = spread(r.current_stage if r else None for _, _, r in cells)
    return responses, table, spreads


@login_required
def consensus(request, pk, code):
    assessment = assessment_or_404(request.user, pk, code)
    _cd_only(request, assessment)
    areas = elements_by_area(assessment.round.template)
    try:
        area_index = int(request.GET.get("area", "0"))
        if area_index < 0:
            raise IndexError
        area, elements = areas[area_index]
    except (ValueError, IndexError):
        raise Http404("No such area") from None
    stages = [s.name for s in assessment.round.template.stages.all()]
    lead = perms.can_lead_assessment(request.user, assessment, today())
    problems: list = []
    if request.method == "POST":
        if not lead:
            return forbidden(request, lead.reason)
        entries, problems = parse_entries(request.POST, elements, len(stages))
        if not problems:
            try:
                save_consensus(assessment, entries, request.user)
            except NotAllowed as exc:
                return forbidden(request, exc.reason)
            except Problems as exc:
                problems = exc.problems
        if not problems:
            if request.POST.get("next") == "summary" or area_index + 1 >= len(areas):
                messages.success(request, "The PCN's consensus has been saved")
                return redirect("maturity:consensus-submit", pk=pk, code=code)
            return redirect(f"{request.path}?area={area_index + 1}")
        values = values_from(request.POST, elements)
    else:
        values = values_of({c.element_id: c for c in assessment.consensus.all()}, elements)
    responses, table, spreads = _side_by_side(request.user, assessment, elements)
    items, inline = error_items(problems)
    return render(
        request,
        "maturity/consensus.jinja",
        {
            "assessment": assessment,
            "areas": areas,
            "area": area,
            "area_index": area_index,
            "elements": elements,
            "stages": stages,
            "responses": responses,
            "table": table,
            "spreads": spreads,
            "values": values,
            "error_list": items,
            "inline": inline,
            "lead": lead,
            "nav": "maturity",
        },
        status=400 if problems else 200,
    )


@login_required
def consensus_submit(request, pk, code):
    assessment = assessment_or_404(request.user, pk, code)
    _cd_only(request, assessment)
    lead = perms.can_lead_assessment(request.user, assessment, today())
    problems: list = []
    if request.method == "POST":
        if not lead:
            return forbidden(request, lead.reason)
        try:
            save_consensus(
                assessment,
                [],
                request.user,
                improvement_priority=request.POST.get("improvement_priority", ""),
                priority_note=request.POST.get("priority_note", ""),
            )
            if request.POST.get("action") == "submit_assessment":
                transition(assessment, "submit_assessment", request.user)
                messages.success(request, f"{assessment.pcn}'s self-assessment has been submitted")
                return redirect("maturity:results", pk=pk, code=code)
            messages.success(request, "The service-improvement priority has been saved")
            return redirect("maturity:consensus-submit", pk=pk, code=code)
        except NotAllowed as exc:
            return forbidden(request, exc.reason)
        except Problems as exc:
            problems = exc.problems
        assessment.refresh_from_db()
        assessment.improvement_priority = request.POST.get("improvement_priority", "")
        assessment.priority_note = request.POST.get("priority_note", "")
    areas = elements_by_area(assessment.round.template)
    saved = {c.element_id: c for c in assessment.consensus.all()}
    items, inline = error_items(problems)
    return render(
        request,
        "maturity/consensus_submit.jinja",
        {
            "assessment": assessment,
            "areas": areas,
            "saved": saved,
            "stages": [s.name for s in assessment.round.template.stages.all()],
            "error_list": items,
            "inline": inline,
            "lead": lead,
            "nav": "maturity",
        },
        status=400 if problems else 200,
    )


@login_required
def results(request, pk, code):
    assessment = assessment_or_404(request.user, pk, code)
    decision = perms.can_view_consensus(request.user, assessment)
    if not decision:
        return forbidden(request, decision.reason)
    rnd = assessment.round
    areas = list(rnd.template.areas.all())
    stages = [s.name for s in rnd.template.stages.all()]
    own = pcn_results(assessment, areas)
    chart = current_and_target(
        [r.area.title for r in own],
        [r.current_score for r in own],
        [r.target_score for r in own],
        stages,
        f"{assessment.pcn}: stage now and in a year, by area",
    )
    needs = list(DevelopmentNeed.objects.filter(assessment=assessment).select_related("element__area"))
    return render(
        request,
        "maturity/results.jinja",
        {
            "assessment": assessment,
            "round": rnd,
            "results": own,
            "chart": chart,
            "stages": stages,
            "benchmark": benchmark(assessment, areas) if assessment.is_submitted else None,
            "change": change_since_baseline(assessment, areas),
            "needs": needs,
            "nav": "maturity",
        },
    )
