"""Progress reviews: drafts, submission rules, reported spend in the ledger exactly once, revisions."""

import pytest

from pcndev.audit.models import AuditEvent
from pcndev.delivery.review_models import InitiativeUpdate, ProgressReview
from pcndev.delivery.reviewing import StaleReview, review_for, save_review, submit_review
from pcndev.delivery.spend import reported_spend
from pcndev.funding.ledger import balances_by
from pcndev.funding.models import LedgerEntry
from pcndev.plans import workflow
from pcndev.plans.editing import NotAllowed, PlanProblems
from tests.delivery.review_builders import DEC, NOV, OCT, delivered_plan, record_review, review_data, update
from tests.plans.builders import funded_world


@pytest.fixture
def w(db):
    return funded_world()


def _spend_entries(w):
    return list(LedgerEntry.objects.filter(programme=w.programme, kind="spend").order_by("pk"))


def test_reading_a_review_writes_nothing(w):
    version = delivered_plan(w)
    review = review_for(version.plan, OCT)
    assert review.pk is None and review.version == version
    assert not ProgressReview.objects.exists()


def test_a_draft_saves_whatever_is_there_and_submission_reports_every_problem(w):
    version = delivered_plan(w)
    first, second = version.initiatives.order_by("position")
    data = review_data(
        version, {0: update(rag="amber"), 1: update(status="completed", rag="red")}, meeting=None
    )
    data.cd_attended = data.place_lead_attended = False
    saved = save_review(version.plan, OCT, 0, w.cd, data)
    assert saved.state == "draft" and InitiativeUpdate.objects.filter(review=saved).count() == 2
    with pytest.raises(PlanProblems) as exc:
        submit_review(version.plan, OCT, saved.lock_version, w.cd)
    messages = dict(exc.value.problems)
    assert messages["meeting_date"] == "Enter the date of the review meeting"
    assert "attendees" in messages
    assert messages[f"i-{first.pk}-reason"] == "Initiative 1: say why it is amber"
    assert "cannot be red" in messages[f"i-{second.pk}-rag"]
    assert ProgressReview.objects.get(pk=saved.pk).state == "draft"  # the draft is kept
    assert not _spend_entries(w)


def test_rag_changes_need_a_reason_and_are_compared_with_the_last_review(w):
    version = delivered_plan(w)
    first = version.initiatives.order_by("position").first()
    record_review(w, version, OCT, updates={0: update(rag="amber", reason="Provider not yet found")})
    with pytest.raises(PlanProblems) as exc:
        record_review(w, version, NOV, updates={0: update(rag="green")})
    assert (
        dict(exc.value.problems)[f"i-{first.pk}-reason"]
        == "Initiative 1: say why it moved from amber to green"
    )
    review = ProgressReview.objects.get(due=NOV)
    assert review.state == "draft"
    save_review(
        version.plan,
        NOV,
        review.lock_version,
        w.cd,
        review_data(version, {0: update(rag="green", reason="Provider booked")}),
    )
    submitted = submit_review(version.plan, NOV, ProgressReview.objects.get(due=NOV).lock_version, w.cd)
    assert submitted.state == "submitted"
    assert InitiativeUpdate.objects.get(review=submitted, initiative=first).rag == "green"


def test_reported_spend_reaches_the_ledger_exactly_once_as_increases(w):
    version = delivered_plan(w)
    first, second = version.initiatives.order_by("position")
    record_review(w, version, OCT, updates={0: update(spend=2_000_00)})
    record_review(w, version, NOV, updates={0: update(spend=3_500_00), 1: update(spend=1_000_00)})
    record_review(w, version, DEC, updates={0: update(spend=3_500_00), 1: update(spend=1_000_00)})
    amounts = [e.amount_pence for e in _spend_entries(w)]
    assert amounts == [2_000_00, 1_500_00, 1_000_00]
    assert balances_by(w.programme, "pcn", [w.pcn.pk])[w.pcn.pk].spent == 4_500_00
    assert reported_spend([first.pk, second.pk]) == {first.pk: 3_500_00, second.pk: 1_000_00}
    linked = InitiativeUpdate.objects.filter(spend_entry__isnull=False).count()
    assert linked == 3
    with pytest.raises(NotAllowed):  # a submitted review cannot be submitted (or posted) again
        submit_review(version.plan, DEC, ProgressReview.objects.get(due=DEC).lock_version, w.cd)
    assert len(_spend_entries(w)) == 3


def test_spend_cannot_go_down_or_pass_what_was_released(w):
    version = delivered_plan(w, release=5_000_00)
    first = version.initiatives.order_by("position").first()
    record_review(w, version, OCT, updates={0: update(spend=2_000_00)})
    with pytest.raises(PlanProblems) as exc:
        record_review(w, version, NOV, updates={0: update(spend=1_000_00)})
    assert "cannot go down" in dict(exc.value.problems)[f"i-{first.pk}-spend"]
    ProgressReview.objects.filter(due=NOV).delete()
    with pytest.raises(PlanProblems) as exc:
        record_review(w, version, NOV, updates={0: update(spend=9_000_00)})
    assert any("Spend to date" in m for _, m in exc.value.problems)
    assert [e.amount_pence for e in _spend_entries(w)] == [2_000_00]


