"""Builders for review tests: a plan taken through agreement, committee and release with the real services."""

import datetime

from pcndev.delivery.reviewing import ReviewData, UpdateData, save_review, submit_review
from pcndev.orgs.models import ClinicalDirector
from pcndev.plans.cd_plans import add_item
from pcndev.plans.models import CDDevelopmentPlan
from pcndev.plans.transitions import record_committee_decision, release_funds, transition
from tests.plans.builders import funded_world, ready_plan

MEETING = datetime.date(2019, 11, 20)
OCT, NOV, DEC = datetime.date(2019, 10, 31), datetime.date(2019, 11, 30), datetime.date(2019, 12, 31)


def agree(w, version):
    transition(version, "submit", w.cd)
    transition(version, "agree", w.place_lead)
    return transition(version, "agree", w.cd)


def delivered_plan(w, costs=(10_000_00, 5_000_00), release=None):
    """A plan in delivery: agreed, approved by the committee and (by default) all released to the payee."""
    version = agree(w, ready_plan(w, costs))
    record_committee_decision(
        w.place_lead, w.pcn.place, w.programme, [version], "PCCC", datetime.date(2019, 10, 10), "PCCC/19/7"
    )
    version.refresh_from_db()
    release_funds(w.place_lead, version, release or sum(costs), "MOU-2019-001", datetime.date(2019, 10, 15))
    return transition(version, "start_delivery", w.cd)


def update(status="in_progress", rag="green", reason="", spend=0, evidence="") -> UpdateData:
    return UpdateData(status, rag, reason, spend, evidence)


def review_data(version, updates=None, meeting=MEETING, support="", **changes) -> ReviewData:
    """A complete review: every initiative green and in progress unless `updates` (by position) says otherwise."""
    initiatives = list(version.initiatives.order_by("position", "pk"))
    chosen = updates or {}
    data = ReviewData(
        meeting_date=meeting,
        cd_attended=True,
        place_lead_attended=True,
        additional_support=support,
        actions="Meet again next month",
        updates={i.pk: chosen.get(n, update()) for n, i in enumerate(initiatives)},
    )
    for k, v in changes.items():
        setattr(data, k, v)
    return data


def record_review(w, version, due, user=None, **kwargs):
    """Save and submit a review with the real services; returns the submitted review."""
    user = user or w.cd
    saved = save_review(version.plan, due, _lock(version.plan, due), user, review_data(version, **kwargs))
    return submit_review(version.plan, due, saved.lock_version, user)


def _lock(plan, due) -> int:
    from pcndev.delivery.review_models import ProgressReview

    row = ProgressReview.objects.filter(plan=plan, due=due).first()
    return row.lock_version if row else 0


def cd_plan_world():
    """A funded PCN whose one clinical director (the world's CD user) has a plan with one coaching item."""
    w = funded_world()
    director = ClinicalDirector.objects.create(pcn=w.pcn, name="Dr A", share_percent=100, user=w.cd)
    plan = CDDevelopmentPlan.objects.create(programme=w.programme, director=director, pcn=w.pcn)
    item = add_item(plan, w.cd, "coaching", "Six coaching sessions", 2_000_00)
    return w, plan, item
