from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "pcndev.demo"
    label = "demo"
    verbose_name = "Demo data"
