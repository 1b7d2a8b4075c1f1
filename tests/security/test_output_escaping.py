"""Every output that writes text into another format escapes it for that format, fed the
same hostile strings (tests/security/hostile.py)."""

import datetime
import html
import xml.etree.ElementTree as ET

import pytest

from tests.newsletter.factories import make_issue
from tests.security.hostile import HOSTILE_STRINGS

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def as_xml_reads(texts):
    """XML parsers read a CR LF as LF."""
    return sorted(text.replace("\r\n", "\n") for text in texts)


@pytest.fixture
def hostile_issues(newsletter_index):
    """One published issue per hostile summary, one a month from 2001."""
    for number, text in enumerate(HOSTILE_STRINGS):
        make_issue(
            newsletter_index,
            datetime.date(2001 + number // 12, number % 12 + 1, 1),
            summary=text,
            sections=1,
        )
    return HOSTILE_STRINGS


def test_rss_descriptions_are_html_escaped_plain_text(client, hostile_issues):
    root = ET.fromstring(client.get("/newsletter/feed/").content)  # noqa: S314 - our own feed

    descriptions = [item.findtext("description") for item in root.iter("item")]

    # What a feed reader renders as HTML shows the summary's characters, not its markup.
    assert sorted(html.unescape(text) for text in descriptions) == as_xml_reads(hostile_issues)
    assert not any("<script" in text or "<img" in text for text in descriptions)


def test_atom_summaries_are_html_escaped_plain_text(client, hostile_issues):
    root = ET.fromstring(client.get("/newsletter/feed/atom/").content)  # noqa: S314

    summaries = [entry.find(f"{ATOM}summary") for entry in root.iter(f"{ATOM}entry")]

    assert {summary.get("type") for summary in summaries} == {"html"}
    texts = [summary.text for summary in summaries]
    assert sorted(html.unescape(text) for text in texts) == as_xml_reads(hostile_issues)
    assert not any("<script" in text or "<img" in text for text in texts)
