from django.apps import AppConfig


class LscpSiteConfig(AppConfig):
    name = "lscp_site"
    verbose_name = "LSCP site"
