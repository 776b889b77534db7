"""Fetching rounds, PCNs and assessments for a user: visible or 404, with no hint that a hidden one exists."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from pcndev.maturity.models import AssessmentRound, Element, Response
from pcndev.maturity.permissions import in_round
from pcndev.maturity.privacy import involved_pcns
from pcndev.maturity.rounds import assessment_for
from pcndev.orgs.models import Practice


def round_or_404(user, pk: int) -> AssessmentRound:
    rnd = get_object_or_404(
        AssessmentRound.objects.select_related("template", "place", "system", "baseline"), pk=pk
    )
    if not in_round(user, rnd):
        raise Http404("No round found")
    return rnd


def assessment_or_404(user, pk: int, code: str):
    rnd = round_or_404(user, pk)
    pcn = involved_pcns(user, rnd).select_related("place__system").filter(code=code).first()
    if pcn is None:
        raise Http404("No PCN found")
    return assessment_for(rnd, pcn)


def member_practices(assessment):
    """The PCN's current member practices."""
    return Practice.objects.filter(
        memberships__pcn=assessment.pcn, memberships__valid_to__isnull=True
    ).order_by("name")


def response_for(assessment, who: str, user) -> Response:
    """`who` is a practice code, or "cd" for the signed-in clinical director's own ratings.

    Unsaved until the first answers are saved: looking at a page never creates a response."""
    if who == "cd":
        response = Response.objects.filter(assessment=assessment, practice=None, respondent=user).first()
        return response or Response(assessment=assessment, practice=None, respondent=user)
    practice = member_practices(assessment).filter(code=who).first()
    if practice is None:
        raise Http404("No practice found")
    response = Response.objects.filter(assessment=assessment, practice=practice).first()
    if response is None:
        response = Response(assessment=assessment, practice=practice)
    response.practice = practice
    return response


def elements_by_area(template) -> list[tuple[object, list[Element]]]:
    areas = list(template.areas.all())
    elements = list(template.elements.order_by("area__position", "position"))
    return [(a, [e for e in elements if e.area_id == a.id]) for a in areas]
