from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "pcndev.ops"
    verbose_name = "Operations (backup and restore)"
