from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "pcndev.funding"
    label = "funding"
    verbose_name = "Funding"
