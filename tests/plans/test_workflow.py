"""The plan workflow through the one transition service: who may do each step, the exact reason when not,
sign-off, committee commitments, releases, and concurrency."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection

from pcndev.audit.models import AuditEvent
from pcndev.funding.ledger import balances_by
from pcndev.plans import workflow
from pcndev.plans.editing import (
    NotAllowed,
    PlanProblems,
    StaleEdit,
    override_block,
    save_initiative,
    update_plan,
)
from pcndev.plans.models import PlanVersion, SignOff
from pcndev.plans.transitions import record_committee_decision, release_funds, transition
from tests.plans.builders import funded_world, initiative_data, ready_plan

MEETING = datetime.date(2019, 12, 5)


@pytest.fixture
def w(db):
    return funded_world()


def _agree(w, version):
    transition(version, "submit", w.cd)
    transition(version, "agree", w.place_lead)
    return transition(version, "agree", w.cd)


def test_the_whole_path_from_draft_to_closed(w):
    version = ready_plan(w)
    assert transition(version, "submit", w.cd).state == workflow.SUBMITTED
    assert set(SignOff.objects.filter(version=version).values_list("party", flat=True)) == {"cd", "place"}
    assert transition(version, "agree", w.place_lead).state == workflow.SUBMITTED  # waiting for the CD
    assert transition(version, "agree", w.cd).state == workflow.AGREED
    decision = record_committee_decision(
        w.place_lead, w.tree.places[0], w.programme, [version], "PCCC", MEETING, "PCCC/19/7"
    )
    version.refresh_from_db()
    assert version.state == workflow.COMMITTEE_APPROVED and decision.approved_pence == 15_000_00
    release_funds(w.place_lead, version, 15_000_00, "MOU-2019-001", datetime.date(2020, 1, 15))
    assert PlanVersion.objects.get(pk=version.pk).state == workflow.FUNDS_RELEASED
    assert transition(version, "start_delivery", w.cd).state == workflow.IN_DELIVERY
    assert transition(version, "close", w.place_lead).state == workflow.CLOSED
    actions = list(
        AuditEvent.objects.filter(object_type="plans.planversion").values_list("action", flat=True)
    )
    for action in (
        "plan.submit",
        "plan.agree",
        "plan.approve",
        "plan.release",
        "plan.start_delivery",
        "plan.close",
    ):
        assert action in actions


@pytest.mark.parametrize(
    ("state", "action", "who", "reason"),
    [
        ("draft", "submit", "place_lead", "Only the PCN's clinical director can submit for agreement."),
        ("draft", "submit", "other_cd", "Only the PCN's clinical director can submit for agreement."),
        (
            "draft",
            "agree",
            "place_lead",
            "The plan is draft; 'Agree the plan' is for plans that are submitted for agreement.",
        ),
        (
            "submitted",
            "agree",
            "viewer",
            "Waiting for the PCN's clinical director and the place lead to sign off.",
        ),
        (
            "submitted",
            "agree",
            "system_lead",
            "Waiting for the PCN's clinical director and the place lead to sign off.",
        ),
        ("submitted", "request_changes", "cd", "Only the place lead or the system lead can request changes."),
        (
            "submitted",
            "submit",
            "cd",
            "The plan is submitted for agreement; 'Submit for agreement' is for plans that are draft.",
        ),
        (
            "agreed",
            "close",
            "place_lead",
            "The plan is agreed; 'Close the plan' is for plans that are in delivery.",
        ),
        (
            "agreed",
            "start_delivery",
            "cd",
            "The plan is agreed; 'Start delivery' is for plans that are funds released.",
        ),
    ],
)
def test_every_refused_transition_says_exactly_why(w, state, action, who, reason):
    version = ready_plan(w)
    if state != "draft":
        transition(version, "submit", w.cd)
    if state == "agreed":
        transition(version, "agree", w.place_lead)
        transition(version, "agree", w.cd)
    with pytest.raises(NotAllowed) as caught:
        transition(version, action, getattr(w, who))
    assert caught.value.reason == reason
    assert PlanVersion.objects.get(pk=version.pk).state == state


def test_a_party_cannot_agree_twice_and_sees_who_is_left(w):
    version = ready_plan(w)
    transition(version, "submit", w.cd)
    transition(version, "agree", w.cd)
    with pytest.raises(NotAllowed, match="You have agreed this version. Waiting for the place lead."):
        transition(version, "agree", w.cd)


def test_a_decline_needs_a_comment_and_returns_the_plan_to_draft(w):
    version = ready_plan(w)
    transition(version, "submit", w.cd)
    with pytest.raises(PlanProblems, match="Enter a comment"):
        transition(version, "decline", w.place_lead, comment=" ")
    assert transition(version, "decline", w.place_lead, comment="Cost the away day").state == workflow.DRAFT
    signoff = SignOff.objects.get(version=version, party="place")
    assert (signoff.decision, signoff.comment, signoff.by) == ("decline", "Cost the away day", w.place_lead)
    transition(version, "submit", w.cd)  # resubmitting resets the sign-offs
    assert set(SignOff.objects.filter(version=version).values_list("decision", flat=True)) == {""}


def test_changes_requested_then_revised(w):
    version = ready_plan(w)
    transition(version, "submit", w.cd)
    assert (
        transition(version, "request_changes", w.place_lead, comment="Add output measures").state
        == "changes_requested"
    )
    assert transition(version, "revise", w.cd).state == workflow.DRAFT


def test_system_sign_off_when_the_programme_requires_it(db):
    w = funded_world(requires_system=True)
    version = ready_plan(w)
    transition(version, "submit", w.cd)
    transition(version, "agree", w.place_lead)
    assert transition(version, "agree", w.cd).state == workflow.SUBMITTED
    assert transition(version, "agree", w.system_lead).state == workflow.AGREED


def test_submission_checks_priority_measures_budget_and_eligibility(w):
    version = ready_plan(w)
    version.improvement_priority = ""
    version.save()
    save_initiative(
        version, version.lock_version, w.cd, initiative_data(1_000_000_00, title="Huge", measures=[])
    )
    version.refresh_from_db()
    save_initiative(
        version, version.lock_version, w.cd, initiative_data(1_00, title="ARRS salary", category="contract")
    )
    with pytest.raises(PlanProblems) as caught:
        transition(version, "submit", w.cd)
    messages = [m for _, m in caught.value.problems]
    assert "Name the PCN's service-improvement priority" in messages
    assert "Huge: add at least one output measure" in messages
    assert any(
        m.startswith("ARRS salary: This is already paid for through the GP contract") for m in messages
    )
    assert any(
        m == "The plan costs £1,015,001.00, which is £988,001.00 more than the £27,000.00 available"
        for m in messages
    )
    assert PlanVersion.objects.get(pk=version.pk).state == workflow.DRAFT


def test_a_blocked_initiative_goes_through_once_a_place_lead_overrides_it(w):
    version = ready_plan(w, costs=(1_000_00,))
    version.refresh_from_db()
    blocked = save_initiative(
        version, version.lock_version, w.cd, initiative_data(500_00, title="Rent", category="operating")
    )
    with pytest.raises(PlanProblems, match="A place lead must record an override first"):
        transition(version, "submit", w.cd)
    with pytest.raises(NotAllowed, match="Only the place lead"):
        override_block(blocked, w.cd, "Because")
    with pytest.raises(PlanProblems, match="Enter why"):
        override_block(blocked, w.place_lead, "")
    override_block(blocked, w.place_lead, "Room hire for the away day, agreed with the CCG")
    assert transition(version, "submit", w.cd).state == workflow.SUBMITTED
    assert AuditEvent.objects.filter(action="plan.eligibility_overridden").count() == 1


def test_the_committee_commits_exactly_the_plan_totals(w):
    version = ready_plan(w, costs=(7_000_00,))
    version.refresh_from_db()
    save_initiative(
        version, version.lock_version, w.cd, initiative_data(0, title="Existing", funding_source="existing")
    )
    _agree(w, version)
    before = balances_by(w.programme, "pcn", [w.pcn.id])[w.pcn.id]
    record_committee_decision(w.place_lead, w.tree.places[0], w.programme, [version], "PCCC", MEETING, "7")
    after = balances_by(w.programme, "pcn", [w.pcn.id])[w.pcn.id]
    assert after.committed - before.committed == 7_000_00


def test_a_release_beyond_the_commitment_is_refused(w):
    version = ready_plan(w, costs=(7_000_00,))
    _agree(w, version)
    record_committee_decision(w.place_lead, w.tree.places[0], w.programme, [version], "PCCC", MEETING, "7")
    with pytest.raises(
        PlanProblems, match="The committee committed £7,000.00; a release cannot be more than that"
    ):
        release_funds(w.place_lead, version, 7_000_01, "MOU-1", datetime.date(2020, 1, 15))
    with pytest.raises(PlanProblems, match="Enter the MOU reference"):
        release_funds(w.place_lead, version, 7_000_00, " ", datetime.date(2020, 1, 15))
    with pytest.raises(NotAllowed, match="Only the place lead can release funds to the payee."):
        release_funds(w.cd, version, 7_000_00, "MOU-1", datetime.date(2020, 1, 15))
    assert balances_by(w.programme, "pcn", [w.pcn.id])[w.pcn.id].released == 0


def test_committee_refuses_plans_that_are_not_agreed_or_not_from_its_place(w):
    version = ready_plan(w)
    with pytest.raises(NotAllowed, match="'Record the committee's approval' is for plans that are agreed"):
        record_committee_decision(
            w.place_lead, w.tree.places[0], w.programme, [version], "PCCC", MEETING, "7"
        )
    with pytest.raises(PlanProblems) as caught:
        record_committee_decision(w.place_lead, w.tree.places[0], w.programme, [], "", MEETING, "")
    assert len(caught.value.problems) == 3


def test_a_stale_edit_is_refused_with_who_changed_it_and_nothing_is_lost(w):
    version = ready_plan(w)
    loaded = version.lock_version
    update_plan(version, loaded, w.cd, "Diabetes prevention", "", [])
    with pytest.raises(StaleEdit, match="This plan was changed by Cd on"):
        update_plan(version, loaded, w.cd, "Something else", "", [])
    assert PlanVersion.objects.get(pk=version.pk).improvement_priority == "Diabetes prevention"


def test_transitions_email_the_other_parties_unless_they_opt_out(db, django_capture_on_commit_callbacks):
    w = funded_world(requires_system=True)
    version = ready_plan(w)
    w.system_lead.email_notifications = False
    w.system_lead.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transition(version, "submit", w.cd)
    assert [m.to for m in mail.outbox] == [["place@test.example"]]
    assert mail.outbox[0].subject == f"{w.pcn} support plan submitted for agreement"
    assert "It is now: Submitted for agreement." in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transition(version, "decline", w.place_lead, comment="Please cost the away day")
    assert [m.to for m in mail.outbox] == [["cd@test.example"]]
    assert "Comment: Please cost the away day" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locking race needs PostgreSQL (CI runs it there)"
)
def test_two_concurrent_transitions_give_one_success():
    w = funded_world()
    version = ready_plan(w)
    barrier, results = threading.Barrier(2), []

    def submit():
        from django.db import connection as conn

        barrier.wait()
        try:
            transition(version, "submit", w.cd)
            results.append("ok")
        except NotAllowed as exc:
            results.append(exc.reason)
        finally:
            conn.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(
        ["ok", "The plan is submitted for agreement; 'Submit for agreement' is for plans that are draft."]
    )
    assert AuditEvent.objects.filter(action="plan.submit").count() == 1
