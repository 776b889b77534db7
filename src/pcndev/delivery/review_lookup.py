"""Finding a PCN's plan and a review date for the review pages and the API, scoped like every other lookup: a PCN
the user cannot see, a plan that does not exist or a date with no review scheduled are all "not found"."""

import datetime

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from pcndev.accounts.scope import visible
from pcndev.delivery.reviewing import due_dates_for
from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, Place
from pcndev.plans.models import CDDevelopmentPlan, SupportPlan


def plan_or_404(user, pk: int, code: str) -> SupportPlan:
    programme = get_object_or_404(Programme, pk=pk)
    pcn = get_visible_or_404(user, PCN, ("place__system",), code=code)
    plan = SupportPlan.objects.filter(programme=programme, pcn=pcn).select_related("programme").first()
    if plan is None:
        raise Http404("This PCN has no support plan in this programme")
    plan.pcn = pcn
    return plan


def due_or_404(reviewed, due: datetime.date | str) -> datetime.date:
    """A scheduled review date (or one a review was saved on) for a plan or a CD plan."""
    if isinstance(due, str):
        try:
            due = datetime.date.fromisoformat(due)
        except ValueError:
            raise Http404("No review on that date") from None
    if due not in due_dates_for(reviewed.programme) and not reviewed.reviews.filter(due=due).exists():
        raise Http404("No review is scheduled on that date")
    return due


def cd_plan_or_404(user, pk: int, plan_id: int) -> CDDevelopmentPlan:
    """A CD development plan in the programme whose PCN or place the user can see; 404 otherwise."""
    programme = get_object_or_404(Programme, pk=pk)
    plan = (
        CDDevelopmentPlan.objects.filter(programme=programme, pk=plan_id)
        .filter(Q(director__pcn__in=visible(user, PCN)) | Q(place__in=visible(user, Place)))
        .select_related("director__pcn__place", "place", "programme")
        .first()
    )
    if plan is None:
        raise Http404("No CD development plan found")
    return plan
