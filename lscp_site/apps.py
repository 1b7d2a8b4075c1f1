from django.apps import AppConfig


class LscpSiteConfig(AppConfig):
    name = "lscp_site"
    verbose_name = "LSCP site"

    def ready(self):
        # Here, not at the top: these import models, which Django forbids before the app
        # registry is ready. checks registers its checks on import.
        from lscp_site import checks, pagecache  # noqa: F401

        pagecache.connect_signals()
