"""Links and headers that every email to a subscriber carries.

The newsletter's sending calls these for each recipient, and so do this app's own emails:

    from subscriptions.mailing import list_headers, subscriber_links, unsubscribe_mailto

    mailto = unsubscribe_mailto()          # once per batch: it may read the site settings
    headers = {**list_headers(subscriber, mailto=mailto), "List-Id": "..."}
    context = {..., **subscriber_links(subscriber)}

``list_headers`` gives RFC 2369's List-Unsubscribe (an https URL with the subscriber's
opaque token, then a mailto) and RFC 8058's List-Unsubscribe-Post, so Gmail, Yahoo and
others can unsubscribe the person in one click: their servers POST
``List-Unsubscribe=One-Click`` to the URL, with no cookie and no CSRF token, and the view
answers 200 at once. A caller sending a list (the newsletter) may add ``List-Id``
(RFC 2919), for example ``"LSCP newsletter <newsletter.lscp.leeds.gov.uk>"``; these headers
do not include it because this app's own emails are not a list.

The mailto goes to ``settings.UNSUBSCRIBE_MAILTO`` when a deployment sets it (for example
from an environment variable in production settings), else to the contact email editors
set in the site settings.
"""

from urllib.parse import quote

from django.conf import settings
from django.urls import reverse

from lscp_site.links import absolute as absolute_url
from lscp_site.models import SiteSettings
from subscriptions.tokens import make_confirmation_token


def subscriber_links(subscriber):
    """{"preferences_url", "unsubscribe_url"}: absolute links, no login needed."""
    return {
        "preferences_url": absolute_url(
            reverse("subscriptions:preferences", args=[subscriber.token])
        ),
        "unsubscribe_url": absolute_url(
            reverse("subscriptions:unsubscribe", args=[subscriber.token])
        ),
    }


def unsubscribe_mailto():
    """The address for emailed unsubscribe requests: UNSUBSCRIBE_MAILTO, else the site's
    contact email (one query for the site settings)."""
    address = getattr(settings, "UNSUBSCRIBE_MAILTO", "")
    if not address:
        address = SiteSettings.load().contact_email
    return address


def list_headers(subscriber, *, mailto=None):
    """List-Unsubscribe and List-Unsubscribe-Post headers for one email to ``subscriber``.

    Pass ``mailto`` (from ``unsubscribe_mailto()``) when sending many, to read it once.
    """
    mailto = mailto or unsubscribe_mailto()
    unsubscribe_url = subscriber_links(subscriber)["unsubscribe_url"]
    mailto_url = f"mailto:{quote(mailto, safe='@')}?subject=unsubscribe"
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>, <{mailto_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def confirmation_url(*, subscriber_id, consent_id):
    token = make_confirmation_token(subscriber_id=subscriber_id, consent_id=consent_id)
    return absolute_url(reverse("subscriptions:confirm", args=[token]))
