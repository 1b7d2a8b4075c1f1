"""System checks of the site's own settings."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_base_url(app_configs, **kwargs):
    """Production must say where it is served: every emailed link is built on BASE_URL.

    Without it, links fall back to the Wagtail Site's host name, which is 'localhost' on a
    new database: confirmation emails would lead nowhere.
    """
    if not settings.BASE_URL:
        return [
            Error(
                "BASE_URL is not set: the links in emails and feeds would not lead to the site.",
                hint="Set BASE_URL to the public address, e.g. BASE_URL=https://lscp.example.org",
                id="lscp_site.E001",
            )
        ]
    parts = urlsplit(settings.BASE_URL)
    if parts.scheme != "https" or not parts.hostname:
        return [
            Warning(
                f"BASE_URL={settings.BASE_URL!r} is not an https:// address.",
                hint="Links in emails should use the public https:// address of the site.",
                id="lscp_site.W001",
            )
        ]
    return []
