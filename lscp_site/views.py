"""Site-wide views: search and robots.txt."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from lscp_site import links


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        # Signed links in emails (confirm, preferences, cancel) are personal.
        "Disallow: /subscribe/confirm/",
        "Disallow: /subscribe/preferences/",
        "Disallow: /subscribe/unsubscribe/",
        "Disallow: /training/bookings/",
        f"Sitemap: {links.absolute('/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain")
