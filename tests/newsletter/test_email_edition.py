"""The email edition of an issue: what a subscriber's mail program gets."""

import email.policy
import re

from django.core import mail
from django.test import override_settings

import pytest
from bs4 import BeautifulSoup

from newsletter import email_edition, sending
from newsletter.email_edition import (
    RECIPIENT_TOKEN,
    MessageTemplate,
    html_to_text,
    render_edition,
)
from subscriptions.mailing import list_headers, subscriber_links
from tests.newsletter.sending_support import parse, rich_issue, subscribers

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(newsletter_index, training_index):
    return rich_issue(newsletter_index, linked_page=training_index)


@pytest.fixture
def edition(issue):
    return render_edition(issue)


def html_of(edition_html):
    return BeautifulSoup(edition_html, "html.parser")


def test_html_has_lang_title_and_the_summary_as_preheader(issue, edition):
    page = html_of(edition.html)
    assert page.html["lang"] == "en-GB"
    assert page.title.get_text() == "March Newsletter 2025"
    preheader = page.select_one(".preheader")
    assert preheader.get_text().startswith(issue.summary)
    # Hidden in the inbox view (inlined, so Gmail keeps it hidden).
    assert "display: none" in preheader["style"] or "display:none" in preheader["style"]


def test_every_image_has_alt_text_and_an_absolute_rendition_address(edition):
    logo, *images = html_of(edition.html).find_all("img")
    assert logo["alt"] == "Leeds Safeguarding Children Partnership"
    assert logo["src"] == "https://lscp.test/static/img/logo-email.png"
    assert len(images) == 2
    described, decorative = images
    assert described["alt"] == "Practitioners talking round a table at the focus group"
    assert decorative["alt"] == ""  # decorative: screen readers skip it
    for image in images:
        assert image["src"].startswith("https://lscp.test/media/images/")
        assert ".width-1200" in image["src"]
        assert int(image["width"]) <= 552 and int(image["height"]) > 0


def test_every_link_is_absolute_and_there_is_no_tracking(issue, edition, training_index):
    page = html_of(edition.html)
    hrefs = [a["href"] for a in page.find_all("a")]
    assert hrefs, "no links at all"
    for href in hrefs:
        assert href.startswith(("https://", "mailto:")), href
    assert "https://lscp.test/training/" in hrefs  # an internal page link in the rich text
    assert "https://lscp.test/subscribe/" in hrefs  # the sign-up prompt
    # No tracking: no 1x1 images, no redirecting links, no query strings added to links.
    assert all("?" not in href for href in hrefs if href.startswith("https://lscp.test"))
    # The masthead's logo and the issue's two pictures: nothing else.
    assert len(page.find_all("img")) == 3


def test_view_online_link_comes_first_and_points_at_the_issue(issue, edition):
    first = html_of(edition.html).select_one(".content a")
    assert first.get_text() == "View this issue online"
    assert first["href"] == "https://lscp.test/newsletter/march-2025/"
    assert "View this issue online: https://lscp.test/newsletter/march-2025/" in edition.text


def test_layout_is_tables_with_inlined_css(edition):
    page = html_of(edition.html)
    assert page.select("table[role=presentation]")
    heading = page.find("h1")
    assert "font-size" in heading["style"]  # inlined by css-inline
    assert page.find("style")  # kept for the small-screen media query


def test_text_part_has_the_issue_the_links_and_the_footer(edition):
    text = edition.text
    assert "March Newsletter 2025" in text
    assert "LSCP SAFEGUARDING TRAINING IS CHANGING!" in text
    assert "our training pages (https://lscp.test/training/)" in text
    assert "lscp.info@leeds.gov.uk" in text and "mailto:" not in text
    assert "- Core training stays" in text
    assert "[Picture: Practitioners talking round a table at the focus group]" in text
    assert "Book your place on Child exploitation: https://www.leeds.gov.uk/" in text
    assert "<" not in text.replace("<https", "")  # no markup
    assert f"/subscribe/unsubscribe/{RECIPIENT_TOKEN}/" in text
    assert all(len(line) <= 78 or "://" in line for line in text.splitlines())


def test_html_to_text_keeps_lists_and_links():
    text = html_to_text(
        '<p>Read <a href="/training/">our courses</a>.</p><ol><li>One</li><li>Two</li></ol>'
    )
    assert text == "Read our courses (https://lscp.test/training/).\n\n1. One\n2. Two"


def test_personalised_links_are_the_subscription_apps_links(edition):
    (person,) = subscribers(1)
    text, html = edition.personalised(person.token)
    links = subscriber_links(person)
    for url in links.values():
        assert url in text and url in html
    assert RECIPIENT_TOKEN not in text + html


# --- Messages ------------------------------------------------------------------------------


def sample_message(edition, person, issue):
    template = MessageTemplate(edition)
    return template.email_for(
        to=person.email,
        token=person.token,
        message_id_value=email_edition.message_id(issue_id=issue.pk, subscriber_id=person.pk),
    )


