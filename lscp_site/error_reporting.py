"""Server errors reach the team: by email to ADMINS, and to Sentry when SENTRY_DSN is set.

Sentry is off unless the environment gives a DSN. When on, it is told as little about
people as it can be: no default personal data (users, cookies, client addresses), no
request bodies (the forms carry names and email addresses), no local variables, and any
email address left in an error's message is replaced before the event leaves.
"""

import re

EMAIL_ADDRESS = re.compile(r"[^\s<>\"'@,;:()\[\]]+@[^\s<>\"'@,;:()\[\]]+\.[^\s<>\"'@,;:()\[\]]+")
REDACTED = "[email address]"


def redact_email_addresses(value):
    """Every email address in a string (or nested dicts and lists of strings) replaced."""
    if isinstance(value, str):
        return EMAIL_ADDRESS.sub(REDACTED, value)
    if isinstance(value, dict):
        return {key: redact_email_addresses(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_email_addresses(item) for item in value]
    return value


def before_send(event, hint):
    """Sentry's hook: drop the request body and cookies, redact addresses in messages."""
    request = event.get("request")
    if request:
        for key in ("data", "cookies", "query_string"):
            request.pop(key, None)
    for key in ("message", "logentry", "exception", "breadcrumbs", "extra"):
        if key in event:
            event[key] = redact_email_addresses(event[key])
    return event


def sentry_options(*, dsn, environment, release=""):
    """The keyword arguments for ``sentry_sdk.init``."""
    # Imported only when Sentry is configured: settings import this module, and a site
    # without SENTRY_DSN should not load the SDK and its Django integration at all.
    from sentry_sdk.integrations.django import DjangoIntegration

    return {
        "dsn": dsn,
        "environment": environment,
        "release": release or None,
        "integrations": [DjangoIntegration()],
        "send_default_pii": False,
        "max_request_body_size": "never",
        "include_local_variables": False,
        "traces_sample_rate": 0.0,
        "before_send": before_send,
    }


def init_sentry(*, dsn, environment, release=""):
    """Start Sentry if ``dsn`` is set; returns whether it was started."""
    if not dsn:
        return False
    import sentry_sdk  # only when configured, as in sentry_options

    sentry_sdk.init(**sentry_options(dsn=dsn, environment=environment, release=release))
    return True
