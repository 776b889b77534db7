"""A PCN's self-assessment: the hub, rating pages (a practice's or a CD's), submitting and reopening."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render

from pcndev.config.views import forbidden
from pcndev.maturity import permissions as perms
from pcndev.maturity.assessing import NotAllowed, Problems, action_decision, save_ratings, today, transition
from pcndev.maturity.forms import ReasonForm, error_items, parse_entries, values_from, values_of
from pcndev.maturity.lookup import assessment_or_404, elements_by_area, member_practices, response_for
from pcndev.maturity.models import Response


def _stages(assessment) -> list[str]:
    return [s.name for s in assessment.round.template.stages.all()]


@login_required
def pcn_assessment(request, pk, code):
    assessment = assessment_or_404(request.user, pk, code)
    user, day = request.user, today()
    practices = list(member_practices(assessment))
    responses = {
        r.practice_id: r
        for r in Response.objects.filter(assessment=assessment, practice__isnull=False).select_related(
            "respondent"
        )
    }
    mine = perms.reach(user).practice_ids
    practice_rows = [
        (
            p,
            responses.get(p.id),
            perms.can_view_ratings(user, responses[p.id]) if p.id in responses else None,
            p.id in mine,
        )
        for p in practices
    ]
    is_cd = perms.is_cd(user, assessment)
    cd_responses = (
        list(
            Response.objects.filter(assessment=assessment, practice__isnull=True).select_related("respondent")
        )
        if is_cd
        else []
    )
    return render(
        request,
        "maturity/pcn.jinja",
        {
            "assessment": assessment,
            "round": assessment.round,
            "pcn": assessment.pcn,
            "practice_rows": practice_rows,
            "is_cd": is_cd,
            "cd_responses": cd_responses,
            "lead": perms.can_lead_assessment(user, assessment, day),
            "consensus": perms.can_view_consensus(user, assessment),
            "reopen": perms.can_reopen(user, assessment),
            "nav": "maturity",
        },
    )


def _rating_context(assessment, area_index: int):
    areas = elements_by_area(assessment.round.template)
    if not 0 <= area_index < len(areas):
        raise Http404("No such area")
    area, elements = areas[area_index]
    return areas, area, elements


@login_required
def rate(request, pk, code, who):
    """One area's elements on a page: save a draft and go on to the next area, or back to the summary."""
    assessment = assessment_or_404(request.user, pk, code)
    if who == "cd" and not perms.is_cd(request.user, assessment):
        raise Http404("No ratings found")
    response = response_for(assessment, who, request.user)
    if response.pk and not perms.can_view_ratings(request.user, response):
        raise Http404("No ratings found")
    if (
        response.practice_id
        and not response.pk
        and response.practice_id not in perms.reach(request.user).practice_ids
    ):
        raise Http404("No ratings found")
    try:
        area_index = int(request.GET.get("area", "0"))
    except ValueError:
        raise Http404("No such area") from None
    areas, area, elements = _rating_context(assessment, area_index)
    stages = _stages(assessment)
    may_edit = action_decision_for_edit(request.user, response)
    problems: list = []
    if request.method == "POST":
        if not may_edit:
            return forbidden(request, may_edit.reason)
        entries, problems = parse_entries(request.POST, elements, len(stages))
        if not problems:
            try:
                with transaction.atomic():  # a refused first save leaves no empty response behind
                    if response.pk is None:
                        response.respondent = request.user
                        response.save()
                    save_ratings(response, entries, request.user)
            except NotAllowed as exc:
                return forbidden(request, exc.reason)
            except Problems as exc:
                problems = exc.problems
        if not problems:
            if request.POST.get("next") == "summary" or area_index + 1 >= len(areas):
                messages.success(request, "Your answers have been saved")
                return redirect("maturity:rate-summary", pk=pk, code=code, who=who)
            return redirect(f"{request.path}?area={area_index + 1}")
        values = values_from(request.POST, elements)
    else:
        saved = {r.element_id: r for r in response.ratings.all()} if response.pk else {}
        values = values_of(saved, elements)
    items, inline = error_items(problems)
    return render(
        request,
        "maturity/rate.jinja",
        {
            "assessment": assessment,
            "response": response,
            "who": who,
            "areas": areas,
            "area": area,
            "area_index": area_index,
            "elements": elements,
            "stages": stages,
            "values": values,
            "error_list": items,
            "inline": inline,
            "may_edit": may_edit,
            "nav": "maturity",
        },
        status=400 if problems else 200,
    )


def action_decision_for_edit(user, response):
    if response.pk is None and response.practice_id is None:
        return perms.can_lead_assessment(user, response.assessment, today())
    if response.pk is None:
        return perms.can_rate_practice(user, response.assessment, response.practice, today())
    if response.status == Response.Status.SUBMITTED:
        return perms.Decision(
            False, "These ratings have been submitted. Choose 'Change ratings' to edit them."
        )
    return action_decision(response, "submit_response", user)


@login_required
def rate_summary(request, pk, code, who):
    """Check your answers, then submit (or change them after submitting)."""
    assessment = assessment_or_404(request.user, pk, code)
    if who == "cd" and not perms.is_cd(request.user, assessment):
        raise Http404("No ratings found")
    response = response_for(assessment, who, request.user)
    if response.pk is None:
        mine = perms.reach(request.user).practice_ids
        if (
            response.practice_id
            and response.practice_id not in mine
            and not perms.is_cd(request.user, assessment)
        ):
            raise Http404("No ratings found")
    elif not perms.can_view_ratings(request.user, response):
        raise Http404("No ratings found")
    problems: list = []
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("submit_response", "reopen_response") or response.pk is None:
            problems = [("", "action", "Rate at least one area before submitting")]
        else:
            try:
                transition(response, action, request.user)
            except NotAllowed as exc:
                return forbidden(request, exc.reason)
            except Problems as exc:
                problems = exc.problems
            else:
                messages.success(
                    request,
                    "Ratings submitted" if action == "submit_response" else "You can now change your ratings",
                )
                return redirect("maturity:rate-summary", pk=pk, code=code, who=who)
        response = response_for(assessment, who, request.user)
    areas = elements_by_area(assessment.round.template)
    saved = {r.element_id: r for r in response.ratings.all()} if response.pk else {}
    items, _ = error_items(problems)
    submit = (
        action_decision(response, "submit_response", request.user)
        if response.pk
        else perms.Decision(False, "Rate at least one area first.")
    )
    reopen = action_decision(response, "reopen_response", request.user) if response.pk else None
    return render(
        request,
        "maturity/rate_summary.jinja",
        {
            "assessment": assessment,
            "response": response,
            "who": who,
            "areas": areas,
            "saved": saved,
            "stages": _stages(assessment),
            "error_list": items,
            "submit": submit,
            "reopen": reopen,
            "nav": "maturity",
        },
        status=400 if problems else 200,
    )


@login_required
def reopen(request, pk, code):
    assessment = assessment_or_404(request.user, pk, code)
    decision = perms.can_reopen(request.user, assessment)
    if not decision:
        return forbidden(request, decision.reason)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            transition(assessment, "reopen_assessment", request.user, reason=form.cleaned_data["reason"])
        except NotAllowed as exc:
            return forbidden(request, exc.reason)
        messages.success(request, "The self-assessment has been reopened")
        return redirect("maturity:pcn", pk=pk, code=code)
    return render(
        request,
        "maturity/reopen.jinja",
        {"assessment": assessment, "form": form, "nav": "maturity"},
        status=400 if form.is_bound and form.errors else 200,
    )
