from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "pcndev.papers"
    verbose_name = "Committee papers"
