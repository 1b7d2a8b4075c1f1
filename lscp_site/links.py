"""The site's public address: the one source of every absolute link.

Emails (confirmation, preferences, unsubscribe and cancel links, "View this issue online"),
feeds, calendar files, canonical and og:url, and JSON-LD all build their addresses here, so
that they follow where the site is served: `make run` sets BASE_URL from HOST and PORT, and
production sets it in the environment (`check --deploy` refuses to pass without it).
"""

from urllib.parse import urlsplit

from django.conf import settings

from wagtail.models import Site


def base_url():
    """The scheme and host (and port) every absolute link starts with, without a slash.

    BASE_URL when it is set; otherwise the default Wagtail Site's root URL, which editors
    can change in the admin (Settings > Sites).
    """
    if settings.BASE_URL:
        return settings.BASE_URL.rstrip("/")
    site = Site.objects.filter(is_default_site=True).first()
    return site.root_url if site else "http://localhost"


def absolute(path):
    """An absolute URL on the public site for a path such as '/newsletter/'.

    Addresses that are already absolute (and mailto: links) are returned as they are.
    """
    if path.startswith(("http://", "https://", "mailto:")):
        return path
    return f"{base_url()}{path if path.startswith('/') else '/' + path}"


def hostname():
    """The public host name alone: calendar UIDs, Message-IDs and List-Id are built on it."""
    return urlsplit(base_url()).hostname or "localhost"


def origin():
    """'scheme://host[:port]' of the public site, to compare with a request's Origin."""
    parts = urlsplit(base_url())
    return f"{parts.scheme}://{parts.netloc}"
