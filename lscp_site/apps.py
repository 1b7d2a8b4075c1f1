from django.apps import AppConfig


class LscpSiteConfig(AppConfig):
    name = "lscp_site"
    verbose_name = "LSCP site"

    def ready(self):
        from lscp_site import checks, pagecache  # noqa: F401 (checks register themselves)

        pagecache.connect_signals()
