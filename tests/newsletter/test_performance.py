"""Pages run a small number of queries, the same however many issues or sections there are,
both on the first view after a change (the cached fragments cold) and on the views after it
(the fragments warm)."""

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

import pytest

from lscp_site import pagecache
from newsletter.queries import latest_issue
from tests.newsletter.factories import item, make_issue, make_issues, section

# Most of a warm view is Wagtail's (the site, the pages on the way, view restrictions) and
# the layout's (site settings, the sign-up box's topics).
MAX_WARM_QUERIES = 10
MAX_COLD_QUERIES = 16


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Every request runs the view (the page cache would serve repeats with no query)."""
    settings.PAGE_CACHE_ENABLED = False


def queries_for(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def cold_and_warm(client, paths):
    """{path: (queries on the first view after a change, queries on the next view)}."""
    counts = {}
    for path in paths:
        pagecache.invalidate_pages()  # a publish: every fragment is rendered afresh
        counts[path] = (queries_for(client, path), queries_for(client, path))
    return counts


ARCHIVE_PATHS = ["/newsletter/", "/newsletter/2010/", "/newsletter/?page=2"]


def test_archive_and_year_pages_run_the_same_few_queries_for_14_or_200_issues(
    client, newsletter_index
):
    make_issues(newsletter_index, 14, first=datetime.date(2010, 1, 1))
    client.get("/newsletter/")  # fills what stays cached between requests (site root paths)
    few = cold_and_warm(client, ARCHIVE_PATHS)

    make_issues(newsletter_index, 186, first=datetime.date(2011, 3, 1))
    many = cold_and_warm(client, ARCHIVE_PATHS)

    assert many == few
    for cold, warm in many.values():
        assert warm < cold <= MAX_COLD_QUERIES
        assert warm <= MAX_WARM_QUERIES


@pytest.fixture
def images(db):
    return [
        Image.objects.create(title=f"Picture {number}", file=get_test_image_file())
        for number in range(20)
    ]


def rich_sections(count, images, target):
    return [
        section(
            f"Section {number}",
            image=images[number].pk,
            image_alt=f"Picture {number}",
            calls_to_action=[item({"link_text": f"Read more {number}", "page": target.pk})],
        )
        for number in range(count)
    ]


def test_an_issue_runs_the_same_few_queries_with_1_or_20_sections_with_pictures(
    client, newsletter_index, images
):
    one = make_issue(
        newsletter_index,
        datetime.date(2025, 1, 1),
        body=[
            *rich_sections(1, images, newsletter_index),
            {"type": "signup_prompt", "value": None},
        ],
    )
    twenty = make_issue(
        newsletter_index,
        datetime.date(2025, 2, 1),
        body=[
            *rich_sections(20, images, newsletter_index),
            {"type": "signup_prompt", "value": None},
        ],
    )
    # The first views make the picture renditions; after that they are only read.
    for issue in (one, twenty):
        client.get(issue.url)

    counts = cold_and_warm(client, [one.url, twenty.url])
    assert counts[one.url] == counts[twenty.url]
    cold, warm = counts[twenty.url]
    assert warm < cold <= MAX_COLD_QUERIES
    assert warm <= MAX_WARM_QUERIES

    # With nothing cached at all (renditions included), both read the same number of times.
    cache.clear()
    one_section = queries_for(client, one.url)
    cache.clear()
    twenty_sections = queries_for(client, twenty.url)
    assert twenty_sections == one_section
    assert client.get(twenty.url).content.count(b"<picture>") == 20


def test_an_issue_with_more_issues_around_it_runs_the_same_queries(client, newsletter_index):
    make_issues(newsletter_index, 3, first=datetime.date(2010, 1, 1))
    middle = "/newsletter/february-2010/"
    client.get(middle)
    few = cold_and_warm(client, [middle])

    make_issues(newsletter_index, 200, first=datetime.date(2011, 1, 1))
    assert cold_and_warm(client, [middle]) == few


def test_home_page_latest_issue_costs_a_fixed_number_of_queries(
    newsletter_index, django_assert_max_num_queries
):
    make_issues(newsletter_index, 30, sections=20)

    with django_assert_max_num_queries(2):
        latest = latest_issue()
    assert len(latest.contents) == 20
