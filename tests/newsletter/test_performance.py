"""Pages run a small number of queries, the same however many issues or sections there are."""

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

import pytest

from tests.newsletter.factories import item, make_issue, make_issues, section

MAX_QUERIES = 12


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Every request runs the view (the page cache would serve repeats with no query)."""
    settings.PAGE_CACHE_ENABLED = False


def queries_for(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def warm_up(client, *paths):
    """First views fill what stays cached between requests (site root paths, settings)."""
    for path in paths:
        queries_for(client, path)


def test_archive_and_year_pages_run_the_same_few_queries_for_2_or_200_issues(
    client, newsletter_index, django_assert_max_num_queries
):
    make_issues(newsletter_index, 2, first=datetime.date(2010, 1, 1))
    warm_up(client, "/newsletter/")
    few = {path: queries_for(client, path) for path in ["/newsletter/", "/newsletter/2010/"]}

    make_issues(newsletter_index, 198, first=datetime.date(2010, 3, 1))
    # The first request after a change works out again what is kept per generation (the
    # site snapshot, the archive's years); the test is what every later request runs.
    warm_up(client, "/newsletter/")
    many = {path: queries_for(client, path) for path in ["/newsletter/", "/newsletter/2010/"]}

    assert many == few
    for path in ["/newsletter/", "/newsletter/2015/", "/newsletter/?page=5"]:
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(path).status_code == 200


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
    client, newsletter_index, images, django_assert_max_num_queries
):
    one = make_issue(
        newsletter_index,
        datetime.date(2025, 1, 1),
        body=rich_sections(1, images, newsletter_index),
    )
    twenty = make_issue(
        newsletter_index,
        datetime.date(2025, 2, 1),
        body=[
            *rich_sections(20, images, newsletter_index),
            {"type": "signup_prompt", "value": None},
        ],
    )
    # The first view makes the image renditions; after that they are only read.
    warm_up(client, one.url, twenty.url)
    # With nothing cached (renditions included), both read the same number of times.
    cache.clear()
    one_section = queries_for(client, one.url)
    cache.clear()
    twenty_sections = queries_for(client, twenty.url)

    assert twenty_sections == one_section
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(twenty.url)
    assert response.content.count(b"<img") == 20


def test_home_page_latest_issue_costs_a_fixed_number_of_queries(
    newsletter_index, django_assert_max_num_queries
):
    make_issues(newsletter_index, 30, sections=20)
    from newsletter.queries import latest_issue

    with django_assert_max_num_queries(2):
        latest = latest_issue()
    assert len(latest.contents) == 20
