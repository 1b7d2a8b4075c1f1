"""The RSS and Atom feeds of issues, read with feedparser as a feed reader would."""

import datetime
import json

import feedparser
import pytest
import time_machine
from bs4 import BeautifulSoup

from tests.newsletter.factories import make_issue


@pytest.fixture
def issues(newsletter_index):
    with time_machine.travel(datetime.datetime(2025, 2, 3, 9, 0, tzinfo=datetime.UTC)):
        make_issue(newsletter_index, datetime.date(2025, 2, 1), summary="February's news.")
    with time_machine.travel(datetime.datetime(2025, 3, 4, 9, 0, tzinfo=datetime.UTC)):
        make_issue(newsletter_index, datetime.date(2025, 3, 1), summary="Training is changing.")
    make_issue(newsletter_index, datetime.date(2025, 4, 1), live=False)


def test_rss_feed_lists_published_issues_newest_first(client, issues):
    response = client.get("/newsletter/feed/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert feed.version == "rss20"
    assert feed.feed.title == "LSCP practitioners' newsletter"
    assert feed.feed.link == "https://lscp.test/newsletter/"
    assert [entry.title for entry in feed.entries] == [
        "March Newsletter 2025",
        "February Newsletter 2025",
    ]
    march = feed.entries[0]
    assert march.link == "https://lscp.test/newsletter/march-2025/"
    assert march.summary == "Training is changing."
    assert march.published_parsed[:5] == (2025, 3, 4, 9, 0)


def test_atom_feed_lists_the_same_issues_with_dates(client, issues):
    response = client.get("/newsletter/feed/atom/")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.version == "atom10"
    assert [entry.link for entry in feed.entries] == [
        "https://lscp.test/newsletter/march-2025/",
        "https://lscp.test/newsletter/february-2025/",
    ]
    february = feed.entries[1]
    assert february.summary == "February's news."
    assert february.updated_parsed[:3] == (2025, 2, 3)
    assert february.id == "https://lscp.test/newsletter/february-2025/"
    assert feed.feed.links[0].href in {
        "https://lscp.test/newsletter/",
        "https://lscp.test/newsletter/feed/atom/",
    }


def test_every_page_links_both_feeds_in_its_head(client, newsletter_index):
    make_issue(newsletter_index, datetime.date(2025, 3, 1))
    for path in ["/", "/newsletter/", "/newsletter/march-2025/", "/search/"]:
        head = BeautifulSoup(client.get(path).content, "html.parser").head
        feeds = {link["type"]: link["href"] for link in head.find_all("link", rel="alternate")}
        assert feeds == {
            "application/rss+xml": "/newsletter/feed/",
            "application/atom+xml": "/newsletter/feed/atom/",
        }, path


def test_feed_of_an_empty_archive_is_valid(client, newsletter_index):
    feed = feedparser.parse(client.get("/newsletter/feed/").content)
    assert not feed.bozo
    assert feed.entries == []


def test_a_back_issue_published_long_after_its_month_is_dated_in_its_month(
    client, newsletter_index
):
    # The March 2025 issue put on the site in December 2026 (the demo, or a late import).
    with time_machine.travel(datetime.datetime(2026, 12, 6, 15, 0, tzinfo=datetime.UTC)):
        make_issue(newsletter_index, datetime.date(2025, 3, 1), summary="Training is changing.")
        rss = feedparser.parse(client.get("/newsletter/feed/").content)
        atom = feedparser.parse(client.get("/newsletter/feed/atom/").content)
        page = BeautifulSoup(client.get("/newsletter/march-2025/").content, "html.parser")

    (rss_entry,) = rss.entries
    assert rss_entry.published_parsed[:4] == (2025, 3, 1, 9)
    (atom_entry,) = atom.entries
    assert atom_entry.published_parsed[:4] == (2025, 3, 1, 9)
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["datePublished"] == "2025-03-01T09:00:00+00:00"
    published_meta = page.find("meta", property="article:published_time")["content"]
    assert published_meta.startswith("2025-03-01T09:00:00")


def test_an_issue_published_in_or_before_its_month_keeps_its_publishing_date(
    client, newsletter_index
):
    with time_machine.travel(datetime.datetime(2025, 2, 27, 16, 0, tzinfo=datetime.UTC)):
        make_issue(newsletter_index, datetime.date(2025, 3, 1))
        rss = feedparser.parse(client.get("/newsletter/feed/").content)
    assert rss.entries[0].published_parsed[:4] == (2025, 2, 27, 16)
