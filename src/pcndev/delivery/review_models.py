"""Progress reviews (October–March): a PCN's review of its plan in force, one per due date, with an update per
initiative (status, RAG with a reason, spend to date, evidence, actuals against output measures) and the
meeting record. CD development plans get the same reviews. States change only through delivery.reviewing.

Money is integer pence. Spend to date is cumulative; its increase on submission is posted to the ledger once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from pcndev.delivery import rag
from pcndev.funding.models import LedgerEntry, Programme
from pcndev.maturity.models import Area
from pcndev.plans.models import (
    CDDevelopmentItem,
    CDDevelopmentPlan,
    Initiative,
    OutputMeasure,
    PlanVersion,
    SupportPlan,
)

USER = settings.AUTH_USER_MODEL
STATE_CHOICES = [("draft", "Draft"), ("submitted", "Submitted")]
STATUS_CHOICES = list(rag.STATUSES.items())
RAG_CHOICES = [("", "Not rated"), *rag.RAGS.items()]


class ReviewSchedule(models.Model):
    """A programme's review dates: every `every_months` months from `first_due` to `last_due` (month ends)."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="review_schedule")
    first_due = models.DateField()
    last_due = models.DateField()
    every_months = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(last_due__gte=models.F("first_due")), name="reviews_end_after"
            ),
            models.CheckConstraint(
                condition=Q(every_months__gte=1, every_months__lte=6), name="reviews_every_1_to_6_months"
            ),
        ]

    def __str__(self) -> str:
        return f"Reviews for {self.programme}: every {self.every_months} month(s)"


class ReviewBase(models.Model):
    due = models.DateField()
    state = models.CharField(max_length=9, choices=STATE_CHOICES, default="draft")
    meeting_date = models.DateField(null=True, blank=True)
    cd_attended = models.BooleanField(default=False)
    place_lead_attended = models.BooleanField(default=False)
    other_attendees = models.TextField(blank=True)
    additional_support = models.TextField(
        blank=True,
        help_text="Areas identified for additional support; submitting with these opens a revision",
    )
    actions = models.TextField(blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True

    @property
    def submitted(self) -> bool:
        return self.state == "submitted"


class ProgressReview(ReviewBase):
    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="reviews")
    support_areas = models.ManyToManyField(Area, blank=True, related_name="+")
    revision = models.ForeignKey(
        PlanVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opened_by_reviews",
        help_text="The revised plan version this review opened",
    )

    class Meta:
        ordering = ["plan", "due"]
        constraints = [models.UniqueConstraint(fields=["plan", "due"], name="one_review_per_plan_and_date")]
        indexes = [models.Index(fields=["state", "due"])]

    def __str__(self) -> str:
        return f"{self.plan.pcn} review due {self.due:%-d %B %Y}"


class UpdateBase(models.Model):
    status = models.CharField(max_length=11, choices=STATUS_CHOICES, default="not_started")
    rag = models.CharField(max_length=5, choices=RAG_CHOICES, blank=True, default="")
    rag_reason = models.TextField(blank=True)
    spend_to_date_pence = models.BigIntegerField(default=0)
    evidence = models.TextField(blank=True)

    class Meta:
        abstract = True


class InitiativeUpdate(UpdateBase):
    review = models.ForeignKey(ProgressReview, on_delete=models.CASCADE, related_name="updates")
    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="updates")
    spend_entry = models.OneToOneField(
        LedgerEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_update",
        help_text="The ledger spend posted for this update's increase in spend to date",
    )

    class Meta:
        ordering = ["review", "initiative__position", "initiative_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "initiative"], name="one_update_per_initiative"),
            models.CheckConstraint(condition=Q(spend_to_date_pence__gte=0), name="update_spend_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.get_rag_display()}"


class MeasureActual(models.Model):
    update = models.ForeignKey(InitiativeUpdate, on_delete=models.CASCADE, related_name="actuals")
    measure = models.ForeignKey(OutputMeasure, on_delete=models.PROTECT, related_name="actuals")
    actual = models.CharField(max_length=200, blank=True)
    achieved = models.CharField(max_length=7, choices=list(rag.ACHIEVED.items()), blank=True, default="")

    class Meta:
        ordering = ["update", "measure__position", "measure_id"]
        constraints = [models.UniqueConstraint(fields=["update", "measure"], name="one_actual_per_measure")]

    def __str__(self) -> str:
        return f"{self.measure}: {self.actual}"


class CDPlanReview(ReviewBase):
    cd_plan = models.ForeignKey(CDDevelopmentPlan, on_delete=models.PROTECT, related_name="reviews")
    progress = models.TextField(blank=True)
    agreed_items = models.JSONField(
        default=list,
        blank=True,
        help_text="The agreed items when a revision was opened, to show the difference",
    )
    opened_revision = models.BooleanField(default=False)

    class Meta:
        ordering = ["cd_plan", "due"]
        constraints = [
            models.UniqueConstraint(fields=["cd_plan", "due"], name="one_review_per_cd_plan_and_date")
        ]

    def __str__(self) -> str:
        return f"{self.cd_plan} review due {self.due:%-d %B %Y}"


class CDItemUpdate(UpdateBase):
    review = models.ForeignKey(CDPlanReview, on_delete=models.CASCADE, related_name="updates")
    item = models.ForeignKey(CDDevelopmentItem, on_delete=models.PROTECT, related_name="updates")

    class Meta:
        ordering = ["review", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="one_update_per_cd_item"),
            models.CheckConstraint(
                condition=Q(spend_to_date_pence__gte=0), name="cd_update_spend_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_rag_display()}"
