"""Listing cards are rendered by Jinja2 (lscp_site/cards.py) and escaped as Django escapes:
what editors type reaches the reader as text, never as markup, on every kind of card."""

import datetime

from django.utils import timezone

import pytest

from lscp_site import cards
from newsletter.queries import IssueCard
from tests.newsletter.conftest import event_index, newsletter_index, training_index
from tests.newsletter.factories import make_course, make_event, make_issue

__all__ = ["event_index", "newsletter_index", "training_index"]  # the listings' fixtures

TYPED = """Tom's "big" <script>alert(1)</script> & more"""
# Django's escaping (django.utils.html.escape), not Jinja2's own (&#39; and &#34;).
ESCAPED = "Tom&#x27;s &quot;big&quot; &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def test_a_card_escapes_every_value_as_django_does():
    card = IssueCard(
        title="March Newsletter",
        issue_date=datetime.date(2025, 3, 1),
        summary=TYPED,
        url='/newsletter/"><script>/',
    )

    html = cards.render("issue_cards.jinja", issues=[card], level="2")

    assert f"<p>{ESCAPED}</p>" in html
    assert 'href="/newsletter/&quot;&gt;&lt;script&gt;/"' in html
    assert "<script>" not in html


def test_the_archive_card_shows_what_the_editor_typed_as_text(client, newsletter_index):
    make_issue(newsletter_index, datetime.date(2025, 3, 1), summary=TYPED)

    html = client.get("/newsletter/").content.decode()

    assert f"<p>{ESCAPED}</p>" in html
    assert "<script>alert" not in html


def test_the_diary_card_shows_what_the_editor_typed_as_text(client, event_index):
    make_event(
        event_index,
        TYPED,
        timezone.localdate() + datetime.timedelta(days=3),
        summary=TYPED,
        location=TYPED,
    )

    html = client.get("/events/").content.decode()

    assert f">{ESCAPED}</a></h3>" in html
    assert f"<p>{ESCAPED}</p>" in html
    assert f'<span class="event-card__where">{ESCAPED}</span>' in html
    assert "<script>alert" not in html


def test_the_catalogue_card_shows_what_the_editor_typed_as_text(client, training_index):
    start = timezone.now() + datetime.timedelta(days=10)
    make_course(training_index, TYPED, sessions=[(start, 12)])

    html = client.get("/training/").content.decode()

    assert f">{ESCAPED}</a></h3>" in html
    assert "12 places left" in html
    assert "<script>alert" not in html


@pytest.mark.parametrize(
    "value",
    [TYPED, "plain", "", 12, None, "<b>&amp;</b>", "\u2019curly\u2019 & \u201cquotes\u201d"],
)
def test_the_cards_escaping_is_djangos(value):
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    assert str(cards.escape_as_django(value)) == str(conditional_escape(value))
    # What is already safe HTML stays as it is, as in Django templates.
    safe = mark_safe("<em>safe</em>")  # noqa: S308 - a test value
    assert str(cards.escape_as_django(safe)) == str(conditional_escape(safe)) == "<em>safe</em>"
