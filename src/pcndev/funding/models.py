"""Development-support programmes, immutable allocation runs, local top-ups and the append-only ledger.

All money is integer pence.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from pcndev.orgs.models import PCN, Place, System


class Immutable(models.Model):
    """Rows that are written once: a change is a new row (a new run, or a reversal)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{self._meta.verbose_name} records cannot be changed; add a new one instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.verbose_name} records cannot be deleted")


class Programme(models.Model):
    class CdSplit(models.TextChoices):
        PER_PCN = "per-pcn", "Equally per PCN"
        PER_CD = "per-cd", "Per clinical director role (job shares share one amount)"
        LIST_SIZE = "list-size", "By list size"

    name = models.CharField(max_length=200)
    financial_year = models.PositiveSmallIntegerField(help_text="The April it starts: 2019 means 2019/20")
    national_total_pence = models.BigIntegerField()
    list_size_date = models.DateField()
    cd_share_bp = models.PositiveIntegerField(default=1000, help_text="CD development share in basis points")
    cd_split = models.CharField(max_length=10, choices=CdSplit.choices, default=CdSplit.PER_PCN)
    basis = models.CharField(max_length=12, default="list-size", help_text="list-size, equal or blend:N")
    requires_system_signoff = models.BooleanField(default=False)
    rolled_over_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rolled_over_to",
        help_text="The previous year's programme this one was started from (a programme rolls over once)",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-financial_year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["financial_year", "name"], name="unique_programme_per_year"),
            models.CheckConstraint(
                condition=Q(national_total_pence__gte=0), name="programme_total_not_negative"
            ),
            models.CheckConstraint(condition=Q(cd_share_bp__lte=10000), name="cd_share_at_most_100_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year_label})"

    @property
    def year_label(self) -> str:
        return f"{self.financial_year}/{(self.financial_year + 1) % 100:02d}"


class ProgrammePriority(models.Model):
    class Kind(models.TextChoices):
        DOMAIN = "domain", "Support domain"
        PRIORITY = "priority", "Priority"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="priorities")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    code = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["programme", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind", "code"], name="unique_priority_code")
        ]

    def __str__(self) -> str:
        return self.title


class AllocationRun(Immutable):
    """One stored, immutable run of the allocation engine with all its inputs. A re-run is a new version."""

    class Scope(models.TextChoices):
        NATIONAL = "national", "National"
        SYSTEM = "system", "System"
        PLACE = "place", "Place"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="runs")
    version = models.PositiveIntegerField()
    scope = models.CharField(max_length=8, choices=Scope.choices)
    scope_code = models.CharField(max_length=20, blank=True)
    total_pence = models.BigIntegerField()
    basis = models.CharField(max_length=12)
    cd_share_bp = models.PositiveIntegerField()
    cd_split = models.CharField(max_length=10)
    list_size_date = models.DateField()
    unallocated_practices = models.PositiveIntegerField(default=0)
    unallocated_patients = models.PositiveIntegerField(default=0)
    unallocated_would_draw_pence = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "scope", "scope_code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "scope", "scope_code", "version"], name="unique_run_version"
            )
        ]

    def __str__(self) -> str:
        where = self.scope_code or "England"
        return f"{self.programme} allocation v{self.version} ({where})"


class AllocationLine(Immutable):
    class Level(models.TextChoices):
        SYSTEM = "system", "System"
        PLACE = "place", "Place"
        PCN = "pcn", "PCN"

    run = models.ForeignKey(AllocationRun, on_delete=models.PROTECT, related_name="lines")
    level = models.CharField(max_length=6, choices=Level.choices)
    position = models.PositiveIntegerField()
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    parent_code = models.CharField(max_length=20, blank=True)
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(Place, null=True, on_delete=models.PROTECT, related_name="+")
    pcn = models.ForeignKey(PCN, null=True, on_delete=models.PROTECT, related_name="+")
    list_size = models.PositiveIntegerField()
    pcn_count = models.PositiveIntegerField()
    development_pence = models.BigIntegerField()
    cd_pence = models.BigIntegerField()
    total_pence = models.BigIntegerField()

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "level", "code"], name="unique_line_per_run")]

    def __str__(self) -> str:
        return f"{self.name}: {self.total_pence}p"


class TopUp(Immutable):
    """Local money a place or system adds on top of its allocation ("a floor not a ceiling")."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="top_ups")
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pcn = models.ForeignKey(PCN, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount_pence = models.BigIntegerField()
    source = models.CharField(
        max_length=200, help_text="Where the money comes from, e.g. CCG primary care budget"
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount_pence__gt=0), name="top_up_positive")]

    def __str__(self) -> str:
        return f"Top-up {self.amount_pence}p from {self.source}"


class LedgerEntry(Immutable):
    """One movement of money for a PCN in a programme. Corrections are reversals, never edits."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", "Allocation"
        TOP_UP = "top_up", "Top-up"
        COMMITMENT = "commitment", "Commitment"
        RELEASE = "release", "Release to payee"
        SPEND = "spend", "Spend reported"
        RETURN = "return", "Underspend returned"
        REVERSAL = "reversal", "Reversal"

    class Fund(models.TextChoices):
        NATIONAL = "national", "National development money"
        LOCAL = "local", "Local top-up"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="ledger")
    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    fund = models.CharField(max_length=8, choices=Fund.choices, default=Fund.NATIONAL)
    amount_pence = models.BigIntegerField()
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    allocation_run = models.ForeignKey(
        AllocationRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    top_up = models.ForeignKey(TopUp, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    reference = models.CharField(max_length=100, blank=True, help_text="MOU reference, invoice or minute")
    payee = models.CharField(max_length=200, blank=True)
    entry_date = models.DateField()
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-entry_date", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [models.CheckConstraint(condition=Q(amount_pence__gt=0), name="ledger_amount_positive")]
        indexes = [models.Index(fields=["programme", "pcn", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_pence}p for {self.pcn_id}"


class PcnFund(models.Model):
    """One row per (programme, PCN): the lock that serialises ledger writes for that PCN."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    pcn = models.ForeignKey(PCN, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "pcn"], name="one_fund_per_pcn")]

    def __str__(self) -> str:
        return f"Fund of PCN {self.pcn_id} in programme {self.programme_id}"


class CarryForward(Immutable):
    """A PCN's unfinished work carried from one programme year into the next, with the money that moves with it.

    The money is counted in exactly one year: `amount_pence` is returned in `from_programme` (the released,
    unspent money of the carried initiatives, entries in `returns`) and added to `to_programme` as one local
    top-up (`top_up`) that the carried initiatives draw on. `remaining_pence` is their remaining budget (cost less
    reported spend); any part of it never released in the earlier year stays there and is not carried.
    """

    from_programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="carried_out")
    to_programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="carried_in")
    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="+")
    initiatives = models.PositiveIntegerField(default=0)
    remaining_pence = models.BigIntegerField()
    amount_pence = models.BigIntegerField()
    top_up = models.OneToOneField(
        TopUp, null=True, blank=True, on_delete=models.PROTECT, related_name="carry_forward"
    )
    returns = models.ManyToManyField(LedgerEntry, blank=True, related_name="carried_forward_by")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["from_programme", "pcn"]
        constraints = [
            models.UniqueConstraint(fields=["from_programme", "pcn"], name="one_carry_forward_per_pcn"),
            models.CheckConstraint(
                condition=Q(amount_pence__gte=0, amount_pence__lte=models.F("remaining_pence")),
                name="carried_money_within_remaining_budget",
            ),
        ]

    def __str__(self) -> str:
        return f"Carried forward for PCN {self.pcn_id}: {self.amount_pence}p"
