"""Every output that writes text into another format escapes it for that format, fed the
same hostile strings (tests/security/hostile.py)."""

import datetime
import html
import json
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


def test_json_ld_keeps_hostile_text_inside_its_script_and_as_data():
    from django.template import Context, Template

    from tests.security.hostile import HOSTILE_STRINGS as texts

    html_out = Template("{% load lscp_tags %}{% json_ld data %}").render(
        Context({"data": {"name": texts}})
    )

    body = html_out.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in body and ">" not in body  # no </script>, no <!--, no markup at all
    assert json.loads(body) == {"name": texts}


def test_icalendar_escapes_and_folds_hostile_text_per_rfc_5545():
    from icalendar import Calendar

    from events.calendar import CalendarItem, build_calendar

    start = datetime.datetime(2025, 5, 8, 14, tzinfo=datetime.UTC)
    items = [
        CalendarItem(
            uid=f"fuzz-{number}@lscp.test",
            title=text,
            start=start,
            end=start + datetime.timedelta(hours=1),
            description=text,
            location=text,
        )
        for number, text in enumerate(HOSTILE_STRINGS)
    ]

    content = build_calendar(items, name="Hostile")
    raw = content if isinstance(content, bytes) else content.encode()

    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    # A CR LF in a value never starts a property of its own.
    assert not any(line.upper().startswith(b"BCC") for line in lines)
    events = Calendar.from_ical(raw).walk("VEVENT")
    normalised = [text.replace("\r\n", "\n") for text in HOSTILE_STRINGS]
    assert [str(event["SUMMARY"]).replace("\r\n", "\n") for event in events] == normalised
    assert [str(event["LOCATION"]).replace("\r\n", "\n") for event in events] == normalised


def test_email_headers_refuse_hostile_line_breaks():
    from django.core.mail import BadHeaderError

    from lscp_site.email import SiteEmail

    message = SiteEmail(
        subject="Booking confirmed: Line one\r\nBcc: victim@example.org",
        body="x",
        to=["sam@example.org"],
    )

    with pytest.raises((BadHeaderError, ValueError)):
        message.message()


def test_the_bookings_csv_never_starts_a_cell_with_a_formula(admin_client, session):
    import csv
    import io

    from tests.training.factories import book

    for number, text in enumerate(HOSTILE_STRINGS):
        book(session, name=text, email=f"p{number}@example.org", organisation=text)

    response = admin_client.get(f"/admin/training/bookings/?session={session.pk}&export=csv")

    content = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    cells = [row[column] for row in rows for column in ("Name", "Organisation")]
    assert len(rows) == len(HOSTILE_STRINGS)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
