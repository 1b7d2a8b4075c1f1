from django.apps import AppConfig


class AdminTwoFactorConfig(AppConfig):
    name = "admin_2fa"
    verbose_name = "Two-factor sign-in for the admin"
