"""What `pcndev scale-data` builds: checked on a sample of the national files (see conftest)."""

from collections import Counter, defaultdict

import pytest
from django.db.models import Count, Sum
from django.test import Client

from pcndev.accounts.models import Role, User
from pcndev.audit.models import AuditEvent
from pcndev.delivery.review_models import InitiativeUpdate, ProgressReview
from pcndev.funding.ledger import balances_by
from pcndev.funding.models import AllocationRun, LedgerEntry, Programme
from pcndev.maturity.models import AssessmentRound, ConsensusRating, PCNAssessment, Rating, Response
from pcndev.orgs.models import PCN, ClinicalDirector, PracticeMembership
from pcndev.plans.budget import budget_for
from pcndev.plans.eligibility import evaluate
from pcndev.plans.models import Initiative, PlanVersion, SupportPlan
from tests.scale.conftest import AUDIT_ROWS

pytestmark = pytest.mark.django_db


def test_a_programme_allocated_nationally(scaled):
    programme = Programme.objects.get()
    assert programme.national_total_pence == 4_350_000_000 and programme.financial_year == 2019
    run = AllocationRun.objects.get(programme=programme)
    assert run.scope == "national" and run.total_pence == 4_350_000_000
    allocated = LedgerEntry.objects.filter(kind="allocation").aggregate(t=Sum("amount_pence"))["t"]
    assert allocated == run.lines.filter(level="pcn").aggregate(t=Sum("total_pence"))["t"] > 0
    assert set(LedgerEntry.objects.filter(kind="allocation").values_list("pcn_id", flat=True)) == set(
        PCN.objects.values_list("id", flat=True)
    )


def test_every_practice_rates_every_element_in_september(scaled):
    rnd = AssessmentRound.objects.get()
    assert rnd.opens_on.month == 9 and rnd.template.elements.count() == 20
    members = set(PracticeMembership.objects.current().values_list("practice_id", flat=True))
    rated = set(
        Response.objects.filter(assessment__round=rnd, practice__isnull=False).values_list(
            "practice_id", flat=True
        )
    )
    assert rated == members
    per_response = Counter(Rating.objects.values_list("response_id", flat=True))
    submitted = Response.objects.filter(status="submitted")
    assert (
        submitted.count() > 0.5 * Response.objects.count()
    )  # most practices have submitted (a small sample)
    assert all(per_response[r] == 20 for r in submitted.values_list("id", flat=True))
    assert all(0 < per_response[r] <= 20 for r in Response.objects.values_list("id", flat=True))
    for rating in Rating.objects.all()[:500]:
        assert rating.target_stage >= rating.current_stage


def test_submitted_assessments_have_a_consensus_priority_and_needs(scaled):
    assessments = PCNAssessment.objects.annotate(
        n=Count("consensus", distinct=True), needs_n=Count("needs", distinct=True)
    )
    assert assessments.count() == PCN.objects.count()
    submitted = [a for a in assessments if a.status == "submitted"]
    assert len(submitted) > 0.5 * len(assessments)  # most PCNs have submitted (a small sample)
    for a in submitted:
        assert a.n == 20 and a.improvement_priority and a.submitted_at.month == 9
        gaps = ConsensusRating.objects.filter(assessment=a).values_list("current_stage", "target_stage")
        assert a.needs_n == sum(1 for c, t in gaps if t > c)


def test_a_plan_per_pcn_with_five_to_ten_initiatives_and_measures(scaled):
    submitted = set(PCNAssessment.objects.filter(status="submitted").values_list("pcn_id", flat=True))
    planned = set(SupportPlan.objects.values_list("pcn_id", flat=True))
    assert submitted <= planned
    counts = Counter(Initiative.objects.filter(version__number=1).values_list("version_id", flat=True))
    assert set(PlanVersion.objects.filter(number=1).values_list("id", flat=True)) == set(counts)
    assert all(5 <= n <= 10 for n in counts.values())
    assert not Initiative.objects.annotate(m=Count("measures")).filter(m=0).exists()
    for initiative in Initiative.objects.all()[:300]:
        assert not evaluate(initiative.answers()).blocked


def test_plan_states_are_mostly_delivering_and_none_is_over_budget(scaled):
    states = Counter(PlanVersion.objects.filter(number=1).values_list("state", flat=True))
    delivering = states["in_delivery"] + states["funds_released"] + states["closed"]
    assert delivering >= 0.5 * sum(states.values())
    for version in PlanVersion.objects.select_related("plan__programme", "plan__pcn"):
        assert not budget_for(version).problems(), version
    for v in PlanVersion.objects.filter(state__in=("funds_released", "in_delivery", "closed")):
        assert v.approval.amount_pence == sum(r.amount_pence for r in v.releases.all())
        assert v.signoffs.filter(decision="agree").count() == 2


def test_the_ledger_keeps_its_rules_for_every_pcn(scaled):
    for pcn_id, b in balances_by(Programme.objects.get(), "pcn").items():
        assert 0 <= b.committed <= b.funds, pcn_id
        assert b.released <= b.committed and b.spent + b.returned <= b.released, pcn_id


