from django import template

from lscp_site.models import SiteSettings

register = template.Library()

MAIN_NAVIGATION = [
    ("/newsletter/", "Newsletter"),
    ("/training/", "Training"),
    ("/events/", "Dates for your diary"),
    ("/subscribe/", "Subscribe"),
]
FOOTER_LINKS = [
    ("/staying-safe-online/", "Staying safe online"),
    ("/privacy/", "Privacy notice"),
    ("/accessibility/", "Accessibility statement"),
    ("/search/", "Search"),
    ("/newsletter/feed/", "Newsletter RSS feed"),
]


def _site_settings(context):
    # One query per request at most: Wagtail caches the setting on the request.
    request = context.get("request")
    return SiteSettings.load(request_or_site=request)


@register.simple_tag(takes_context=True)
def quick_leave_url(context):
    return _site_settings(context).quick_leave_url


@register.inclusion_tag("components/main_navigation.html", takes_context=True)
def main_navigation(context):
    request = context.get("request")
    path = request.path if request else ""
    return {
        "items": [
            {"url": url, "label": label, "current": path.startswith(url)}
            for url, label in MAIN_NAVIGATION
        ]
    }


@register.inclusion_tag("components/site_footer.html", takes_context=True)
def site_footer(context):
    return {
        "links": [{"url": url, "label": label} for url, label in FOOTER_LINKS],
        "contact_email": _site_settings(context).contact_email,
    }
