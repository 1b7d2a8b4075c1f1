"""Template helpers of event pages: schema.org JSON-LD under the strict CSP."""

import json

from django import template
from django.utils.csp import nonce_attr
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The characters that could end the script element or start a comment inside it.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def json_ld(context, data):
    """``<script type="application/ld+json" nonce=...>`` with ``data`` as escaped JSON."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html(
        '<script type="application/ld+json" {}>{}</script>',
        nonce_attr(context),
        mark_safe(text),  # noqa: S308 - JSON with <, > and & escaped above
    )
