"""Support plans (one per PCN per programme, in versions), initiatives with output measures and eligibility
answers, sign-offs, eligibility overrides, committee decisions and releases, and CD development plans.

Money is integer pence. A version's state changes only through plans.transitions.transition().
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from pcndev.funding.models import LedgerEntry, Programme, ProgrammePriority
from pcndev.maturity.models import Area, DevelopmentNeed, Element, PCNAssessment, Tag
from pcndev.orgs.models import PCN, ClinicalDirector, Place
from pcndev.plans import eligibility, workflow

USER = settings.AUTH_USER_MODEL


class SupportPlan(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="plans")
    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="plans")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "pcn__name"]
        constraints = [models.UniqueConstraint(fields=["programme", "pcn"], name="one_plan_per_pcn")]

    def __str__(self) -> str:
        return f"{self.pcn} support plan {self.programme.year_label}"


class PlanVersion(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=20, choices=list(workflow.STATES.items()), default=workflow.DRAFT)
    improvement_priority = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    assessment = models.ForeignKey(
        PCNAssessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_versions"
    )
    needs = models.ManyToManyField(DevelopmentNeed, blank=True, related_name="plan_versions")
    revises = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )
    lock_version = models.PositiveIntegerField(
        default=0, help_text="Bumped on every save, for optimistic locking"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_version_number"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(state__in=workflow.EDITABLE),
                name="at_most_one_draft_per_plan",
            ),
        ]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.plan.pcn} plan version {self.number}"

    @property
    def editable(self) -> bool:
        return self.state in workflow.EDITABLE


class Initiative(models.Model):
    class Provider(models.TextChoices):
        NHS_FAMILY = "nhs_family", "NHS 'family' body (leadership academy, CSU or trust)"
        FEDERATION = "federation", "GP federation"
        INDEPENDENT = "independent", "Independent provider"

    class Source(models.TextChoices):
        EXISTING = "existing", "Existing funds (used first)"
        PROGRAMME = "programme", "This programme's development money"
        TOP_UP = "top_up", "A local top-up"

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="initiatives")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    elements = models.ManyToManyField(Element, blank=True, related_name="+")
    domain = models.ForeignKey(
        ProgrammePriority, null=True, blank=True, on_delete=models.PROTECT, related_name="domain_initiatives"
    )
    priorities = models.ManyToManyField(ProgrammePriority, blank=True, related_name="priority_initiatives")
    tag = models.CharField(max_length=8, choices=Tag.choices, default=Tag.INTERNAL)
    support_required = models.TextField(blank=True)
    provider_type = models.CharField(max_length=12, choices=Provider.choices, default=Provider.NHS_FAMILY)
    funding_source = models.CharField(max_length=10, choices=Source.choices, default=Source.PROGRAMME)
    cost_pence = models.BigIntegerField(default=0)
    start_month = models.DateField(null=True, blank=True, help_text="First day of the month it starts")
    end_month = models.DateField(null=True, blank=True, help_text="First day of the month it ends")
    # Eligibility answers
    category = models.CharField(
        max_length=16, choices=list(eligibility.CATEGORIES.items()), default="development"
    )
    already_funded = models.BooleanField(default=False)
    in_contract = models.BooleanField(default=False)
    pcn_related = models.BooleanField(default=True)
    transformation = models.BooleanField(default=True)
    existing_funds_checked = models.BooleanField(default=False)
    carried_forward_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_forward_to"
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_versions",
        help_text="The same initiative in the plan version this one revises (spend to date carries over)",
    )

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(cost_pence__gte=0), name="initiative_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True)
                | Q(start_month__isnull=True)
                | Q(end_month__gte=models.F("start_month")),
                name="initiative_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def answers(self) -> eligibility.Answers:
        return eligibility.Answers(
            self.category,
            self.already_funded,
            self.in_contract,
            self.pcn_related,
            self.transformation,
            self.existing_funds_checked,
            self.funding_source,
        )

    @property
    def draws_on_programme(self) -> bool:
        return self.funding_source != self.Source.EXISTING


class OutputMeasure(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="measures")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=300)
    target = models.CharField(max_length=200)
    due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["initiative", "position", "id"]

    def __str__(self) -> str:
        return self.description


class EligibilityOverride(models.Model):
    """A place lead's recorded decision to allow a blocked initiative, with the justification."""

    initiative = models.OneToOneField(Initiative, on_delete=models.CASCADE, related_name="override")
    justification = models.TextField()
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Override for {self.initiative}"


