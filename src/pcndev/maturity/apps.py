from django.apps import AppConfig


class MaturityConfig(AppConfig):
    name = "pcndev.maturity"
    label = "maturity"
    verbose_name = "Maturity self-assessment"
