"""Site search over issues, courses and events."""

import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from bs4 import BeautifulSoup

from home.views import search_results
from newsletter.importer import import_issue_file
from tests.newsletter.factories import make_course, make_event, make_issue, section

SEED = Path(settings.BASE_DIR) / "home" / "demo_content" / "march-2025-newsletter.txt"


def results(response):
    page = BeautifulSoup(response.content, "html.parser")
    return [
        (
            item.h3.a.get_text(strip=True),
            item.h3.a["href"],
            item.select_one(".meta").get_text(strip=True),
            (item.select("p")[-1].get_text(strip=True) if len(item.select("p")) > 1 else ""),
        )
        for item in page.select(".search-results__item")
    ]


@pytest.fixture
def twelve_issues(newsletter_index):
    """An issue a month through 2020, each with a section on harmful sexual behaviour: two
    pages of results for "harmful"."""
    for number in range(12):
        make_issue(
            newsletter_index,
            datetime.date(2020, number + 1, 1),
            body=[section("Harmful sexual behaviour", "<p>Guidance on harmful behaviour.</p>")],
        )


@pytest.fixture
def seeded(newsletter_index, event_index, training_index):
    import_issue_file(SEED, publish=True)
    return newsletter_index


def test_searching_neglect_finds_the_march_2025_issue(client, seeded):
    response = client.get("/search/", {"q": "neglect"})

    assert response.status_code == 200
    found = results(response)
    assert found[0][:3] == (
        "March Newsletter",
        "/newsletter/march-2025/",
        "Newsletter issue, March 2025",
    )
    assert found[0][3].startswith("A new approach to LSCP safeguarding training")


def test_search_finds_courses_and_events_with_their_summaries(
    client, home_page, event_index, training_index
):
    make_course(training_index, "Working Together to Safeguard Children")
    make_event(
        event_index,
        "Mental Health Awareness Week",
        datetime.date(2025, 5, 12),
        summary="A week on children's mental health and wellbeing.",
    )

    courses = results(client.get("/search/", {"q": "Working Together"}))
    events = results(client.get("/search/", {"q": "wellbeing"}))

    assert courses[0][:3] == (
        "Working Together to Safeguard Children",
        "/training/working-together-to-safeguard-children/",
        "Training course",
    )
    assert courses[0][3] == "What Working Together to Safeguard Children covers and why it matters."
    assert events == [
        (
            "Mental Health Awareness Week",
            events[0][1],
            "Date for your diary",
            "A week on children's mental health and wellbeing.",
        )
    ]


def test_search_leaves_out_drafts(client, newsletter_index):
    make_issue(
        newsletter_index,
        datetime.date(2025, 5, 1),
        body=[section("Trafficking", "<p>Modern slavery briefing.</p>")],
        live=False,
    )

    assert results(client.get("/search/", {"q": "slavery"})) == []


@pytest.mark.usefixtures("twelve_issues")
def test_search_results_are_paginated_and_keep_the_query(client):
    page_one = client.get("/search/", {"q": "harmful"})
    page_two = client.get("/search/", {"q": "harmful", "page": 2})

    assert len(results(page_one)) == 10
    assert len(results(page_two)) == 2
    soup = BeautifulSoup(page_one.content, "html.parser")
    assert soup.h2.get_text(strip=True) == "12 results for “harmful”"
    assert soup.select_one(".pagination a[rel=next]")["href"] == "?q=harmful&page=2"
    assert soup.select_one("meta[name=robots]")["content"] == "noindex, follow"


def test_an_empty_search_shows_the_form_only(client, home_page):
    response = client.get("/search/")
    page = BeautifulSoup(response.content, "html.parser")
    assert response.status_code == 200
    assert page.select_one("input#search-q") is not None
    assert page.select(".search-results") == []


def test_a_search_with_no_results_suggests_where_to_look(client, home_page):
    page = BeautifulSoup(client.get("/search/", {"q": "zebra"}).content, "html.parser")
    assert "Nothing matched" in page.main.get_text()
    assert page.main.find("a", href="/newsletter/") is not None


def test_a_silly_page_number_shows_a_real_page(client, seeded):
    assert client.get("/search/", {"q": "neglect", "page": "abc"}).status_code == 200
    assert client.get("/search/", {"q": "neglect", "page": "999"}).status_code == 200


@pytest.mark.usefixtures("twelve_issues")
def test_search_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert client.get("/search/", {"q": "harmful"}).status_code == 200


def test_results_of_every_kind_say_what_they_are_in_a_query_per_kind(
    client, newsletter_index, event_index, training_index, django_assert_num_queries
):
    from lscp_site.models import ContentPage

    issue = make_issue(newsletter_index, datetime.date(2025, 3, 1), summary="Kestrel issue news.")
    make_course(training_index, "Kestrel course")
    make_event(event_index, "Kestrel day", datetime.date(2025, 5, 12), summary="Kestrel event.")
    page = ContentPage(
        title="Kestrel help",
        slug="kestrel-help",
        introduction="Kestrel intro.",
        body="<p>Help.</p>",
    )
    newsletter_index.get_parent().add_child(instance=page)
    page.save_revision().publish()
    for index in (newsletter_index, event_index, training_index):
        index.title = f"{index.title} Kestrel"
        index.save_revision().publish()
    issue.search_description = "Kestrel description chosen by the editor."
    issue.save_revision().publish()
    found = {
        title: (kind, text)
        for title, _, kind, text in results(client.get("/search/", {"q": "Kestrel"}))
    }

    assert found["March Newsletter"] == (
        "Newsletter issue, March 2025",
        "Kestrel description chosen by the editor.",
    )
    assert found["Kestrel course"] == (
        "Training course",
        "What Kestrel course covers and why it matters.",
    )
    assert found["Kestrel day"] == ("Date for your diary", "Kestrel event.")
    assert found["Kestrel help"] == ("Page", "Kestrel intro.")
    assert {kind for kind, _ in found.values()} >= {
        "Newsletter",
        "Training",
        "Dates for your diary",
    }


