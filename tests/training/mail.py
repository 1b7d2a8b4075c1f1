"""What every training email must be: a plain-text part and an accessible HTML part on the
shared layout. Used by the tests of the emails after booking."""

import re

from django.core import mail


def parts(message):
    """(text, html) of an email, after checking both parts are there on the shared layout."""
    assert message.body.startswith("Leeds Safeguarding Children Partnership")
    assert "lscp.info@leeds.gov.uk" in message.body  # the shared layout's footer
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="en-GB">' in html
    assert re.search(r"<title>[^<]+</title>", html) and re.search(r"<h1[ >]", html)
    return message.body, html


def sent_to(address):
    """The emails sent to ``address``, oldest first."""
    return [message for message in mail.outbox if message.to == [address]]


def subjects():
    return sorted((message.to[0], message.subject.split(":")[0]) for message in mail.outbox)
