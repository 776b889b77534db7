"""The NHS organisation register: region → system → place → PCN → practice, keyed by ODS code.

Schema names are stable (System, Place); the labels shown to people follow the NHS's current names
(ICB, sub-ICB location) through `kind` and `display_kind`.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

USUAL_PCN_MIN = 30_000
USUAL_PCN_MAX = 50_000


class Region(models.Model):
    code = models.CharField(max_length=12, unique=True, help_text="ODS code, e.g. Y56")
    name = models.CharField(max_length=200)
    ons_code = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class System(models.Model):
    class Kind(models.TextChoices):
        STP = "stp", "STP"
        ICS = "ics", "ICS"
        ICB = "icb", "ICB"

    code = models.CharField(max_length=12, unique=True, help_text="ODS code, e.g. QWE")
    name = models.CharField(max_length=200)
    ons_code = models.CharField(max_length=12, blank=True)
    kind = models.CharField(max_length=3, choices=Kind.choices, default=Kind.STP)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="systems")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    class Kind(models.TextChoices):
        CCG = "ccg", "CCG"
        SUB_ICB = "sub_icb", "Sub-ICB location"
        DEFINED = "defined", "Local place"

    code = models.CharField(max_length=20, unique=True, help_text="CCG/sub-ICB ODS code, or a local code")
    name = models.CharField(max_length=200)
    ons_code = models.CharField(max_length=12, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CCG)
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="places")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_defined(self) -> bool:
        return self.kind == self.Kind.DEFINED


class PayeeOrganisation(models.Model):
    """Who receives a PCN's development money: a host practice, GP federation, trust…"""

    class Kind(models.TextChoices):
        FEDERATION = "federation", "GP federation"
        PRACTICE = "practice", "Host practice"
        TRUST = "trust", "NHS trust"
        OTHER = "other", "Other organisation"

    name = models.CharField(max_length=200, unique=True)
    ods_code = models.CharField(max_length=12, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.FEDERATION)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PCN(models.Model):
    class PlaceSource(models.TextChoices):
        IMPORTED = "imported", "From NHS Digital data"
        MANUAL = "manual", "Set by a user"

    code = models.CharField(max_length=12, unique=True, help_text="PCN ODS code, e.g. U12345")
    name = models.CharField(max_length=200)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="pcns")
    imported_place = models.ForeignKey(
        Place,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The CCG / sub-ICB place the NHS data puts the PCN in; where it returns when a local place releases it",
    )
    place_source = models.CharField(max_length=8, choices=PlaceSource.choices, default=PlaceSource.IMPORTED)
    payee = models.ForeignKey(
        PayeeOrganisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="pcns"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "PCN"
        verbose_name_plural = "PCNs"

    def __str__(self) -> str:
        return self.name


class Practice(models.Model):
    code = models.CharField(max_length=12, unique=True, help_text="GP practice ODS code, e.g. H85001")
    name = models.CharField(max_length=200)
    postcode = models.CharField(max_length=10, blank=True)
    home_place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="home_practices",
        help_text="The CCG / sub-ICB location that holds the practice's contract",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PracticeMembershipQuerySet(models.QuerySet):
    def current(self):
        return self.filter(valid_to__isnull=True)

    def on(self, day: datetime.date):
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class PracticeMembership(models.Model):
    """A practice's membership of a PCN over [valid_from, valid_to); open-ended while valid_to is empty."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="memberships")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    objects = PracticeMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice"],
                condition=Q(valid_to__isnull=True),
                name="one_open_membership_per_practice",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="membership_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["pcn", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.practice.code} in {self.pcn.code} from {self.valid_from}"


class ListSize(models.Model):
    """Registered patients at a practice on one date (NHS Digital's EXTRACT_DATE)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="list_sizes")
    as_of = models.DateField()
    patients = models.PositiveIntegerField()

    class Meta:
        ordering = ["practice", "-as_of"]
        constraints = [models.UniqueConstraint(fields=["practice", "as_of"], name="one_list_size_per_date")]
        indexes = [models.Index(fields=["as_of", "practice"])]

    def __str__(self) -> str:
        return f"{self.practice.code} {self.as_of}: {self.patients}"


class ClinicalDirector(models.Model):
    """A PCN clinical director. Job shares are several rows whose shares add up to 100%."""

    pcn = models.ForeignKey(PCN, on_delete=models.CASCADE, related_name="clinical_directors")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    profession = models.CharField(max_length=100, blank=True, help_text="e.g. GP, practice nurse, pharmacist")
    share_percent = models.PositiveSmallIntegerField(default=100, help_text="Share of the CD role, 1–100")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="cd_roles"
    )

    class Meta:
        ordering = ["pcn", "-share_percent", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__gte=1) & Q(share_percent__lte=100),
                name="cd_share_between_1_and_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.share_percent}%)"


class ImportRun(models.Model):
    """One NHS Digital import: which files, their checksums, extract dates and what changed."""

    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mapping_file = models.CharField(max_length=300)
    mapping_sha256 = models.CharField(max_length=64)
    mapping_extract_date = models.DateField()
    list_size_file = models.CharField(max_length=300)
    list_size_sha256 = models.CharField(max_length=64)
    list_size_extract_date = models.DateField()
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Import {self.at:%Y-%m-%d %H:%M} ({self.mapping_file}, {self.list_size_file})"