def test_a_stale_save_is_refused_and_names_who_saved(w):
    version = delivered_plan(w)
    save_review(version.plan, OCT, 0, w.cd, review_data(version))
    with pytest.raises(StaleReview) as exc:
        save_review(version.plan, OCT, 0, w.place_lead, review_data(version, actions="Changed"))
    assert exc.value.message.startswith(f"This review was changed by {w.cd} on ")
    assert ProgressReview.objects.get(due=OCT).actions == "Meet again next month"


def test_only_the_cd_and_place_lead_record_reviews_and_only_once_funds_are_released(w):
    version = delivered_plan(w)
    for user in (w.viewer, w.other_cd, w.system_lead):
        with pytest.raises(NotAllowed) as exc:
            save_review(version.plan, OCT, 0, user, review_data(version))
        assert "Only a clinical director" in exc.value.reason
    record_review(w, version, OCT, user=w.place_lead)
    with pytest.raises(PlanProblems):
        save_review(version.plan, OCT.replace(day=30), 0, w.cd, review_data(version))  # not a scheduled date


def test_additional_support_opens_a_revision_and_keeps_the_approved_version_intact(w):
    version = delivered_plan(w)
    before = list(version.initiatives.values_list("pk", "title", "cost_pence"))
    review = record_review(w, version, OCT, support="Extra population health analytics support")
    revision = review.revision
    assert revision.number == 2 and revision.state == workflow.DRAFT and revision.revises_id == version.pk
    version.refresh_from_db()
    assert version.state == workflow.IN_DELIVERY
    assert list(version.initiatives.values_list("pk", "title", "cost_pence")) == before
    copies = list(revision.initiatives.order_by("position"))
    assert [c.previous_id for c in copies] == [pk for pk, _, _ in before]
    assert all(c.measures.count() == 1 for c in copies)
    assert AuditEvent.objects.filter(action="plan.revision_started").count() == 1
    # A second review naming more support reuses the open revision.
    assert record_review(w, version, NOV, support="Still needed").revision == revision


def test_a_revision_needs_agreement_again_and_the_committee_commits_only_the_increase(w):
    import datetime

    from pcndev.plans.editing import save_initiative
    from pcndev.plans.models import PlanVersion
    from pcndev.plans.revising import changes_since_revised
    from pcndev.plans.transitions import record_committee_decision, release_funds, transition
    from tests.delivery.review_builders import agree
    from tests.plans.builders import initiative_data

    version = delivered_plan(w)
    record_review(w, version, OCT, updates={0: update(spend=4_000_00)})
    revision = record_review(
        w, version, NOV, updates={0: update(spend=4_000_00)}, support="Add MDT facilitation"
    ).revision
    save_initiative(
        revision, revision.lock_version, w.cd, initiative_data(3_000_00, title="MDT facilitation")
    )
    revision.refresh_from_db()
    changes = {c.title: c.kind for c in changes_since_revised(revision)}
    assert changes == {"Initiative 1": "unchanged", "Initiative 2": "unchanged", "MDT facilitation": "added"}
    with pytest.raises(NotAllowed):  # not agreed yet: the committee cannot approve it
        record_committee_decision(
            w.place_lead,
            w.pcn.place,
            w.programme,
            [revision],
            "PCCC",
            datetime.date(2019, 12, 5),
            "PCCC/19/9",
        )
    agree(w, revision)
    committed_before = balances_by(w.programme, "pcn", [w.pcn.pk])[w.pcn.pk].committed
    decision = record_committee_decision(
        w.place_lead, w.pcn.place, w.programme, [revision], "PCCC", datetime.date(2019, 12, 5), "PCCC/19/9"
    )
    assert decision.approved_pence == 3_000_00
    assert balances_by(w.programme, "pcn", [w.pcn.pk])[w.pcn.pk].committed == committed_before + 3_000_00
    assert (
        PlanVersion.objects.get(pk=version.pk).state == workflow.IN_DELIVERY
    )  # still delivered until release
    release_funds(
        w.place_lead,
        PlanVersion.objects.get(pk=revision.pk),
        3_000_00,
        "MOU-2019-002",
        datetime.date(2019, 12, 6),
    )
    assert PlanVersion.objects.get(pk=version.pk).state == workflow.SUPERSEDED
    assert transition(revision, "start_delivery", w.cd).state == workflow.IN_DELIVERY
    # The next review is of the revision, and spend to date carries over from the original initiatives.
    dec = record_review(w, PlanVersion.objects.get(pk=revision.pk), DEC, updates={0: update(spend=4_500_00)})
    assert dec.version_id == revision.pk
    assert [e.amount_pence for e in _spend_entries(w)] == [4_000_00, 500_00]


def test_a_revision_that_costs_no_more_is_delivered_with_the_money_already_released(w):
    import datetime

    from pcndev.plans.models import PlanVersion
    from pcndev.plans.transitions import record_committee_decision
    from tests.delivery.review_builders import agree

    version = delivered_plan(w)
    revision = record_review(w, version, OCT, support="Change the provider").revision
    agree(w, revision)
    decision = record_committee_decision(
        w.place_lead, w.pcn.place, w.programme, [revision], "PCCC", datetime.date(2019, 11, 5), "PCCC/19/8"
    )
    assert decision.approved_pence == 0
    assert PlanVersion.objects.get(pk=revision.pk).state == workflow.FUNDS_RELEASED
    assert PlanVersion.objects.get(pk=version.pk).state == workflow.SUPERSEDED
