"""The audit events of the plans, the ledger and the reviews, for `pcndev scale-data` (see `scale_audit`)."""

import datetime
from collections.abc import Iterator

from pcndev.ops.scale_audit_base import KIND_LABEL, at_time, between


def plans(ctx) -> Iterator[tuple]:
    rng = ctx.rng
    saves: dict[int, list[int]] = {}
    for iid, version_id, _cd, title in ctx.pf.initiatives:
        saves.setdefault(version_id, []).append((iid, title))
    for vid, (pcn_id, state, cd, lead, started, sub, agreed, approved, released) in ctx.pf.versions.items():
        text = f"{ctx.pcn[pcn_id]} plan version 1"
        yield ctx.event(
            at_time(started, rng),
            cd,
            "plan.started",
            "plans.planversion",
            vid,
            text,
            None,
            {"pcn": ctx.pcn_code[pcn_id], "programme": "PCN development support (2019/20)"},
        )
        until = sub or datetime.date(2019, 11, 30)
        for iid, title in saves.get(vid, []):
            for _ in range(rng.randint(1, 3)):
                yield ctx.event(
                    between(rng, started, until),
                    cd,
                    "plan.initiative_saved",
                    "plans.initiative",
                    iid,
                    title,
                    None,
                    {"version": vid},
                    note=text,
                )
        for _ in range(rng.randint(1, 3)):
            yield ctx.event(
                between(rng, started, until),
                cd,
                "plan.updated",
                "plans.planversion",
                vid,
                text,
                None,
                {"lock_version": rng.randint(1, 9)},
            )
        steps = []
        if sub:
            steps += [("submit", cd, sub, "draft", "submitted"), ("agree", cd, sub, "submitted", "submitted")]
        if state == "changes_requested":
            steps.append(("request_changes", lead, sub + datetime.timedelta(days=3), "submitted", state))
        if agreed:
            steps.append(("agree", lead, agreed, "submitted", "agreed"))
        if approved:
            steps.append(("approve", lead, approved, "agreed", "committee_approved"))
        if released:
            steps.append(("release", lead, released, "committee_approved", "funds_released"))
            if state in ("in_delivery", "closed"):
                steps.append(
                    (
                        "start_delivery",
                        cd,
                        released + datetime.timedelta(days=rng.randint(1, 10)),
                        "funds_released",
                        "in_delivery",
                    )
                )
            if state == "closed":
                steps.append(
                    ("close", lead, datetime.date(2020, 4, rng.randint(1, 20)), "in_delivery", "closed")
                )
        for action, who, day, before, after in steps:
            yield ctx.event(
                at_time(day, rng),
                who,
                f"plan.{action}",
                "plans.planversion",
                vid,
                text,
                {"state": before},
                {"state": after},
            )
    for plan_id, uid, name, share in ctx.cd_plans:
        yield ctx.event(
            between(rng, datetime.date(2019, 10, 1), datetime.date(2019, 11, 30)),
            uid,
            "cd_plan.agreed",
            "plans.cddevelopmentplan",
            plan_id,
            f"CD development plan: {name} ({share}%)",
            {"status": "draft"},
            {"status": "agreed"},
        )


def ledger(ctx) -> Iterator[tuple]:
    for eid, kind, fund, amount, pcn_id, code, reference, payee, day, by, note in ctx.ledger:
        yield ctx.event(
            at_time(day, ctx.rng),
            by,
            f"ledger.{kind}",
            "funding.ledgerentry",
            eid,
            f"{KIND_LABEL[kind]} {amount}p for {pcn_id}",
            None,
            {
                "kind": kind,
                "fund": fund,
                "amount_pence": amount,
                "pcn": code,
                "reverses": None,
                "reference": reference,
                "payee": payee,
                "entry_date": day.isoformat(),
            },
            note,
        )


def review_label(ctx, plan_pcn, plan_id, due) -> str:
    return f"{ctx.pcn[plan_pcn[plan_id]]} review due {due.day} {due:%B %Y}"


def reviews(ctx) -> Iterator[tuple]:
    rng = ctx.rng
    plan_pcn = {d.plan_id: d.pcn_id for d in ctx.pf.delivered}
    for rid, plan_id, _vid, due, _state, cd, lead, submitted, lock, n, posted in ctx.vf.reviews:
        text = review_label(ctx, plan_pcn, plan_id, due)
        start = due - datetime.timedelta(days=20)
        yield ctx.event(
            at_time(start, rng),
            cd,
            "review.started",
            "delivery.progressreview",
            rid,
            text,
            None,
            {"due": str(due), "version": 1},
        )
        for _ in range(lock):
            yield ctx.event(
                between(rng, start, due),
                rng.choice((cd, lead)),
                "review.saved",
                "delivery.progressreview",
                rid,
                text,
                None,
                {"due": str(due), "updates": n},
            )
        if submitted:
            yield ctx.event(
                submitted,
                cd,
                "review.submitted",
                "delivery.progressreview",
                rid,
                text,
                {"state": "draft"},
                {"state": "submitted", "spend_posted_pence": posted, "revision": None},
            )
