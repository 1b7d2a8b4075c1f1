"""The diary through the anonymous page cache: each listing is kept for the query its own
links write (its valid filters and page number), any other query string is served fresh."""

import datetime

import pytest
import time_machine

from events.dates import LONDON
from events.models import EventIndexPage
from tests.events.conftest import cached
from tests.events.factories import make_event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_settings")]
TODAY = datetime.datetime(2025, 4, 15, 10, 0, tzinfo=LONDON)


@pytest.fixture
def diary_of_two_pages(diary, awareness_day):
    with time_machine.travel(TODAY, tick=False):
        for number in range(EventIndexPage.events_per_page + 1):
            make_event(
                diary,
                title=f"Date {number:02d}",
                start_date=datetime.date(2025, 5, 1) + datetime.timedelta(days=number),
                category=awareness_day,
            )
    with time_machine.travel(TODAY, tick=False):
        yield diary


@pytest.mark.parametrize(
    "url",
    [
        "/events/",
        "/events/?page=2",
        "/events/?category=awareness-days",
        "/events/?month=2025-05&category=awareness-days",
        "/events/?category=awareness-days&month=2025-05&page=2",
        "/events/?category=&month=",  # the form sent with nothing chosen
        "/events/past/",
        "/events/past/?month=2025-03",
        "/events/category/awareness-days/",
        "/events/category/awareness-days/?month=2025-05",
        "/events/mhaw-2025/",
    ],
)
def test_each_listing_and_filter_is_kept(client, diary_of_two_pages, url):
    if url.startswith("/events/mhaw"):
        make_event(diary_of_two_pages, slug="mhaw-2025", start_date=datetime.date(2025, 5, 12))
    cached(client, url)


@pytest.mark.parametrize(
    "url",
    [
        "/events/?page=1",
        "/events/?page=3",  # past the last page: the last page is shown
        "/events/?page=two",
        "/events/?month=2025-5",
        "/events/?colour=blue",
        "/events/?category=no-such-thing",
    ],
)
def test_a_query_the_page_would_not_write_is_served_fresh(client, diary_of_two_pages, url):
    for _ in range(2):
        assert client.get(url)["X-Cache"] == "bypass", url
