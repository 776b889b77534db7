"""The audit trail of the generated year, for `pcndev scale-data`: about a million events by default.

First the events the data implies, in the shapes the services write them: roles granted, every practice's
draft saves and submission, each consensus save and submission, plans started, initiatives saved, each
workflow step (submit, agree, request changes, committee approval, release, start of delivery, closing), every
commitment, release and spend entry in the ledger, reviews started, saved and submitted, CD plans agreed.
Then, up to the target, the extra draft saves a busy year brings (ratings, reviews, initiatives, consensus),
each on a real object at a time within its window. Events are appended in phase order (roles, self-assessment,
plans, reviews) with the times they happened; the table is append-only, and inserting is all this does.
"""

import datetime
from collections.abc import Iterator

from pcndev.audit.models import AuditEvent
from pcndev.ops.scale_audit_base import COLUMNS, ROLE_LABEL, Context, at_time, between
from pcndev.ops.scale_audit_plans import ledger, plans, review_label, reviews

CHURN = (("ratings", 45), ("reviews", 25), ("initiatives", 20), ("consensus", 10))


def write_audit(bulk, rng, people, round_facts, plan_facts, review_facts, target: int) -> int:
    ctx = Context(rng, people, round_facts, plan_facts, review_facts)
    core = [_roles(ctx), _assessment(ctx), plans(ctx), ledger(ctx), reviews(ctx)]
    written = sum(bulk.insert(AuditEvent, COLUMNS, events, db_ids=True) for events in core)
    left = target - AuditEvent.objects.count()  # the importer's and the services' events count too
    if left > 0:
        bulk.reporter.total(target)
        shares = [left * share // 100 for _kind, share in CHURN]
        shares[0] += left - sum(shares)
        for (kind, _share), n in zip(CHURN, shares, strict=True):
            written += bulk.insert(AuditEvent, COLUMNS, _churn(ctx, kind, n), db_ids=True)
    return written


def _roles(ctx) -> Iterator[tuple]:
    admin = ctx.people.admins[0]
    for rid, uid, role, node_field, node_id in ctx.people.memberships:
        node = ctx.nodes[node_field][node_id] if node_field else "England"
        yield ctx.event(
            at_time(datetime.date(2019, 7, 1) + datetime.timedelta(days=ctx.rng.randrange(45)), ctx.rng),
            admin,
            "role.granted",
            "accounts.rolemembership",
            rid,
            f"{ROLE_LABEL[role]} at {node}",
            None,
            {"user": ctx.email[uid], "role": role, "node": node},
        )


def _response_label(ctx, practice_id, user_id, aid) -> str:
    who = ctx.practice[practice_id] if practice_id else ctx.email.get(user_id, "")
    return f"{who} – {ctx.pcn[ctx.assessment_pcn[aid]]} – {ctx.rf.round.name}"


def _ratings_saved(ctx, response_id, user_id, practice_id, aid, when, elements) -> tuple:
    stages, roll = ctx.rf.stages, ctx.rng.random()
    touched = []
    for n, e in enumerate(elements):
        current = int(roll * stages + n) % stages
        touched.append(
            {
                "element": e.pk,
                "current_stage": current,
                "target_stage": min(ctx.rf.stages - 1, current + 1),
                "priority": "medium",
                "support_needed": "",
                "cost_pence": None,
                "evidence": "",
            }
        )
    return ctx.event(
        when,
        user_id,
        "maturity.ratings_saved",
        "maturity.response",
        response_id,
        _response_label(ctx, practice_id, user_id, aid),
        None,
        {"ratings": touched},
    )


def _assessment(ctx) -> Iterator[tuple]:
    rng, rf = ctx.rng, ctx.rf
    elements = rf.elements
    for rid, user_id, practice_id, aid, done, at in rf.responses:
        for area in range(0, len(elements), 4):
            for _ in range(rng.randint(1, 2)):
                when = at - datetime.timedelta(hours=rng.randint(1, 240))
                yield _ratings_saved(ctx, rid, user_id, practice_id, aid, when, elements[area : area + 4])
        if done:
            yield ctx.event(
                at,
                user_id,
                "maturity.submit_response",
                "maturity.response",
                rid,
                _response_label(ctx, practice_id, user_id, aid),
                {"status": "draft"},
                {"status": "submitted"},
            )
    for pcn_id, (aid, submitted, priority, when) in rf.assessments.items():
        cd = ctx.people.cd_user.get(pcn_id)
        text = f"{ctx.pcn[pcn_id]} – {rf.round.name}"
        end = when or datetime.datetime(2019, 9, 30, 12, tzinfo=datetime.UTC)
        for n in range(rng.randint(3, 8)):
            yield ctx.event(
                end - datetime.timedelta(hours=6 * (n + 1)),
                cd,
                "maturity.consensus_saved",
                "maturity.pcnassessment",
                aid,
                text,
                None,
                {"improvement_priority": priority, "consensus": [{"element": elements[n].pk}]},
            )
        if submitted:
            yield ctx.event(
                when,
                cd,
                "maturity.submit_assessment",
                "maturity.pcnassessment",
                aid,
                text,
                {"status": "in_progress"},
                {"status": "submitted", "needs": len(rf.needs.get(aid, []))},
            )


def _churn(ctx, kind: str, n: int) -> Iterator[tuple]:
    """n extra draft saves of one kind, each on a real object at a time within its window."""
    rng, rf = ctx.rng, ctx.rf
    if kind == "ratings" and rf.responses:
        for _ in range(n):
            rid, user_id, practice_id, aid, _done, at = rng.choice(rf.responses)
            first = rng.randrange(len(rf.elements))
            yield _ratings_saved(
                ctx,
                rid,
                user_id,
                practice_id,
                aid,
                at - datetime.timedelta(minutes=rng.randint(5, 20_000)),
                rf.elements[first : first + rng.randint(1, 3)],
            )
    elif kind == "reviews" and ctx.vf.reviews:
        plan_pcn = {d.plan_id: d.pcn_id for d in ctx.pf.delivered}
        for _ in range(n):
            rid, plan_id, _vid, due, _state, cd, lead, _sub, _lock, count, _posted = rng.choice(
                ctx.vf.reviews
            )
            yield ctx.event(
                between(rng, due - datetime.timedelta(days=20), due),
                rng.choice((cd, lead)),
                "review.saved",
                "delivery.progressreview",
                rid,
                review_label(ctx, plan_pcn, plan_id, due),
                None,
                {"due": str(due), "updates": count},
            )
    elif kind == "initiatives" and ctx.pf.initiatives:
        for _ in range(n):
            iid, vid, cd, title = rng.choice(ctx.pf.initiatives)
            started = ctx.pf.versions[vid][4]
            yield ctx.event(
                between(rng, started, started + datetime.timedelta(days=30)),
                cd,
                "plan.initiative_saved",
                "plans.initiative",
                iid,
                title,
                None,
                {"version": vid},
            )
    elif kind == "consensus" and rf.assessments:
        items = list(rf.assessments.items())
        for _ in range(n):
            pcn_id, (aid, _submitted, priority, _when) = rng.choice(items)
            yield ctx.event(
                between(rng, datetime.date(2019, 9, 10), datetime.date(2019, 9, 29)),
                ctx.people.cd_user.get(pcn_id),
                "maturity.consensus_saved",
                "maturity.pcnassessment",
                aid,
                f"{ctx.pcn[pcn_id]} – {rf.round.name}",
                None,
                {"improvement_priority": priority, "consensus": [{"element": rng.choice(rf.elements).pk}]},
            )
