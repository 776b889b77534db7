"""Users, their roles at organisation nodes, and personal API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pcndev.orgs.models import PCN, Place, Practice, Region, System


class UserManager(DjangoUserManager):
    def _create_user(self, email, password, **extra):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the Django admin (support staff)")
    date_joined = models.DateTimeField(default=timezone.now)
    email_notifications = models.BooleanField(
        default=True, help_text="Email me when a plan I sign off or lead changes state"
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", "National administrator"
    REGION_LEAD = "region_lead", "Region lead"
    SYSTEM_LEAD = "system_lead", "System lead"
    PLACE_LEAD = "place_lead", "Place lead (CCG)"
    PCN_CD = "pcn_cd", "PCN clinical director"
    PRACTICE_MEMBER = "practice_member", "Practice member"
    VIEWER = "viewer", "Read-only viewer"


# The org level each role is held at; a viewer may be placed at any level.
ROLE_LEVEL = {
    Role.NATIONAL_ADMIN: "national",
    Role.REGION_LEAD: "region",
    Role.SYSTEM_LEAD: "system",
    Role.PLACE_LEAD: "place",
    Role.PCN_CD: "pcn",
    Role.PRACTICE_MEMBER: "practice",
}
LEVELS = ("national", "region", "system", "place", "pcn", "practice")


def _unique_per_level() -> list[models.UniqueConstraint]:
    """One membership per (user, role, node); written per level because SQLite lacks NULLS NOT DISTINCT."""
    node_fields = LEVELS[1:]
    constraints = [
        models.UniqueConstraint(
            fields=["user", "role"],
            condition=Q(**{f"{f}__isnull": True for f in node_fields}),
            name="unique_role_national",
        )
    ]
    for field in node_fields:
        constraints.append(
            models.UniqueConstraint(
                fields=["user", "role", field],
                condition=Q(**{f"{field}__isnull": False}),
                name=f"unique_role_at_{field}",
            )
        )
    return constraints


class RoleMembership(models.Model):
    """A user holds a role at exactly one org node; it applies to that node's subtree only."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    system = models.ForeignKey(System, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    pcn = models.ForeignKey(PCN, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    practice = models.ForeignKey(Practice, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                name="role_at_most_one_node",
                condition=(
                    Q(region__isnull=True, system__isnull=True, place__isnull=True, pcn__isnull=True)
                    | Q(system__isnull=True, place__isnull=True, pcn__isnull=True, practice__isnull=True)
                    | Q(region__isnull=True, place__isnull=True, pcn__isnull=True, practice__isnull=True)
                    | Q(region__isnull=True, system__isnull=True, pcn__isnull=True, practice__isnull=True)
                    | Q(region__isnull=True, system__isnull=True, place__isnull=True, practice__isnull=True)
                ),
            ),
            *_unique_per_level(),
        ]

    def __str__(self) -> str:
        node = self.node
        return f"{self.get_role_display()} at {node}" if node else self.get_role_display()

    @property
    def level(self) -> str:
        for level in LEVELS[1:]:
            if getattr(self, f"{level}_id"):
                return level
        return "national"

    @property
    def node(self):
        level = self.level
        return None if level == "national" else getattr(self, level)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenManager(models.Manager):
    def issue(self, user: User, name: str = "") -> tuple["ApiToken", str]:
        """Create a token and return it with its secret, which is shown once and never stored."""
        raw = "pcn_" + secrets.token_urlsafe(32)
        token = self.create(user=user, name=name, prefix=raw[:10], token_hash=_hash_token(raw))
        return token, raw

    def authenticate(self, raw: str) -> User | None:
        token = (
            self.select_related("user")
            .filter(token_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user


class ApiToken(models.Model):
    """A personal access token for the API (`Authorization: Bearer …`). Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=10)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenManager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
