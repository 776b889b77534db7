from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from pcndev.accounts.models import ApiToken, RoleMembership, User
from pcndev.audit.admin_mixin import AuditedAdmin


class RoleInline(admin.TabularInline):
    model = RoleMembership
    extra = 0
    raw_id_fields = ["region", "system", "place", "pcn", "practice"]


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "full_name", "password")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    inlines = [RoleInline]


@admin.register(RoleMembership)
class RoleMembershipAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["user", "role", "region", "system", "place", "pcn", "practice"]
    list_filter = ["role"]
    raw_id_fields = ["user", "region", "system", "place", "pcn", "practice"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]
