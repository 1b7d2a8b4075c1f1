"""The signed token in a confirmation link.

A confirmation link carries the subscriber's id and the id of the consent record it
confirms, signed with the site's secret key and a salt used for nothing else, and dated:
it stops working after ``CONFIRM_LINK_DAYS``. (Preferences and unsubscribe links use the
subscriber's opaque random token instead: they must keep working for as long as emails
carrying them are in people's inboxes.)
"""

import datetime

from django.core import signing

CONFIRM_SALT = "subscriptions.confirm"
CONFIRM_LINK_DAYS = 7
CONFIRM_LINK_MAX_AGE = datetime.timedelta(days=CONFIRM_LINK_DAYS)


class LinkInvalid(Exception):
    """The link was altered, cut short or never made by this site."""


class LinkExpired(LinkInvalid):
    """The link was made by this site but is older than it may be."""


class LinkGone(LinkInvalid):
    """The link was genuine but the sign-up it confirms no longer exists."""


def make_confirmation_token(*, subscriber_id, consent_id):
    return signing.dumps({"s": subscriber_id, "c": consent_id}, salt=CONFIRM_SALT)


def read_confirmation_token(token):
    """(subscriber id, consent id) from a confirmation token; raises LinkExpired/LinkInvalid."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkExpired(str(exc)) from exc
    except signing.BadSignature as exc:
        raise LinkInvalid(str(exc)) from exc
    try:
        return int(payload["s"]), int(payload["c"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid("malformed payload") from exc