def test_headers_are_rfc_8058_one_click_and_carry_the_list_id(edition, issue):
    (person,) = subscribers(1)
    message = sample_message(edition, person, issue)
    expected = list_headers(person)
    assert message.extra_headers["List-Unsubscribe"] == expected["List-Unsubscribe"]
    parsed = parse(message.prepared_bytes)
    unsubscribe = parsed["List-Unsubscribe"]
    # RFC 8058: an https URI in angle brackets (the POST target) and the one-click body.
    urls = re.findall(r"<([^>]+)>", unsubscribe)
    assert urls[0] == subscriber_links(person)["unsubscribe_url"]
    assert urls[0].startswith("https://")
    assert urls[1].startswith("mailto:")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["List-Id"] == "LSCP newsletter <newsletter.lscp.test>"
    # Not RFC 2047 encoded (list headers must not be), every line within RFC 5322's limit.
    raw_headers = message.prepared_bytes.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" not in b"\r\n".join(
        line for line in raw_headers.split(b"\r\n") if not line.startswith(b"Subject")
    )
    assert all(len(line) <= 998 for line in message.prepared_bytes.split(b"\r\n"))


def test_one_click_unsubscribe_from_the_header_works(client, edition, issue):
    (person,) = subscribers(1)
    parsed = parse(sample_message(edition, person, issue).prepared_bytes)
    url = re.findall(r"<(https://[^>]+)>", parsed["List-Unsubscribe"])[0]
    response = client.post(url.removeprefix("https://lscp.test"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.status == "unsubscribed"


def test_prepared_bytes_say_what_the_ordinary_message_says(edition, issue):
    """The fast path (bytes joined from a template) and Django's own serialisation give the
    same parts, the same headers and the same per-recipient links."""
    people = subscribers(3)
    template = MessageTemplate(edition)
    for person in people:
        message = template.email_for(
            to=person.email, token=person.token, message_id_value=f"<m{person.pk}@lscp.test>"
        )
        fast = parse(message.prepared_bytes)
        slow = parse(
            super(email_edition.PreparedEmail, message).message(policy=email.policy.SMTP).as_bytes()
        )
        for name in ("Subject", "From", "To", "List-Unsubscribe-Post", "List-Id", "Message-ID"):
            assert str(fast[name]) == str(slow[name]), name
        assert str(fast["List-Unsubscribe"]) == str(slow["List-Unsubscribe"])
        assert fast["To"] == person.email
        fast_parts = [p.get_content() for p in fast.walk() if not p.is_multipart()]
        slow_parts = [p.get_content() for p in slow.walk() if not p.is_multipart()]
        assert fast_parts == slow_parts
        text, html = edition.personalised(person.token)
        normalised = [part.replace("\r\n", "\n").rstrip("\n") for part in fast_parts]
        assert normalised == [text.rstrip("\n"), html.rstrip("\n")]
        assert [p.get_content_type() for p in fast.walk()] == [
            "multipart/alternative",
            "text/plain",
            "text/html",
        ]
        assert all(len(line) <= 998 for line in message.prepared_bytes.split(b"\r\n"))


@pytest.mark.parametrize("size", [0, 1, 75, 76, 77, 200, 5000])
def test_quoted_printable_pieces_decode_to_the_text_around_the_token(size):
    import binascii

    content = ("é" + "a" * size + " ") + RECIPIENT_TOKEN + ("=b\n" * (size // 3)) + RECIPIENT_TOKEN
    pieces = email_edition._encoded_body_pieces(content, cte="quoted-printable", charset="utf-8")
    data = b"".join(p if isinstance(p, bytes) else b"TOKEN-xyz" for p in pieces)
    assert all(len(line) <= 76 for line in data.split(b"\r\n"))
    expected = content.replace(RECIPIENT_TOKEN, "TOKEN-xyz").replace("\n", "\r\n") + "\r\n"
    assert binascii.a2b_qp(data).decode() == expected


def test_test_email_is_marked_and_goes_to_the_typed_addresses(
    issue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_test(issue=issue, addresses=["editor@example.org"], user=None)
    (message,) = mail.outbox
    assert message.to == ["editor@example.org"]
    assert (
        message.subject == "[Test] March Newsletter 2025: Leeds Safeguarding Children Partnership"
    )
    html = message.alternatives[0].content
    assert "View this issue online" in html
    assert "/subscribe/unsubscribe/example-link-in-a-test-email/" in message.body


@override_settings(NEWSLETTER_LIST_ID="Leeds SCP practitioners <practitioners.example.org>")
def test_list_id_can_be_set(edition, issue):
    (person,) = subscribers(1)
    message = sample_message(edition, person, issue)
    assert message.extra_headers["List-Id"] == "Leeds SCP practitioners <practitioners.example.org>"


def test_the_newsletter_smtp_backend_passes_plain_addresses_and_checks_the_rest():
    backend = email_edition.NewsletterSMTPBackend()
    assert backend.prep_address("reader.one+news@example.org") == "reader.one+news@example.org"
    with pytest.raises(ValueError):
        backend.prep_address("someone@example.org\r\nBcc: victim@example.org")
    with pytest.raises(ValueError):
        backend.prep_address("one@example.org, two@example.org")
