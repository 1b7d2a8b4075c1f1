import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

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


# As django.utils.html.json_script: nothing in the data can close the <script> element.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """``<script type="application/ld+json">`` holding ``data`` (schema.org) as escaped JSON.

    No CSP nonce: a script of a data type is never run, so the policy's script-src does not
    apply to it (CSP Level 3, "data blocks"). A page without a nonce is the same bytes for
    every reader, so a CDN may share it (lscp_site/pagecache.py).
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),  # noqa: S308 - escaped above
    )


def _site_settings(context):
    return SiteSettings.load(request_or_site=context.get("request"))


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
