"""The editors' guide (docs/editors.md) in the admin, for the people it is written for.

The guide is kept as Markdown beside the code, with the pictures that
`make docs-screenshots` takes from the demo site (docs/images/editors/). The admin shows it
at /admin/editors-guide/ and serves its pictures under that address, so the guide's own
relative links to its pictures work there as they do on the code host. Help texts in the
admin link to its sections by their anchors (guide_link()).
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse, reverse_lazy
from django.utils.html import escape
from django.utils.text import format_lazy

from wagtail.admin.panels import HelpPanel

import markdown

# The sections the admin's help links to, by their anchors (made from the "## " headings:
# tests/lscp_site/test_editors_guide.py checks each is still in the guide).
SIGNING_IN = "signing-in-and-two-factor-sign-in"
NEWSLETTER = "the-newsletter"
SENDING = "sending-an-issue-by-email"
EVENTS = "dates-for-your-diary-events"
TRAINING = "training-courses-and-sessions"
BOOKINGS = "bookings-and-the-waiting-list"
SUBSCRIBERS = "subscribers-and-their-data"
SITE_SETTINGS = "site-settings"
PRIVACY_AND_ACCESSIBILITY = "the-privacy-notice-and-accessibility-statement"
# A part of TRAINING linked from the course form's "When people book" settings.
COURSE_AFTER_BOOKING = "when-people-book-reminders-and-line-managers"
LINKED_SECTIONS = (
    SIGNING_IN,
    NEWSLETTER,
    SENDING,
    EVENTS,
    TRAINING,
    BOOKINGS,
    SUBSCRIBERS,
    SITE_SETTINGS,
    PRIVACY_AND_ACCESSIBILITY,
)

GUIDE_FILE = settings.BASE_DIR / "docs" / "editors.md"
IMAGES_DIR = settings.BASE_DIR / "docs" / "images" / "editors"


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str


@dataclass(frozen=True)
class Guide:
    html: str
    sections: tuple[Section, ...]


MISSING = Guide(
    html="<p>The guide is not installed on this server (docs/editors.md is missing).</p>",
    sections=(),
)


def render_guide(*, path=GUIDE_FILE):
    """The guide as HTML, with its "## " sections (title and anchor) for a contents list."""
    if not path.is_file():
        # A server built without docs/: the dashboard still works, the guide says why.
        return MISSING
    return _render(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _render(path, modified):
    # The file is the project's own (trusted, reviewed) text: Markdown's HTML is kept as is.
    # Rendered again only when the file changes (``modified`` is part of the cache key).
    converter = markdown.Markdown(
        extensions=["toc", "fenced_code", "tables", "sane_lists"],
        extension_configs={"toc": {"toc_depth": "2-3"}},
        output_format="html",
    )
    html = converter.convert(path.read_text(encoding="utf-8"))
    sections = tuple(
        Section(title=token["name"], anchor=token["id"])
        for top in converter.toc_tokens
        for token in ([top] if top["level"] == 2 else top["children"])
        if token["level"] == 2
    )
    return Guide(html=html, sections=sections)


def image_file(*, name):
    """The path of the guide's picture ``name`` (no suffix), or None if there is none."""
    path = IMAGES_DIR / f"{name}.png"
    return path if path.is_file() else None


def guide_link(anchor=""):
    """The admin address of the guide, or of one of its sections."""
    return reverse("editors_guide") + (f"#{anchor}" if anchor else "")


def guide_help(*, section, text, link_text):
    """A help panel for an edit form: ``text``, then a link to the guide's ``section``,
    opening in a new tab so that the form being edited stays as it is.

    Lazy: panels are declared when models load, before the admin's URLs exist.
    """
    return HelpPanel(
        content=format_lazy(
            '<p>{} <a href="{}#{}" target="_blank">{} (opens in a new tab)</a></p>',
            escape(text),
            reverse_lazy("editors_guide"),
            section,
            escape(link_text),
        )
    )
