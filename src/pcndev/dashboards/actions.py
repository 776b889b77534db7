""" "Where do I need to act?": the overdue items of a dashboard's PCNs and what awaits the user, each with a link
to the page where it is done.

Nothing here decides what is overdue or awaiting: overdue items come from delivery.services.overdue_rows, plan
steps from plans.awaiting.awaiting_for and self-assessment work from maturity.awaiting.awaiting_self_assessment;
this module only keeps the programme's and the node's share and finds each one's page.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from pcndev.maturity.awaiting import awaiting_self_assessment
from pcndev.maturity.models import AssessmentRound
from pcndev.plans import workflow
from pcndev.plans.awaiting import awaiting_for


@dataclass(frozen=True)
class Action:
    pcn: object
    what: str
    href: str
    key: str = ""
    due: datetime.date | None = None
    holder: str = ""  # who holds it (overdue items)
    days_overdue: int = 0


def programme_rounds(programme) -> list[AssessmentRound]:
    """The self-assessment rounds that count for the programme (as delivery.services.assessments_for), latest first."""
    return list(
        AssessmentRound.objects.filter(
            Q(programme=programme) | Q(programme__isnull=True, financial_year=programme.financial_year)
        ).order_by("-closes_on", "-pk")
    )


def _round_for(rounds, pcn):
    for rnd in rounds:
        if (
            (rnd.place_id and rnd.place_id == pcn.place_id)
            or (rnd.system_id and rnd.system_id == pcn.place.system_id)
            or not (rnd.place_id or rnd.system_id)
        ):
            return rnd
    return None


def overdue_href(programme, pcn, key: str, plan: tuple[int | None, str], rounds) -> str:
    """The page to act on an overdue item. `plan` is the latest version's (id, state), id None without a plan."""
    version_id, state = plan
    if key == "self_assessment":
        rnd = _round_for(rounds, pcn)
        return reverse("maturity:pcn", args=[rnd.pk, pcn.code]) if rnd else reverse("maturity:index")
    if key == "funds_released" and version_id:
        if state == workflow.AGREED:
            return reverse("plans:committee", args=[programme.pk, pcn.place.code])
        if state == workflow.COMMITTEE_APPROVED:
            return reverse("plans:release", args=[version_id])
    if key in ("plan_agreed", "funds_released"):
        return (
            reverse("plans:version", args=[version_id])
            if version_id
            else reverse("plans:list", args=[programme.pk])
        )
    if key.startswith("review:"):  # "review:<due date>": that review's page
        return reverse("delivery:review", args=[programme.pk, pcn.code, key.split(":", 1)[1]])
    # Anything newer: the PCN's journey, which links on from there.
    return reverse("delivery:pcn-journey", args=[programme.pk, pcn.code])


def overdue_actions(programme, rows, plans: dict[int, tuple[int | None, str]], today) -> list[Action]:
    """Overdue items (from overdue_rows, already limited to the node), oldest first, with their pages."""
    rounds = programme_rounds(programme) if any(i.key == "self_assessment" for _, i in rows) else []
    out = [
        Action(
            pcn=pcn,
            what=item.what,
            href=overdue_href(programme, pcn, item.key, plans.get(pcn.pk, (None, "")), rounds),
            key=item.key,
            due=item.due,
            holder=item.holder_label,
            days_overdue=(today - item.due).days,
        )
        for pcn, item in rows
        if item.overdue
    ]
    return sorted(out, key=lambda a: (a.due, a.pcn.name, a.key))


def _plan_href(version, t) -> str:
    if t.action == "approve":
        return reverse("plans:committee", args=[version.plan.programme_id, version.plan.pcn.place.code])
    if t.action == "release":
        return reverse("plans:release", args=[version.pk])
    return reverse("plans:action", args=[version.pk, t.action])


def awaiting_actions(user, programme, pcn_ids: set[int]) -> list[Action]:
    """The plan steps and self-assessment work awaiting the user in this programme and these PCNs."""
    out = []
    for version, transitions in awaiting_for(user):
        if version.plan.programme_id == programme.pk and version.plan.pcn_id in pcn_ids:
            out += [
                Action(
                    pcn=version.plan.pcn,
                    what=f"{t.label}: version {version.number} ({version.get_state_display().lower()})",
                    href=_plan_href(version, t),
                    key=f"plan:{t.action}",
                )
                for t in transitions
            ]
    counting = {r.pk for r in programme_rounds(programme)}
    for kind, rnd, target, what in awaiting_self_assessment(user):
        if rnd.pk not in counting:
            continue
        if kind == "consensus" and target.pk in pcn_ids:
            href = reverse("maturity:pcn", args=[rnd.pk, target.code])
            out.append(Action(pcn=target, what=what, href=href, key="consensus", due=rnd.closes_on))
    return out
