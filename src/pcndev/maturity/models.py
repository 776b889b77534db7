"""Maturity matrix templates (versioned), assessment rounds, practice ratings, PCN consensus and needs.

Stages are stored as 0-based positions in the template's stage list. Money is integer pence.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from pcndev.orgs.models import PCN, Place, Practice, System


class TemplateInUse(ValueError):
    pass


class Tag(models.TextChoices):
    INTERNAL = "internal", "Internal (practices working together)"
    EXTERNAL = "external", "External (partners and the wider system)"


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class MatrixTemplate(models.Model):
    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="unique_template_version")]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    @property
    def in_use(self) -> bool:
        return self.rounds.exists()


class TemplatePart(models.Model):
    """Parts of a template version that a round uses: they cannot change once any round uses it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if AssessmentRound.objects.filter(template_id=self._template_id()).exists():
            raise TemplateInUse("This template version is used by an assessment round; make a new version")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if AssessmentRound.objects.filter(template_id=self._template_id()).exists():
            raise TemplateInUse("This template version is used by an assessment round; make a new version")
        return super().delete(*args, **kwargs)

    def _template_id(self) -> int:
        return self.template_id


class Stage(TemplatePart):
    template = models.ForeignKey(MatrixTemplate, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=40)

    class Meta:
        ordering = ["template", "position"]
        constraints = [models.UniqueConstraint(fields=["template", "position"], name="unique_stage_position")]

    def __str__(self) -> str:
        return self.name


class Area(TemplatePart):
    template = models.ForeignKey(MatrixTemplate, on_delete=models.CASCADE, related_name="areas")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    tag = models.CharField(max_length=8, choices=Tag.choices, default=Tag.INTERNAL)

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="unique_area_position"),
            models.UniqueConstraint(fields=["template", "code"], name="unique_area_code"),
        ]

    def __str__(self) -> str:
        return self.title


class Element(TemplatePart):
    template = models.ForeignKey(MatrixTemplate, on_delete=models.CASCADE, related_name="elements")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="elements")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    tag = models.CharField(max_length=8, choices=Tag.choices, default=Tag.INTERNAL)
    descriptors = models.JSONField(default=list, help_text="One short descriptor per stage, in stage order")

    class Meta:
        ordering = ["template", "area__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["area", "position"], name="unique_element_position"),
            models.UniqueConstraint(fields=["template", "code"], name="unique_element_code"),
        ]

    def __str__(self) -> str:
        return self.title


class AssessmentRound(models.Model):
    """A self-assessment window for the PCNs in scope: all of England, one system or one place."""

    name = models.CharField(max_length=200)
    template = models.ForeignKey(MatrixTemplate, on_delete=models.PROTECT, related_name="rounds")
    programme = models.ForeignKey(
        "funding.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="rounds"
    )
    financial_year = models.PositiveSmallIntegerField(help_text="The April it starts: 2019 means 2019/20")
    opens_on = models.DateField()
    closes_on = models.DateField()
    system = models.ForeignKey(System, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    baseline = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reassessments",
        help_text="The earlier round this one is compared with",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-financial_year", "-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="round_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(system__isnull=True) | Q(place__isnull=True), name="round_scope_one_node"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def year_label(self) -> str:
        return f"{self.financial_year}/{(self.financial_year + 1) % 100:02d}"

    @property
    def scope_label(self) -> str:
        return str(self.place or self.system or "England")

    def pcn_filter(self, prefix: str = "") -> Q:
        if self.place_id:
            return Q(**{f"{prefix}place_id": self.place_id})
        if self.system_id:
            return Q(**{f"{prefix}place__system_id": self.system_id})
        return Q()

    def pcns(self):
        return PCN.objects.filter(self.pcn_filter())


class PCNAssessment(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="assessments")
    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    improvement_priority = models.CharField(
        max_length=300, blank=True, help_text="The service-improvement priority the PCN will focus on"
    )
    priority_note = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round", "pcn__name"]
        constraints = [models.UniqueConstraint(fields=["round", "pcn"], name="one_assessment_per_pcn")]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return f"{self.pcn} – {self.round}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Response(models.Model):
    """One rater's ratings of every element: a practice's nominated lead, or a PCN clinical director."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    assessment = models.ForeignKey(PCNAssessment, on_delete=models.CASCADE, related_name="responses")
    practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.PROTECT, related_name="maturity_responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="maturity_responses"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "practice__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "practice"],
                condition=Q(practice__isnull=False),
                name="one_response_per_practice",
            ),
            models.UniqueConstraint(
                fields=["assessment", "respondent"],
                condition=Q(practice__isnull=True),
                name="one_cd_response_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practice or self.respondent} – {self.assessment}"

    @property
    def label(self) -> str:
        return self.practice.name if self.practice_id else f"{self.respondent} (clinical director)"


class RatingFields(models.Model):
    current_stage = models.PositiveSmallIntegerField(null=True, blank=True)
    target_stage = models.PositiveSmallIntegerField(null=True, blank=True)
    priority = models.CharField(max_length=6, choices=Priority.choices, blank=True)
    support_needed = models.TextField(blank=True)
    cost_pence = models.BigIntegerField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.element_id}: {self.current_stage} → {self.target_stage}"


class Rating(RatingFields):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="ratings")
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "element__area__position", "element__position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "element"], name="one_rating_per_element"),
            models.CheckConstraint(
                condition=Q(cost_pence__gte=0) | Q(cost_pence__isnull=True), name="rating_cost_not_negative"
            ),
        ]


class ConsensusRating(RatingFields):
    assessment = models.ForeignKey(PCNAssessment, on_delete=models.CASCADE, related_name="consensus")
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment", "element__area__position", "element__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "element"], name="one_consensus_per_element"),
            models.CheckConstraint(
                condition=Q(cost_pence__gte=0) | Q(cost_pence__isnull=True),
                name="consensus_cost_not_negative",
            ),
        ]


class DevelopmentNeed(models.Model):
    """A gap between where the PCN is and where it wants to be, written when the consensus is submitted."""

    assessment = models.ForeignKey(PCNAssessment, on_delete=models.CASCADE, related_name="needs")
    element = models.ForeignKey(Element, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()
    tag = models.CharField(max_length=8, choices=Tag.choices)
    current_stage = models.PositiveSmallIntegerField()
    target_stage = models.PositiveSmallIntegerField()
    gap = models.PositiveSmallIntegerField()
    priority = models.CharField(max_length=6, choices=Priority.choices, blank=True)
    support_needed = models.TextField(blank=True)
    cost_pence = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["assessment", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "element"], name="one_need_per_element"),
            models.UniqueConstraint(fields=["assessment", "rank"], name="unique_need_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.element}"
