"""What a submitted self-assessment shows: development needs, results against the medians, the heatmap, and the
change since a round's baseline across the PCNs."""

from django.http import Http404
from ninja import Router
from ninja.responses import Status

from pcndev.api.maturity.schemas import (
    AssessmentNeedOut,
    HeatmapOut,
    MaturityProblem,
    ResultsOut,
    RoundChangeOut,
    _consensus_visible,
    _refused,
)
from pcndev.maturity import permissions as perms
from pcndev.maturity.lookup import assessment_or_404, round_or_404
from pcndev.maturity.models import DevelopmentNeed
from pcndev.maturity.privacy import overseen_pcns
from pcndev.maturity.results import areas_of, benchmark, change_since_baseline, heatmap, pcn_results
from pcndev.maturity.rounds import change_by_area
from pcndev.orgs.models import Place

router = Router()


def _stages(template) -> list[str]:
    return [s.name for s in template.stages.all()]


def _area_result(r) -> dict:
    return {
        "area": r.area.code,
        "title": r.area.title,
        "tag": r.area.tag,
        "current_stage": r.current_stage,
        "target_stage": r.target_stage,
        "current_score": r.current_score,
        "target_score": r.target_score,
    }


@router.get(
    "/maturity/rounds/{pk}/heatmap",
    response={200: HeatmapOut, 403: MaturityProblem},
    operation_id="pcndev_api_maturity_get_heatmap",
)
def get_heatmap(request, pk: int, place: str | None = None):
    """PCNs × areas for place-level users and above; narrow to one place with `place`."""
    rnd = round_or_404(request.user, pk)
    decision = perms.can_view_comparisons(request.user)
    if not decision:
        return _refused(decision.reason)
    pcns = overseen_pcns(request.user, rnd)
    places = list(Place.objects.filter(pk__in=pcns.values("place_id")).order_by("name"))
    chosen = None
    if place:
        chosen = next((p for p in places if p.code == place), None)
        if chosen is None:
            raise Http404("No place found")
        pcns = pcns.filter(place=chosen)
    areas = areas_of(rnd)
    rows = heatmap(rnd, pcns, areas)
    return {
        "round": rnd.id,
        "stages": _stages(rnd.template),
        "areas": [{"code": a.code, "title": a.title, "tag": a.tag} for a in areas],
        "places": [{"code": p.code, "name": p.name} for p in places],
        "place": chosen.code if chosen else None,
        "submitted": sum(1 for r in rows if r.submitted),
        "rows": [
            {
                "pcn": r.pcn.code,
                "name": r.pcn.name,
                "place": r.pcn.place.code,
                "submitted": r.submitted,
                "cells": [_area_result(c) for c in r.cells],
            }
            for r in rows
        ],
    }


@router.get(
    "/maturity/rounds/{pk}/pcns/{code}/needs",
    response={200: list[AssessmentNeedOut], 403: MaturityProblem},
    operation_id="pcndev_api_maturity_get_needs",
)
def get_needs(request, pk: int, code: str):
    """The ranked development needs, written when the self-assessment is submitted (internal needs first)."""
    assessment = assessment_or_404(request.user, pk, code)
    if refused := _consensus_visible(request.user, assessment):
        return refused
    needs = DevelopmentNeed.objects.filter(assessment=assessment).select_related("element__area")
    return Status(
        200,
        [
            {
                "rank": n.rank,
                "element": n.element.code,
                "title": n.element.title,
                "area": n.element.area.code,
                "tag": n.tag,
                "current_stage": n.current_stage,
                "target_stage": n.target_stage,
                "gap": n.gap,
                "priority": n.priority,
                "support_needed": n.support_needed,
                "cost_pence": n.cost_pence,
            }
            for n in needs
        ],
    )


@router.get(
    "/maturity/rounds/{pk}/pcns/{code}/results",
    response={200: ResultsOut, 403: MaturityProblem},
    operation_id="pcndev_api_maturity_get_results",
)
def get_results(request, pk: int, code: str):
    """Stage now and in a year per area; once submitted, the place, system and national medians (no PCN named)."""
    assessment = assessment_or_404(request.user, pk, code)
    if refused := _consensus_visible(request.user, assessment):
        return refused
    rnd = assessment.round
    areas = areas_of(rnd)
    change = change_since_baseline(assessment, areas)
    return Status(
        200,
        {
            "round": rnd.id,
            "pcn": assessment.pcn.code,
            "status": assessment.status,
            "stages": _stages(rnd.template),
            "areas": [_area_result(r) for r in pcn_results(assessment, areas)],
            "benchmark": [
                {
                    "area": b.area.code,
                    "title": b.area.title,
                    "pcn_score": b.pcn_score,
                    "place_median": b.place_median,
                    "system_median": b.system_median,
                    "national_median": b.national_median,
                    "place_count": b.place_count,
                    "system_count": b.system_count,
                    "national_count": b.national_count,
                }
                for b in benchmark(assessment, areas)
            ]
            if assessment.is_submitted
            else None,
            "change": None
            if change is None
            else [
                {
                    "area": c.area_title,
                    "baseline_score": c.baseline_score,
                    "current_score": c.current_score,
                    "change": c.change,
                }
                for c in change
            ],
        },
    )


@router.get(
    "/maturity/rounds/{pk}/change",
    response={200: RoundChangeOut, 403: MaturityProblem, 404: MaturityProblem},
    operation_id="pcndev_api_maturity_get_round_change",
)
def get_round_change(request, pk: int):
    """For a round with a baseline (a year-end re-assessment): per area, the mean stage then and now of the PCNs
    you oversee that submitted both, and each PCN's change. For place-level users and above."""
    rnd = round_or_404(request.user, pk)
    decision = perms.can_view_comparisons(request.user)
    if not decision:
        return _refused(decision.reason)
    if rnd.baseline_id is None:
        return Status(404, {"detail": f"{rnd} is not compared with an earlier round"})
    summary, pcns = change_by_area(rnd, overseen_pcns(request.user, rnd))
    return {
        "round": rnd.id,
        "baseline": rnd.baseline_id,
        "areas": [
            {
                "area": a.code,
                "title": a.title,
                "compared": a.compared,
                "baseline_mean": a.baseline_mean,
                "current_mean": a.current_mean,
                "change": a.change,
                "improved": a.improved,
                "unchanged": a.unchanged,
                "fell": a.fell,
            }
            for a in summary
        ],
        "pcns": [
            {
                "pcn": r.pcn.code,
                "name": r.pcn.name,
                "place": r.pcn.place.code,
                "compared": r.compared,
                "changes": r.changes,
            }
            for r in pcns
        ],
    }
