"""The one way the site builds and sends email.

Every email (sign-up confirmations, booking confirmations, newsletter editions) is rendered
from a pair of templates, ``email/<name>.txt`` and ``email/<name>.html``, that extend the
shared layouts ``email/layout.txt`` and ``email/layout.html``. The HTML part has its CSS
inlined so that it survives Gmail and Outlook. Delivery goes through Django's email
backend (SMTP, a provider through django-anymail, or the locmem outbox in tests), which is
the interface that keeps the outside service swappable.
"""

import email.policy
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.templatetags.static import static

import css_inline

from lscp_site import links
from lscp_site.models import SiteSettings


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes | str
    mimetype: str


# RFC 5322's limit. Headers are folded at 78 characters by default, and a single word longer
# than that (the unsubscribe URL in List-Unsubscribe, with its signed token) is then
# rewritten as RFC 2047 encoded-words, which RFC 2369 list headers must not contain: mail
# clients would no longer find the URL. Folding at 998 keeps such a URL one word.
MAX_LINE_LENGTH = 998


ERROR_LOCAL_PART_NOT_ASCII = (
    "Enter the part before the @ in English letters, numbers and symbols such as . _ - "
    "or +: our email system cannot send to other characters there"
)


def validate_deliverable_address(address):
    """Refuse an address the mail system cannot send to: a non-ASCII part before the @.

    Django's validator accepts one (RFC 6531, SMTPUTF8), but sending it fails unless every
    server on the way speaks SMTPUTF8, so a sign-up or a booking would never get its email.
    International domain names are fine: they are sent as their ASCII (punycode) form.
    """
    local_part, _, _domain = address.rpartition("@")
    if not local_part.isascii():
        raise ValidationError(ERROR_LOCAL_PART_NOT_ASCII, code="local_part_not_ascii")


class SiteEmail(EmailMultiAlternatives):
    """Every email the site sends: an EmailMultiAlternatives whose headers keep long URLs."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=MAX_LINE_LENGTH))


# The same function as lscp_site.links.absolute, under the name code written before that
# module still imports; new code imports lscp_site.links.
absolute_url = links.absolute


@cache
def _inliner():
    # Local CSS only: the layout carries its styles in a <style> block.
    return css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=True)


def email_context(context):
    return {
        "base_url": links.base_url(),
        "site_name": settings.WAGTAIL_SITE_NAME,
        # A PNG: many mail clients block SVG (scripts/render_logo.py makes it).
        "logo_url": links.absolute(static("img/logo-email.png")),
        "contact_email": SiteSettings.load().contact_email,
        **context,
    }


def render_email(*, template_name, context):
    """Render the text and HTML parts of an email; returns (text, html)."""
    full_context = email_context(context)
    text = render_to_string(f"email/{template_name}.txt", full_context)
    html = render_to_string(f"email/{template_name}.html", full_context)
    return text.strip() + "\n", _inliner().inline(html)


def build_email(
    *,
    to,
    subject,
    template_name,
    context,
    headers=None,
    attachments=(),
    connection=None,
    rendered=None,
    message_class=SiteEmail,
):
    """A SiteEmail ready to send. ``rendered`` reuses a (text, html) pair; ``message_class``
    may be a subclass (the newsletter's pre-encoded edition)."""
    text, html = rendered or render_email(template_name=template_name, context=context)
    message = message_class(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to] if isinstance(to, str) else list(to),
        headers=headers or {},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message


def send_email(*, to, subject, template_name, context, headers=None, attachments=()):
    """Build and send one email at once. Call it from a background task, not a view."""
    message = build_email(
        to=to,
        subject=subject,
        template_name=template_name,
        context=context,
        headers=headers,
        attachments=attachments,
        connection=get_connection(),
    )
    return message.send()
