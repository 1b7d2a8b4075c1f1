"""The consent sentence shown beside every sign-up form, kept by version.

UK GDPR and PECR expect us to be able to show what each person agreed to. Each sign-up
stores the version it was shown and the plain text of that version (``ConsentRecord``).
To change the wording, add a new version here and point ``CURRENT_VERSION`` at it; keep the
old ones, because a page cached before the change may still post the old version.
"""

from dataclasses import dataclass

from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString

PRIVACY_NOTICE_URL = "/privacy/"


@dataclass(frozen=True)
class Wording:
    version: str
    html: SafeString

    @property
    def text(self):
        """The sentence as the person read it, without markup: what a consent record keeps."""
        return strip_tags(self.html)


WORDINGS = {
    "2025-03": Wording(
        version="2025-03",
        html=format_html(
            "We will use your email address only to send you the updates you choose. Every "
            "email has a link to change your topics or unsubscribe. Our "
            '<a href="{}">privacy notice</a> explains how we look after your details.',
            PRIVACY_NOTICE_URL,
        ),
    ),
}
CURRENT_VERSION = "2025-03"


def current():
    return WORDINGS[CURRENT_VERSION]


def wording_for(version):
    """The wording of ``version``; the current one when the version is unknown or missing."""
    return WORDINGS.get(version or "", current())
