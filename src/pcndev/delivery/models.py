"""Programme timetables (phases, with per-system and per-place overrides) and the reminders already sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from pcndev.delivery import timetable
from pcndev.funding.models import Programme
from pcndev.orgs.models import Place, System

KIND_CHOICES = list(timetable.KINDS.items())


class Phase(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["programme", "starts_on", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="one_phase_per_kind"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="phase_ends_after"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}–{self.ends_on}"


class PhaseOverride(models.Model):
    """A system's or a place's own dates for one phase (place beats system beats programme)."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="overrides")
    system = models.ForeignKey(System, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(system__isnull=False, place__isnull=True)
                | Q(system__isnull=True, place__isnull=False),
                name="override_for_a_system_or_a_place",
            ),
            models.UniqueConstraint(
                fields=["phase", "system"], condition=Q(system__isnull=False), name="one_override_per_system"
            ),
            models.UniqueConstraint(
                fields=["phase", "place"], condition=Q(place__isnull=False), name="one_override_per_place"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="override_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phase.get_kind_display()} for {self.place or self.system}"


class ReminderSent(models.Model):
    """One row per (user, reminder key, day): a second run on the same day sends nothing new."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    day = models.DateField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "day"], name="one_reminder_per_user_key_day")
        ]

    def __str__(self) -> str:
        return f"{self.key} to {self.user_id} on {self.day}"


from pcndev.delivery.review_models import (  # noqa: E402,F401  (one models module for the app)
    CDItemUpdate,
    CDPlanReview,
    InitiativeUpdate,
    MeasureActual,
    ProgressReview,
    ReviewSchedule,
)
