"""The archive's listing (newsletter.queries.archive): its years, worked out once per change
of the site's pages, and each page of issues fetched from the years it falls in.

Run with the page cache off, so every request renders: what is tested is what a reader sees
on the first request after each change, not a cached page.
"""

import datetime

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

import pytest

from lscp_site import pagecache
from newsletter import queries
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
def test_every_page_of_the_archive_holds_what_the_orm_would_give(newsletter_index, per_page):
    # Uneven years: 1 issue in 2015, none in 2016, 12 in 2017, 3 in 2018, 9 in 2019 ...
    make_issues(newsletter_index, 1, first=datetime.date(2015, 6, 1))
    make_issues(newsletter_index, 15, first=datetime.date(2017, 1, 1))
    make_issues(newsletter_index, 9, first=datetime.date(2019, 4, 1))
    hidden = make_issue(newsletter_index, datetime.date(2018, 6, 1))
    PageViewRestriction.objects.create(page=hidden, restriction_type="login")
    make_issue(newsletter_index, datetime.date(2019, 2, 1), live=False)
    index = newsletter_index.specific

    expected = [issue.slug for issue in queries.published_issues()]
    assert len(expected) == 25
    listing, years = queries.archive(index=index)
    assert years == [2019, 2018, 2017, 2015]
    paginator = Paginator(listing, per_page)
    assert paginator.count == 25
    shown = [
        row["slug"] for number in paginator.page_range for row in paginator.page(number).object_list
    ]
    assert shown == expected
    for year in years:
        in_year, _ = queries.archive(index=index, year=year)
        rows = list(Paginator(in_year, per_page).page(1).object_list)
        wanted = [issue.slug for issue in queries.published_issues().filter(issue_date__year=year)]
        assert [row["slug"] for row in rows] == wanted[:per_page]


def test_a_page_past_the_end_shows_the_last_page(client, newsletter_index):
    make_issues(newsletter_index, 14, first=datetime.date(2020, 1, 1))

    assert card_links(client, "/newsletter/?page=99") == [
        "/newsletter/february-2020/",
        "/newsletter/january-2020/",
    ]


# ---- the years, worked out once per change -----------------------------------------------


def test_the_years_are_counted_once_per_change_not_on_every_render(client, newsletter_index):
    make_issues(newsletter_index, 30, first=datetime.date(2018, 1, 1))
    client.get("/newsletter/")

    with CaptureQueriesContext(connection) as queries_run:
        client.get("/newsletter/")
        client.get("/newsletter/?page=2")
        client.get("/newsletter/2019/")
    assert not [q for q in queries_run.captured_queries if "COUNT(" in q["sql"]]

    make_issue(newsletter_index, datetime.date(2021, 1, 1))
    with CaptureQueriesContext(connection) as queries_run:
        client.get("/newsletter/")
    assert len([q for q in queries_run.captured_queries if "COUNT(" in q["sql"]]) == 1


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
    """Each page of the listing is rendered once per change of the site's pages and read
    back after (NewsletterIndexPage.get_context): a repeat fetches no issue, and an edit
    to an issue, a new issue or one unpublished shows on the next view."""
    make_issues(newsletter_index, 14, first=datetime.date(2024, 1, 1))
    client.get("/newsletter/")

    def cards(address):
        return [
            (card.select_one("a").get_text(strip=True), card.select_one("p:last-child").text)
            for card in soup(client.get(address)).select("main .issue-card")
        ]

    with CaptureQueriesContext(connection) as queries_run:
        first_page = cards("/newsletter/")
    assert not [q for q in queries_run.captured_queries if "newsletterissuepage" in q["sql"]]
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


# ---- pagecache.remembered ----------------------------------------------------------------


def test_remembered_works_a_value_out_once_per_generation():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert pagecache.remembered("test:value", compute) == 1
    assert pagecache.remembered("test:value", compute) == 1
    pagecache.invalidate_pages()
    assert pagecache.remembered("test:value", compute) == 2
    assert pagecache.remembered("test:other", compute) == 3


def test_a_value_worked_out_while_the_content_changed_is_not_kept():
    # The generation is read before compute(): a change during it leaves the value behind.
    values = iter(["from the old content", "from the new content"])

    def compute_during_a_change():
        value = next(values)
        if value == "from the old content":
            pagecache.invalidate_pages()
        return value

    assert pagecache.remembered("test:racy", compute_during_a_change) == "from the old content"
    assert pagecache.remembered("test:racy", compute_during_a_change) == "from the new content"


def test_without_the_shared_cache_the_value_is_worked_out_every_time(monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", unreachable)
    monkeypatch.setattr(pagecache, "_get_many", unreachable)
    calls = []
    for _ in range(2):
        pagecache.remembered("test:down", lambda: calls.append(1) or len(calls))
    assert len(calls) == 2


def test_a_value_remembered_until_a_moment_is_worked_out_again_from_then(settings):
    from django.utils import timezone

    import time_machine

    settings.PAGE_CACHE_SECONDS = 24 * 60 * 60  # the cache's own expiry is not what ends it
    start = timezone.now()
    moment = start + datetime.timedelta(minutes=30)
    calls = []

    def compute():
        calls.append(1)
        return len(calls), moment

    with time_machine.travel(start, tick=False):
        assert pagecache.remembered_until("test:until", compute) == 1
    with time_machine.travel(moment - datetime.timedelta(seconds=1), tick=False):
        assert pagecache.remembered_until("test:until", compute) == 1
    with time_machine.travel(moment, tick=False):
        assert pagecache.remembered_until("test:until", compute) == 2
