from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "pcndev.dashboards"
    verbose_name = "Dashboards"
