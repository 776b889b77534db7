from django.contrib import admin

from pcndev.audit.admin_mixin import AuditedAdmin
from pcndev.orgs.models import (
    PCN,
    ClinicalDirector,
    ImportRun,
    ListSize,
    PayeeOrganisation,
    Place,
    Practice,
    PracticeMembership,
    Region,
    System,
)


@admin.register(Region)
class RegionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(System)
class SystemAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["code", "name"]


@admin.register(Place)
class PlaceAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "system"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["system"]


class DirectorInline(admin.TabularInline):
    model = ClinicalDirector
    extra = 0
    raw_id_fields = ["user"]


@admin.register(PCN)
class PCNAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "place", "payee"]
    search_fields = ["code", "name"]
    raw_id_fields = ["place", "imported_place", "payee"]
    inlines = [DirectorInline]


@admin.register(Practice)
class PracticeAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "postcode", "home_place"]
    search_fields = ["code", "name", "postcode"]
    raw_id_fields = ["home_place"]


@admin.register(PracticeMembership)
class MembershipAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["practice", "pcn", "valid_from", "valid_to"]
    search_fields = ["practice__code", "pcn__code"]
    raw_id_fields = ["practice", "pcn"]


@admin.register(ClinicalDirector)
class ClinicalDirectorAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "pcn", "share_percent"]
    search_fields = ["name", "pcn__code"]
    raw_id_fields = ["pcn", "user"]


@admin.register(PayeeOrganisation)
class PayeeAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "ods_code"]
    search_fields = ["name", "ods_code"]


@admin.register(ListSize)
class ListSizeAdmin(admin.ModelAdmin):
    list_display = ["practice", "as_of", "patients"]
    search_fields = ["practice__code"]
    raw_id_fields = ["practice"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["at", "mapping_file", "list_size_file", "mapping_extract_date"]

    def has_change_permission(self, request, obj=None):
        return False
