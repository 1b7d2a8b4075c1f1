"""The archive's listing: its pages of issue cards and its years, kept per change of the
site's content ({% cachefragment "archive" %}) and right on the first view after each change.

Run with the page cache off, so every request renders: what is tested is what a reader sees
on the first request after each change, not a cached page.
"""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

import pytest

from newsletter.dates import issue_slug
from newsletter.models import NewsletterIndexPage
from tests.newsletter.factories import make_issue, make_issues
from tests.newsletter.test_pages import soup


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


def year_links(client, address="/newsletter/"):
    return [a.get_text() for a in soup(client.get(address)).select(".year-nav a")]


def card_links(client, address):
    return [a["href"] for a in soup(client.get(address)).select("main .issue-card a")]


# ---- each page of the listing ------------------------------------------------------------


@pytest.mark.parametrize("per_page", [1, 5, 12, 13, 40])
def test_paging_through_the_archive_shows_every_readable_issue_once_newest_first(
    client, newsletter_index, per_page, monkeypatch
):
    # Uneven years: 1 issue in 2015, none in 2016, 12 in 2017, 3 in 2018, 9 in 2019 ...
    make_issues(newsletter_index, 1, first=datetime.date(2015, 6, 1))
    make_issues(newsletter_index, 15, first=datetime.date(2017, 1, 1))
    make_issues(newsletter_index, 9, first=datetime.date(2019, 4, 1))
    hidden = make_issue(newsletter_index, datetime.date(2018, 6, 1))
    PageViewRestriction.objects.create(page=hidden, restriction_type="login")
    make_issue(newsletter_index, datetime.date(2019, 2, 1), live=False)
    monkeypatch.setattr(NewsletterIndexPage, "issues_per_page", per_page)

    def every_page(address):
        shown, number = [], 1
        while (response := client.get(f"{address}?page={number}")).status_code == 200:
            shown += [a["href"] for a in soup(response).select("main .issue-card a")]
            number += 1
        return shown

    months = [datetime.date(2015, 6, 1)]
    months += [datetime.date(2017 + n // 12, n % 12 + 1, 1) for n in range(15)]
    months += [datetime.date(2019, 4 + n, 1) for n in range(9)]
    expected = [f"/newsletter/{issue_slug(day)}/" for day in sorted(months, reverse=True)]
    assert every_page("/newsletter/") == expected
    assert year_links(client) == ["2019 issues", "2018 issues", "2017 issues", "2015 issues"]
    for year in (2019, 2018, 2017, 2015):
        in_year = [
            address
            for address, day in zip(expected, sorted(months, reverse=True), strict=True)
            if day.year == year
        ]
        assert every_page(f"/newsletter/{year}/") == in_year


# ---- the years and the cards follow every change ---------------------------------------


def test_publishing_an_issue_in_a_new_year_shows_its_year_at_once(client, newsletter_index):
    make_issue(newsletter_index, datetime.date(2024, 3, 1))
    assert year_links(client) == []  # one year: no year links

    issue = make_issue(newsletter_index, datetime.date(2025, 3, 1), live=False)
    assert client.get("/newsletter/2025/").status_code == 404
    issue.get_latest_revision().publish()

    assert year_links(client) == ["2025 issues", "2024 issues"]
    assert card_links(client, "/newsletter/2025/") == ["/newsletter/march-2025/"]


def test_unpublishing_deleting_or_restricting_the_only_issue_of_a_year_drops_the_year(
    client, newsletter_index
):
    make_issue(newsletter_index, datetime.date(2024, 3, 1))
    issues = [make_issue(newsletter_index, datetime.date(year, 3, 1)) for year in (2021, 2022)]
    restricted = make_issue(newsletter_index, datetime.date(2023, 3, 1))
    assert year_links(client) == ["2024 issues", "2023 issues", "2022 issues", "2021 issues"]

    issues[0].unpublish()
    assert year_links(client) == ["2024 issues", "2023 issues", "2022 issues"]
    assert client.get("/newsletter/2021/").status_code == 404

    issues[1].delete()
    assert year_links(client) == ["2024 issues", "2023 issues"]

    restriction = PageViewRestriction.objects.create(page=restricted, restriction_type="login")
    assert year_links(client) == []
    assert client.get("/newsletter/2023/").status_code == 404

    restriction.delete()
    assert year_links(client) == ["2024 issues", "2023 issues"]


def test_moving_an_issue_to_another_date_moves_it_between_years(client, newsletter_index):
    make_issue(newsletter_index, datetime.date(2024, 3, 1))
    issue = make_issue(newsletter_index, datetime.date(2023, 3, 1))
    assert year_links(client) == ["2024 issues", "2023 issues"]

    issue.issue_date = datetime.date(2022, 12, 1)
    issue.save_revision().publish()

    assert year_links(client) == ["2024 issues", "2022 issues"]
    assert card_links(client, "/newsletter/2022/") == [issue.specific.get_url()]


def test_a_page_of_cards_is_written_once_per_change_and_follows_edits_at_once(
    client, newsletter_index
):
    """Each page of the listing is rendered once per change of the site's content and read
    back after ({% cachefragment "archive" %}): a repeat only counts the issues, and an
    edit to an issue, a new issue or one unpublished shows on the next view."""
    make_issues(newsletter_index, 14, first=datetime.date(2024, 1, 1))
    client.get("/newsletter/")

    def cards(address):
        return [
            (card.select_one("a").get_text(strip=True), card.select_one("p:last-child").text)
            for card in soup(client.get(address)).select("main .issue-card")
        ]

    with CaptureQueriesContext(connection) as queries_run:
        first_page = cards("/newsletter/")
    issue_queries = [q["sql"] for q in queries_run if "newsletterissuepage" in q["sql"]]
    assert len(issue_queries) == 1 and "COUNT(" in issue_queries[0]
    assert len(first_page) == 12
    assert first_page[0] == ("February Newsletter 2025", "What is in the February 2025 issue.")

    latest = newsletter_index.get_children().live().specific().get(slug="february-2025")
    latest.summary = "Neglect guidance and a new course."
    latest.save_revision().publish()
    assert cards("/newsletter/")[0] == ("February Newsletter 2025", latest.summary)
    assert cards("/newsletter/2025/")[0] == ("February Newsletter 2025", latest.summary)

    make_issue(newsletter_index, datetime.date(2025, 3, 1))
    assert cards("/newsletter/")[0][0] == "March Newsletter 2025"
    assert [title for title, _ in cards("/newsletter/?page=2")] == [
        "March Newsletter 2024",
        "February Newsletter 2024",
        "January Newsletter 2024",
    ]

    latest.unpublish()
    assert [title for title, _ in cards("/newsletter/2025/")] == [
        "March Newsletter 2025",
        "January Newsletter 2025",
    ]


def test_the_page_cache_keeps_only_the_archive_pages_its_links_ask_for(
    client, newsletter_index, settings
):
    from lscp_site.models import SiteSettings

    settings.PAGE_CACHE_ENABLED = True
    SiteSettings.load()  # made on first use, which is a change: made before the first view
    make_issues(newsletter_index, 14, first=datetime.date(2024, 1, 1))

    def served(address):
        return [client.get(address).get("X-Cache") for _ in range(2)]

    assert served("/newsletter/") == ["miss", "hit"]
    assert served("/newsletter/?page=2") == ["miss", "hit"]
    assert served("/newsletter/2024/") == ["miss", "hit"]
    # The first page as ?page=1 is the same page under another address: not kept again.
    assert served("/newsletter/?page=1") == ["bypass", "bypass"]
    for address in ("/newsletter/?page=3", "/newsletter/?page=x", "/newsletter/?page=2&x=1"):
        assert client.get(address).status_code in (200, 404)
        assert client.get(address).get("X-Cache") != "hit", address
