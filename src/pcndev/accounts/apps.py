from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pcndev.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
