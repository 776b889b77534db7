from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "pcndev.audit"
    label = "audit"
    verbose_name = "Audit trail"
