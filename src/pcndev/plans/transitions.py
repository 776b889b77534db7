"""The one transition service for support plans, and the committee decision and release built on it.

Each transition locks the version, checks the permission (with its reason), checks the preconditions,
changes the state, writes one audit event and queues the notifications — all in one transaction.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from pcndev.accounts.permissions import Decision
from pcndev.audit.services import record
from pcndev.config.formatting import format_pence
from pcndev.funding.ledger import LedgerRefused, post_many
from pcndev.funding.models import LedgerEntry
from pcndev.plans import notify, workflow
from pcndev.plans import permissions as perms
from pcndev.plans.budget import budget_for
from pcndev.plans.editing import NotAllowed, PlanProblems
from pcndev.plans.eligibility import evaluate
from pcndev.plans.models import CommitteeApproval, CommitteeDecision, PlanVersion, Release, SignOff


def _locked(version) -> PlanVersion:
    return (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("plan__pcn__place__system", "plan__pcn__payee", "plan__programme")
        .get(pk=version.pk)
    )


def submission_problems(version) -> list[tuple[str, str]]:
    problems = []
    if not version.improvement_priority.strip():
        problems.append(("improvement_priority", "Name the PCN's service-improvement priority"))
    initiatives = list(version.initiatives.select_related("override").prefetch_related("measures"))
    if not initiatives:
        problems.append(("initiatives", "Add at least one initiative"))
    for i in initiatives:
        if not i.measures.all():
            problems.append((f"initiative-{i.pk}", f"{i.title}: add at least one output measure"))
        result = evaluate(i.answers())
        if result.blocked and not hasattr(i, "override"):
            reasons = " ".join(f.reason for f in result.findings if f.outcome == "block")
            problems.append(
                (f"initiative-{i.pk}", f"{i.title}: {reasons} A place lead must record an override first.")
            )
    problems += [("budget", p) for p in budget_for(version).problems()]
    return problems


def _signoffs(version) -> dict[str, str]:
    return dict(SignOff.objects.filter(version=version).values_list("party", "decision"))


@transaction.atomic
def transition(version, action: str, user, comment: str = "") -> PlanVersion:
    version = _locked(version)
    t = workflow.BY_ACTION.get(action)
    signoffs = _signoffs(version)
    if not (decision := perms.can_act(user, version, action, signoffs)):
        raise NotAllowed(decision)
    if t.needs_comment and not comment.strip():
        raise PlanProblems([("comment", "Enter a comment saying what needs to change")])
    if action in ("approve", "release"):
        raise NotAllowed(Decision(False, "Use the committee decision or the release form for this step."))
    before = {"state": version.state}
    after: dict = {}
    target = t.target
    now = timezone.now()
    if action == "submit":
        if problems := submission_problems(version):
            raise PlanProblems(problems)
        SignOff.objects.filter(version=version).delete()
        SignOff.objects.bulk_create(
            SignOff(version=version, party=p)
            for p in workflow.required_parties(version.plan.programme.requires_system_signoff)
        )
        version.submitted_at = now
    elif action in ("agree", "decline"):
        mine = [
            p
            for p in perms.parties_of(user, version.plan.pcn) & set(t.parties)
            if p in signoffs and signoffs[p] != "agree"
        ]
        choice = SignOff.Decision.AGREE if action == "agree" else SignOff.Decision.DECLINE
        SignOff.objects.filter(version=version, party__in=mine).update(
            decision=choice, by=user, at=now, comment=comment.strip()
        )
        after["signed_as"] = sorted(mine)
        signoffs.update(dict.fromkeys(mine, choice))
        if action == "agree" and not workflow.agreed_by_all(
            signoffs, version.plan.programme.requires_system_signoff
        ):
            target = version.state  # still waiting for the others
    version.state = target
    version.save(update_fields=["state", "submitted_at", "updated_at"])
    after["state"] = target
    record(user, f"plan.{action}", version, before, after, note=comment.strip())
    notify.queue(version, action, user, comment.strip())
    return version


def plan_totals(version) -> dict[str, int]:
    """What the committee commits: programme-funded costs from national money, top-up costs from local money.
    For a revision, only the increase on what earlier versions of the plan had committed (never negative)."""
    budget = budget_for(version)
    totals = {
        LedgerEntry.Fund.NATIONAL: budget.programme_cost_pence,
        LedgerEntry.Fund.LOCAL: budget.top_up_cost_pence,
    }
    if version.revises_id is None:
        return totals
    committed: dict[str, int] = {}
    for fund, amount in CommitteeApproval.objects.filter(
        version__plan_id=version.plan_id, ledger_entries__isnull=False
    ).values_list("ledger_entries__fund", "ledger_entries__amount_pence"):
        committed[fund] = committed.get(fund, 0) + amount
    return {fund: max(total - committed.get(fund, 0), 0) for fund, total in totals.items()}


def _supersede(revision, user) -> None:
    """A revision now being delivered replaces the version it revises."""
    old = revision.revises
    if old is None or old.state not in workflow.SUPERSEDED_FROM:
        return
    before = old.state
    PlanVersion.objects.filter(pk=old.pk).update(state=workflow.SUPERSEDED, updated_at=timezone.now())
    record(
        user,
        "plan.superseded",
        old,
        {"state": before},
        {"state": workflow.SUPERSEDED, "by_version": revision.number},
    )


@transaction.atomic
def record_committee_decision(
    user, place, programme, versions, committee: str, meeting_date: datetime.date, minute_reference: str
) -> CommitteeDecision:
    """Approve a batch of agreed plans: each becomes committee approved and its costs become ledger commitments."""
    problems = []
    if not committee.strip():
        problems.append(
            ("committee", "Enter the committee's name, for example Primary Care Commissioning Committee")
        )
    elif len(committee.strip()) > 200:
        problems.append(("committee", "The committee's name must be 200 characters or fewer"))
    if not minute_reference.strip():
        problems.append(("minute_reference", "Enter the minute reference"))
    elif len(minute_reference.strip()) > 100:
        problems.append(("minute_reference", "The minute reference must be 100 characters or fewer"))
    if meeting_date > timezone.localdate():
        problems.append(("meeting_date", "The meeting date cannot be in the future"))
    if not versions:
        problems.append(("versions", "Select at least one agreed plan"))
    if problems:
        raise PlanProblems(problems)
    locked = [_locked(v) for v in sorted(versions, key=lambda v: v.pk)]
    for v in locked:
        if v.plan.pcn.place_id != place.pk or v.plan.programme_id != programme.pk:
            raise NotAllowed(Decision(False, f"{v} is not one of {place}'s plans for {programme}."))
        if not (decision := perms.can_act(user, v, "approve")):
            raise NotAllowed(decision)
    totals = {v.pk: plan_totals(v) for v in locked}
    decision = CommitteeDecision.objects.create(
        programme=programme,
        place=place,
        committee=committee.strip(),
        meeting_date=meeting_date,
        minute_reference=minute_reference.strip(),
        approved_pence=sum(sum(t.values()) for t in totals.values()),
        by=user,
    )
    reference = f"{decision.committee} {meeting_date.isoformat()} {decision.minute_reference}"
    for v in locked:
        specs = [
            dict(
                pcn=v.plan.pcn,
                kind="commitment",
                amount_pence=amount,
                fund=fund,
                reference=reference[:100],
                note=str(v),
            )
            for fund, amount in totals[v.pk].items()
            if amount
        ]
        try:
            entries = post_many(programme, specs, user) if specs else []
        except LedgerRefused as exc:
            raise PlanProblems([("versions", f"{v.plan.pcn}: {r}") for r in exc.reasons]) from None
        approval = CommitteeApproval.objects.create(
            decision=decision, version=v, amount_pence=sum(totals[v.pk].values())
        )
        approval.ledger_entries.set(entries)
        # A revision that needs no more money is delivered with what was released already.
        v.state = workflow.COMMITTEE_APPROVED if entries or v.revises_id is None else workflow.FUNDS_RELEASED
        v.save(update_fields=["state", "updated_at"])
        if v.state == workflow.FUNDS_RELEASED:
            _supersede(v, user)
        record(
            user,
            "plan.approve",
            v,
            {"state": workflow.AGREED},
            {"state": v.state, "committed_pence": approval.amount_pence},
            note=reference,
        )
        notify.queue(v, "approve", user, reference)
    return decision


@transaction.atomic
def release_funds(
    user, version, amount_pence: int, mou_reference: str, release_date: datetime.date
) -> Release:
    """Pay the PCN's payee under an MOU: a ledger release, which the ledger refuses beyond what is committed."""
    version = _locked(version)
    if not (decision := perms.can_act(user, version, "release")):
        raise NotAllowed(decision)
    pcn = version.plan.pcn
    problems = []
    if pcn.payee is None:
        problems.append(("payee", f"{pcn} has no payee: set its host or payee organisation first"))
    if not mou_reference.strip():
        problems.append(("mou_reference", "Enter the MOU reference"))
    elif len(mou_reference.strip()) > 100:
        problems.append(("mou_reference", "The MOU reference must be 100 characters or fewer"))
    if amount_pence <= 0:
        problems.append(("amount", "Enter an amount more than £0"))
    if problems:
        raise PlanProblems(problems)
    approval = version.approval
    committed = {e.fund: e.amount_pence for e in approval.ledger_entries.all()}
    specs, left = [], amount_pence
    for fund in (LedgerEntry.Fund.NATIONAL, LedgerEntry.Fund.LOCAL):
        part = min(left, committed.get(fund, 0))
        if part:
            specs.append(
                dict(
                    pcn=pcn,
                    kind="release",
                    amount_pence=part,
                    fund=fund,
                    reference=mou_reference.strip(),
                    payee=pcn.payee.name,
                    entry_date=release_date,
                )
            )
            left -= part
    if left:
        total = format_pence(sum(committed.values()))
        raise PlanProblems(
            [("amount", f"The committee committed {total}; a release cannot be more than that")]
        )
    try:
        entries = post_many(version.plan.programme, specs, user)
    except LedgerRefused as exc:
        raise PlanProblems([("amount", r) for r in exc.reasons]) from None
    release = Release.objects.create(
        version=version,
        mou_reference=mou_reference.strip(),
        payee=pcn.payee.name,
        amount_pence=amount_pence,
        release_date=release_date,
        by=user,
    )
    release.ledger_entries.set(entries)
    version.state = workflow.FUNDS_RELEASED
    version.save(update_fields=["state", "updated_at"])
    _supersede(version, user)
    record(
        user,
        "plan.release",
        version,
        {"state": workflow.COMMITTEE_APPROVED},
        {"state": version.state, "released_pence": amount_pence, "mou": mou_reference.strip()},
    )
    notify.queue(version, "release", user, mou_reference.strip())
    return release
