"""What the clock changes in the diary with nothing edited: an event leaves the upcoming
dates for the past ones the moment it ends, through the page cache and through the page of
cards kept as a fragment, and its own page says it has passed."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup

from events.dates import LONDON
from tests.events.conftest import cached
from tests.events.factories import make_event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_settings")]

# A morning briefing on 12 May 2025 is over at noon.
NOON = datetime.datetime(2025, 5, 12, 12, 0, tzinfo=LONDON)
BEFORE = NOON - datetime.timedelta(minutes=2)
JUST_BEFORE = NOON - datetime.timedelta(seconds=1)


@pytest.fixture
def briefing(diary, lscp_event, awareness_week):
    """The morning briefing, and a week that goes on after it (so listings hold something
    else, and a page of the diary shifts when the briefing leaves it)."""
    with time_machine.travel(BEFORE - datetime.timedelta(days=30), tick=False):
        make_event(
            diary,
            title="Mental Health Awareness Week",
            slug="mhaw",
            start_date=datetime.date(2025, 5, 12),
            end_date=datetime.date(2025, 5, 18),
            category=awareness_week,
        )
        return make_event(
            diary,
            title="Neglect briefing",
            slug="neglect-briefing",
            start_date=NOON.date(),
            start_time=datetime.time(9, 30),
            end_time=NOON.time(),
            category=lscp_event,
        )


def at(moment):
    return time_machine.travel(moment, tick=False)


def titles(response):
    page = BeautifulSoup(response.content, "html.parser")
    return [h3.get_text(strip=True) for h3 in page.select(".event-card h3")]


def months(response):
    page = BeautifulSoup(response.content, "html.parser")
    return [option["value"] for option in page.select("#id_month option") if option["value"]]


LISTINGS = {
    "/events/": ["Mental Health Awareness Week"],
    "/events/?category=lscp-events": [],
    "/events/?month=2025-05": ["Mental Health Awareness Week"],
    "/events/past/": ["Neglect briefing"],
    "/events/past/?category=lscp-events": ["Neglect briefing"],
}


def test_cached_listings_move_the_event_to_the_past_from_the_moment_it_ends(client, briefing):
    with at(BEFORE):
        assert titles(cached(client, "/events/")) == [
            "Mental Health Awareness Week",
            "Neglect briefing",
        ]
        assert titles(cached(client, "/events/?category=lscp-events")) == ["Neglect briefing"]
        assert titles(cached(client, "/events/?month=2025-05"))[-1] == "Neglect briefing"
        assert titles(cached(client, "/events/past/")) == []
        assert titles(cached(client, "/events/past/?category=lscp-events")) == []
    with at(JUST_BEFORE):
        for url in LISTINGS:
            assert client.get(url)["X-Cache"] == "hit", url
    with at(NOON):
        for url, expected in LISTINGS.items():
            response = client.get(url)
            assert response["X-Cache"] == "miss", url
            assert titles(response) == expected, url


def test_the_cards_kept_as_a_fragment_follow_the_clock_with_the_page_cache_off(
    client, briefing, settings
):
    settings.PAGE_CACHE_ENABLED = False
    with at(BEFORE):
        for _ in range(2):  # rendered, then read back
            assert titles(client.get("/events/"))[-1] == "Neglect briefing"
            assert titles(client.get("/events/past/")) == []
    with at(NOON):
        for url, expected in LISTINGS.items():
            assert titles(client.get(url)) == expected, url


def test_a_page_of_the_diary_shifts_when_an_event_on_an_earlier_page_ends(
    client, diary, awareness_day, lscp_event
):
    # 20 awareness days to come fill the first page; the 21st is on page 2 until the
    # briefing before them all is over.
    with at(BEFORE - datetime.timedelta(days=30)):
        make_event(
            diary,
            title="Neglect briefing",
            start_date=NOON.date(),
            start_time=datetime.time(9, 30),
            end_time=NOON.time(),
            category=lscp_event,
        )
        for number in range(20):
            make_event(
                diary,
                title=f"Day {number:02d}",
                start_date=datetime.date(2025, 6, 1) + datetime.timedelta(days=number),
                category=awareness_day,
            )
    with at(BEFORE):
        assert titles(cached(client, "/events/?page=2")) == ["Day 19"]
        assert titles(cached(client, "/events/"))[0] == "Neglect briefing"
    with at(NOON):
        # Page 2 is gone: the address shows the last page, fresh (never the stored page 2).
        second = client.get("/events/?page=2")
        assert second["X-Cache"] != "hit"
        assert titles(second)[-1] == "Day 19"
        first_page = titles(client.get("/events/"))
        assert first_page[0] == "Day 00"
        assert first_page[-1] == "Day 19"


def test_a_months_choice_goes_from_the_moment_its_last_event_ends(
    client, briefing, diary, awareness_day
):
    with at(BEFORE - datetime.timedelta(days=30)):
        make_event(
            diary,
            title="May webinar",
            start_date=datetime.date(2025, 5, 20),
            start_time=datetime.time(14),
            end_time=datetime.time(15),
            category=awareness_day,
        )
        make_event(diary, title="June", start_date=datetime.date(2025, 6, 2))
    may_over = datetime.datetime(2025, 5, 20, 15, 0, tzinfo=LONDON)
    with at(may_over - datetime.timedelta(minutes=1)):
        assert months(cached(client, "/events/")) == ["2025-05", "2025-06"]
        # No LSCP event is to come: only the months tell this listing when it changes.
        assert months(cached(client, "/events/?category=lscp-events")) == ["2025-05", "2025-06"]
    with at(may_over):
        for url in ("/events/", "/events/?category=lscp-events"):
            response = client.get(url)
            assert response["X-Cache"] == "miss"
            assert months(response) == ["2025-06"]


def test_the_past_months_gain_one_when_its_first_event_ends(client, briefing):
    with at(BEFORE):
        assert months(cached(client, "/events/past/")) == []
    with at(NOON):
        assert months(client.get("/events/past/")) == ["2025-05"]


def test_a_cached_event_page_says_it_has_passed_from_the_moment_it_ends(client, briefing):
    url = "/events/neglect-briefing/"
    with at(BEFORE):
        page = cached(client, url)
        assert b"This date has passed" not in page.content
        assert b"Add to calendar" in page.content
    with at(NOON):
        response = client.get(url)
        assert response["X-Cache"] == "miss"
        assert b"This date has passed" in response.content
        assert b"Add to calendar" not in response.content


def test_the_home_pages_next_dates_drop_an_event_from_the_moment_it_ends(client, briefing):
    def next_dates(response):
        page = BeautifulSoup(response.content, "html.parser")
        return [h3.get_text(strip=True) for h3 in page.select(".home-dates h3")]

    with at(BEFORE):
        assert next_dates(cached(client, "/")) == [
            "Mental Health Awareness Week",
            "Neglect briefing",
        ]
    with at(NOON):
        response = client.get("/")
        assert response["X-Cache"] == "miss"
        assert next_dates(response) == ["Mental Health Awareness Week"]
