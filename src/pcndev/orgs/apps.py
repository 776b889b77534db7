from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "pcndev.orgs"
    label = "orgs"
    verbose_name = "Organisations"
