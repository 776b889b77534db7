"""CD development plan pages: the list for a programme, and one CD's (or a place's collective) plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from pcndev.accounts.scope import visible
from pcndev.config.views import forbidden
from pcndev.funding.forms import clean_pounds
from pcndev.funding.models import Programme
from pcndev.orgs.lookup import get_visible_or_404
from pcndev.orgs.models import PCN, ClinicalDirector, Place
from pcndev.plans.budget import cd_plan_budget
from pcndev.plans.cd_plans import (
    add_item,
    agree_cd_plan,
    can_agree_cd_plan,
    can_edit_cd_plan,
)
from pcndev.plans.editing import NotAllowed, PlanProblems
from pcndev.plans.models import CDDevelopmentItem, CDDevelopmentPlan


@login_required
def cd_plan_list(request, pk):
    programme = get_object_or_404(Programme, pk=pk)
    pcns = visible(request.user, PCN)
    directors = (
        ClinicalDirector.objects.filter(pcn__in=pcns)
        .select_related("pcn")
        .order_by("pcn__name", "-share_percent")
    )
    plans = {
        p.director_id: p
        for p in CDDevelopmentPlan.objects.filter(programme=programme, director__in=directors)
    }
    places = visible(request.user, Place).filter(pcns__isnull=False).distinct().order_by("name")
    return render(
        request,
        "plans/cd_list.jinja",
        {
            "programme": programme,
            "directors": [(d, plans.get(d.id)) for d in directors],
            "places": places,
            "nav": "plans",
        },
    )


def _page(request, programme, plan, title):
    """`plan` may be unsaved until the first item is added: looking at a plan never creates one."""
    problems: list = []
    if request.method == "POST":
        check = can_agree_cd_plan if request.POST.get("action") == "agree" else can_edit_cd_plan
        if not (decision := check(request.user, plan)):
            return forbidden(request, decision.reason)
        was_new = plan.pk is None
        try:
            with transaction.atomic():  # a refused first item leaves no empty plan behind
                if plan.pk is None:
                    plan.save()
                if request.POST.get("action") == "agree":
                    agree_cd_plan(plan, request.user)
                    done = "The CD development plan is agreed"
                else:
                    try:
                        cost = clean_pounds(request.POST.get("cost", ""))
                    except ValidationError as exc:
                        raise PlanProblems([("cost", exc.messages[0])]) from None
                    kind, description = request.POST.get("kind", ""), request.POST.get("description", "")
                    add_item(plan, request.user, kind, description, cost)
                    done = "Added to the CD development plan"
            messages.success(request, done)
            return redirect(request.path)
        except NotAllowed as exc:
            return forbidden(request, exc.reason)
        except PlanProblems as exc:
            problems = exc.problems
            if was_new:
                plan.pk = None  # rolled back with the refused item
    budget, cost = cd_plan_budget(plan)
    return render(
        request,
        "plans/cd_plan.jinja",
        {
            "programme": programme,
            "plan": plan,
            "title": title,
            "items": list(plan.items.all()) if plan.pk else [],
            "budget": budget,
            "cost": cost,
            "kinds": CDDevelopmentItem.Kind.choices,
            "can_edit": can_edit_cd_plan(request.user, plan),
            "can_agree": can_agree_cd_plan(request.user, plan),
            "problems": problems,
            "values": request.POST if problems else {},
            "nav": "plans",
        },
        status=400 if problems else 200,
    )


@login_required
def director_plan(request, pk, director_id):
    programme = get_object_or_404(Programme, pk=pk)
    director = (
        ClinicalDirector.objects.filter(pk=director_id, pcn__in=visible(request.user, PCN))
        .select_related("pcn__place")
        .first()
    )
    if director is None:
        raise Http404("No clinical director found")
    plan = CDDevelopmentPlan.objects.filter(programme=programme, director=director).first()
    plan = plan or CDDevelopmentPlan(programme=programme, director=director, pcn=director.pcn)
    return _page(request, programme, plan, f"{director.name}, {director.pcn}")


@login_required
def place_plan(request, pk, code):
    programme = get_object_or_404(Programme, pk=pk)
    place = get_visible_or_404(request.user, Place, code=code)
    plan = CDDevelopmentPlan.objects.filter(programme=programme, place=place).first()
    plan = plan or CDDevelopmentPlan(programme=programme, place=place)
    return _page(request, programme, plan, f"Clinical directors in {place} (together)")
