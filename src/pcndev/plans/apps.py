from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "pcndev.plans"
    label = "plans"
    verbose_name = "Support plans"