class SignOff(models.Model):
    class Party(models.TextChoices):
        CD = "cd", "PCN clinical director"
        PLACE = "place", "Place lead"
        SYSTEM = "system", "System lead"

    class Decision(models.TextChoices):
        PENDING = "", "Waiting"
        AGREE = "agree", "Agreed"
        DECLINE = "decline", "Declined"

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="signoffs")
    party = models.CharField(max_length=6, choices=Party.choices)
    decision = models.CharField(max_length=7, choices=Decision.choices, blank=True, default="")
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "party"]
        constraints = [models.UniqueConstraint(fields=["version", "party"], name="one_signoff_per_party")]

    def __str__(self) -> str:
        return f"{self.get_party_display()}: {self.get_decision_display()}"


class CommitteeDecision(models.Model):
    """One committee meeting's approval of a batch of agreed plans (e.g. Kingston's PCCC)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="committee_decisions")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="committee_decisions")
    committee = models.CharField(max_length=200)
    meeting_date = models.DateField()
    minute_reference = models.CharField(max_length=100)
    approved_pence = models.BigIntegerField()
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-meeting_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(approved_pence__gte=0), name="approved_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.meeting_date} ({self.minute_reference})"


class CommitteeApproval(models.Model):
    decision = models.ForeignKey(CommitteeDecision, on_delete=models.PROTECT, related_name="approvals")
    version = models.OneToOneField(PlanVersion, on_delete=models.PROTECT, related_name="approval")
    amount_pence = models.BigIntegerField()
    ledger_entries = models.ManyToManyField(LedgerEntry, related_name="+")

    def __str__(self) -> str:
        return f"{self.version} approved at {self.decision}"


class Release(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="releases")
    mou_reference = models.CharField(max_length=100)
    payee = models.CharField(max_length=200)
    amount_pence = models.BigIntegerField()
    release_date = models.DateField()
    ledger_entries = models.ManyToManyField(LedgerEntry, related_name="+")
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.mou_reference}: {self.amount_pence}"


class CDDevelopmentPlan(models.Model):
    """A clinical director's own development plan (or a place's collective CD plan), drawn on the CD slice."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AGREED = "agreed", "Agreed"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cd_plans")
    pcn = models.ForeignKey(PCN, null=True, blank=True, on_delete=models.PROTECT, related_name="cd_plans")
    director = models.ForeignKey(
        ClinicalDirector, null=True, blank=True, on_delete=models.PROTECT, related_name="development_plans"
    )
    place = models.ForeignKey(
        Place,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collective_cd_plans",
        help_text="Set for a place's collective CD development plan",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    needs = models.TextField(
        blank=True, help_text="The CD's individual (or the place's collective) development needs"
    )
    revision = models.PositiveSmallIntegerField(
        default=1, help_text="Goes up when a review identifies additional support and the plan is revised"
    )
    lock_version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "pcn__name", "director__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "director"],
                condition=Q(director__isnull=False),
                name="one_cd_plan_per_director",
            ),
            models.UniqueConstraint(
                fields=["programme", "place"],
                condition=Q(place__isnull=False),
                name="one_collective_plan_per_place",
            ),
            models.CheckConstraint(
                condition=Q(director__isnull=False, place__isnull=True)
                | Q(director__isnull=True, place__isnull=False),
                name="cd_plan_for_a_director_or_a_place",
            ),
        ]

    def __str__(self) -> str:
        return f"CD development plan: {self.director or self.place}"


class CDDevelopmentItem(models.Model):
    class Kind(models.TextChoices):
        COACHING = "coaching", "Coaching"
        LEADERSHIP = "leadership", "Leadership programme"
        BACKFILL = "backfill", "Backfill"
        OTHER = "other", "Other development"

    plan = models.ForeignKey(CDDevelopmentPlan, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=300)
    cost_pence = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["plan", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(cost_pence__gte=0), name="cd_item_cost_not_negative")
        ]

    def __str__(self) -> str:
        return self.description