def test_a_year_of_monthly_reviews_with_an_update_per_initiative(scaled):
    delivering = PlanVersion.objects.filter(state__in=("funds_released", "in_delivery", "closed"))
    assert ProgressReview.objects.filter(plan__versions__in=delivering).exists()
    dues = {d.month for d in ProgressReview.objects.values_list("due", flat=True)}
    assert dues <= {10, 11, 12, 1, 2, 3} and {1, 2, 3} <= dues
    for review in ProgressReview.objects.annotate(n=Count("updates")).select_related("version"):
        assert review.n == review.version.initiatives.count()
        assert review.due >= review.version.releases.get().release_date
    for v in delivering.filter(state="closed"):
        assert (
            ProgressReview.objects.filter(version=v, state="submitted").count()
            == ProgressReview.objects.filter(version=v).count()
        )


def test_spend_in_the_ledger_equals_the_spend_reviews_report(scaled):
    latest: dict[int, tuple] = {}
    updates = InitiativeUpdate.objects.filter(review__state="submitted").exclude(
        initiative__funding_source="existing"
    )
    for iid, due, spend, pcn, source in updates.values_list(
        "initiative_id",
        "review__due",
        "spend_to_date_pence",
        "review__plan__pcn_id",
        "initiative__funding_source",
    ):
        if iid not in latest or due > latest[iid][0]:
            latest[iid] = (due, spend, pcn, "national" if source == "programme" else "local")
    reported: dict[tuple, int] = defaultdict(int)
    for _due, spend, pcn, fund in latest.values():
        reported[(pcn, fund)] += spend
    ledger = {
        (r["pcn_id"], r["fund"]): r["t"]
        for r in LedgerEntry.objects.filter(kind="spend")
        .values("pcn_id", "fund")
        .annotate(t=Sum("amount_pence"))
    }
    assert sum(ledger.values()) > 0
    assert ledger == {k: v for k, v in reported.items() if v}
    linked = InitiativeUpdate.objects.filter(spend_entry__isnull=False)
    assert linked.count() == LedgerEntry.objects.filter(kind="spend").count()
    assert not InitiativeUpdate.objects.filter(review__state="draft", spend_entry__isnull=False).exists()


def test_people_hold_roles_at_every_level(scaled):
    assert User.objects.filter(role_memberships__role=Role.NATIONAL_ADMIN).exists()
    assert not any(u.has_usable_password() for u in User.objects.all()[:50])
    assert ClinicalDirector.objects.values("pcn").distinct().count() == PCN.objects.count()
    cds = set(User.objects.filter(role_memberships__role=Role.PCN_CD).values_list("id", flat=True))
    assert set(ClinicalDirector.objects.values_list("user_id", flat=True)) == cds
    assert PCN.objects.filter(payee__isnull=True).count() == 0


def test_an_audit_trail_of_the_year_up_to_the_target(scaled):
    assert scaled.counts["audit_events"] == AuditEvent.objects.count()
    assert AUDIT_ROWS <= AuditEvent.objects.count() <= AUDIT_ROWS * 1.01
    actions = Counter(AuditEvent.objects.values_list("action", flat=True))
    for action in (
        "role.granted",
        "maturity.ratings_saved",
        "maturity.submit_assessment",
        "plan.submit",
        "plan.approve",
        "plan.release",
        "ledger.spend",
        "review.submitted",
        "allocation.saved",
    ):
        assert actions[action] > 0, action
    assert actions["ledger.spend"] == LedgerEntry.objects.filter(kind="spend").count()
    submitted = AuditEvent.objects.filter(action="review.submitted").order_by("id").first()
    assert ProgressReview.objects.get(pk=submitted.object_id).state == "submitted"
    assert AuditEvent.objects.filter(at__year=2019).count() > AuditEvent.objects.count() // 2


def test_the_key_pages_render_for_a_national_admin(scaled):
    programme, rnd = Programme.objects.get(), AssessmentRound.objects.get()
    client = Client()
    client.force_login(User.objects.filter(role_memberships__role=Role.NATIONAL_ADMIN).first())
    for url in (
        f"/plans/programmes/{programme.pk}/",
        f"/funding/{programme.pk}/ledger/",
        f"/funding/{programme.pk}/runs/{AllocationRun.objects.get().pk}/",
        f"/self-assessment/rounds/{rnd.pk}/heatmap/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_year_happens_in_order(scaled):
    from pcndev.plans.models import CommitteeApproval

    for approval in CommitteeApproval.objects.select_related("decision", "version"):
        place_signoff = approval.version.signoffs.get(party="place")
        assert place_signoff.at.date() < approval.decision.meeting_date, approval.version
        for release in approval.version.releases.all():
            assert approval.decision.meeting_date < release.release_date
    for review in ProgressReview.objects.filter(state="submitted"):
        assert review.submitted_at.date() <= review.due