@pytest.fixture
def varied_pages(seeded, event_index, training_index):
    """Pages that match the test queries to different degrees: in the title, the body, both,
    once or many times."""
    make_issue(
        seeded,
        datetime.date(2024, 11, 1),
        title="Safeguarding Newsletter",
        body=[section("Neglect", "<p>Safeguarding, safeguarding and neglect training.</p>")],
    )
    make_issue(
        seeded,
        datetime.date(2024, 12, 1),
        body=[section("Training", "<p>Working together on neglect.</p>")],
    )
    make_course(training_index, "Neglect training for safeguarding leads")
    make_event(event_index, "Safeguarding week", datetime.date(2025, 5, 12))
    make_event(
        event_index,
        "Kestrel awareness day",  # one word in the title, the other in the body
        datetime.date(2025, 6, 2),
        summary="A falcon briefing for safeguarding practitioners.",
    )


def test_editors_page_search_in_the_admin_uses_the_same_backend(admin_client, varied_pages):
    response = admin_client.get("/admin/pages/search/", {"q": "kestrel"})

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert "Kestrel awareness day" in page.get_text()
    assert "Safeguarding week" not in page.get_text()


@pytest.mark.usefixtures("twelve_issues", "fragments_kept_long")
def test_a_search_asked_again_reads_its_results_from_their_fragment(client):
    def asked():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", {"q": "harmful", "page": 2})
        return len(queries), results(response)

    client.get("/search/", {"q": "guidance"})  # what any search reads once (site, settings)
    cold, cold_results = asked()
    warm, warm_results = asked()

    # The ranked page of results, the query describing them and the site whose addresses
    # their links are written with are not read again.
    assert warm == cold - 3
    assert warm_results == cold_results
    assert len(warm_results) == 2


@pytest.mark.parametrize("kept", ["pages", "fragments"])
def test_a_search_asked_again_follows_every_change_to_the_site_at_once(
    client, newsletter_index, settings, kept
):
    """Publishing, editing, restricting and unpublishing a page all show on the next search,
    with the page cache on, and with it off and the results' fragment kept."""
    from wagtail.models import PageViewRestriction

    if kept == "fragments":
        settings.PAGE_CACHE_ENABLED = False
        settings.PAGE_CACHE_SECONDS = 365 * 24 * 60 * 60

    client.get("/search/", {"q": "kestrel"})
    assert results(client.get("/search/", {"q": "kestrel"})) == []

    issue = make_issue(
        newsletter_index,
        datetime.date(2025, 4, 1),
        body=[section("Kestrel", "<p>Kestrel awareness.</p>")],
    )
    assert [title for title, *_ in results(client.get("/search/", {"q": "kestrel"}))] == [
        "April Newsletter"
    ]

    issue.title = "Kestrel special"
    issue.save_revision().publish()
    assert [title for title, *_ in results(client.get("/search/", {"q": "kestrel"}))] == [
        "Kestrel special"
    ]

    restriction = PageViewRestriction.objects.create(
        page=issue, restriction_type=PageViewRestriction.PASSWORD, password="kept-private"
    )
    assert results(client.get("/search/", {"q": "kestrel"})) == []
    restriction.delete()
    assert len(results(client.get("/search/", {"q": "kestrel"}))) == 1

    issue.unpublish()
    assert results(client.get("/search/", {"q": "kestrel"})) == []


@pytest.mark.usefixtures("twelve_issues")
def test_each_page_of_results_shows_its_own_results_cached_or_not(client):

    def shown(page):
        response = client.get("/search/", {"q": "harmful", "page": page})
        soup = BeautifulSoup(response.content, "html.parser")
        return soup.select_one(".search-results")["start"], len(results(response))

    for _ in range(2):  # rendered, then from the page cache where it may keep it
        assert shown(1) == ("1", 10)
        assert shown(2) == ("11", 2)
        assert shown("abc") == ("1", 10)  # not a number: the first page
        assert shown(999) == ("11", 2)  # past the end: the last page
        assert shown(0) == ("11", 2)  # as Django's paginator answers


def test_a_search_on_postgresql_can_use_the_title_and_body_index(seeded):
    """Wagtail's backend matches ``(title || body)``; the index of home's migration 0002
    must be on that same expression, or every search reads every entry."""
    if connection.vendor != "postgresql":
        pytest.skip("the index is PostgreSQL's; SQLite searches its FTS5 table")
    with CaptureQueriesContext(connection) as queries:
        assert list(search_results("neglect")[:10])
    matched = '("wagtailsearch_indexentry"."title" || "wagtailsearch_indexentry"."body") @@'
    assert matched in queries.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM wagtailsearch_indexentry "
            "WHERE (title || body) @@ to_tsquery('neglect')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "home_search_title_body_gin" in plan, plan
