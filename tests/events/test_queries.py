"""events.queries: what counts as upcoming and past, at the boundary, with the clock frozen."""

import datetime
import zoneinfo

from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
import time_machine

from events.listing import PAST, listed_events, readable
from events.models import EventIndexPage, EventPage
from events.queries import feed_events, upcoming_events
from tests.events.factories import make_event

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(year, month, day, hour=0, minute=0):
    """Freeze the clock at a Leeds wall-clock time."""
    return time_machine.travel(
        datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON), tick=False
    )


def titles(events):
    return [event.title for event in events]


def past_titles():
    """The diary's past events, now."""
    diary = EventIndexPage.objects.get()
    return titles(listed_events(diary_events_of(diary), listing=PAST, now=timezone.now()))


def test_an_all_day_event_is_upcoming_all_of_its_last_day_and_past_at_midnight(diary):
    make_event(
        diary,
        title="Mental Health Awareness Week",
        start_date=datetime.date(2025, 5, 12),
        end_date=datetime.date(2025, 5, 18),
    )
    with at(2025, 5, 18, 23, 59):
        assert titles(upcoming_events()) == ["Mental Health Awareness Week"]
        assert past_titles() == []
    with at(2025, 5, 19, 0, 0):
        assert titles(upcoming_events()) == []
        assert past_titles() == ["Mental Health Awareness Week"]


def test_a_timed_event_is_past_from_its_end_time_on_the_day(diary):
    make_event(
        diary,
        title="Webinar",
        start_date=datetime.date(2025, 5, 8),
        start_time=datetime.time(14),
        end_time=datetime.time(15),
    )
    with at(2025, 5, 8, 14, 59):
        assert titles(upcoming_events()) == ["Webinar"]
    with at(2025, 5, 8, 15, 0):
        assert titles(upcoming_events()) == []
        assert past_titles() == ["Webinar"]


def test_the_end_time_is_read_on_the_leeds_clock_in_summer(diary):
    # 3pm BST is 2pm UTC: at 2:30pm UTC the webinar is over.
    make_event(
        diary,
        title="Webinar",
        start_date=datetime.date(2025, 5, 8),
        start_time=datetime.time(14),
        end_time=datetime.time(15),
    )
    with time_machine.travel(datetime.datetime(2025, 5, 8, 14, 30, tzinfo=datetime.UTC)):
        assert titles(upcoming_events()) == []


def test_an_event_that_has_started_but_not_ended_is_still_upcoming(diary):
    make_event(
        diary,
        title="Safeguarding Week",
        start_date=datetime.date(2025, 6, 23),
        end_date=datetime.date(2025, 6, 27),
    )
    with at(2025, 6, 25, 12):
        assert titles(upcoming_events()) == ["Safeguarding Week"]


def test_upcoming_events_come_soonest_first_with_all_day_dates_before_timed_ones(diary):
    make_event(diary, title="Later", start_date=datetime.date(2025, 6, 1))
    make_event(
        diary, title="Afternoon", start_date=datetime.date(2025, 5, 8), start_time=datetime.time(14)
    )
    make_event(
        diary, title="Morning", start_date=datetime.date(2025, 5, 8), start_time=datetime.time(9)
    )
    make_event(diary, title="All day", start_date=datetime.date(2025, 5, 8))
    with at(2025, 5, 1):
        assert titles(upcoming_events()) == ["All day", "Morning", "Afternoon", "Later"]


def test_past_events_come_most_recent_first(diary):
    make_event(diary, title="March", start_date=datetime.date(2025, 3, 18))
    make_event(diary, title="May", start_date=datetime.date(2025, 5, 25))
    make_event(diary, title="April", start_date=datetime.date(2025, 4, 2))
    with at(2025, 7, 1):
        assert past_titles() == ["May", "April", "March"]


def test_a_date_window_keeps_events_that_start_by_its_end(diary):
    make_event(diary, title="In March", start_date=datetime.date(2025, 3, 18))
    make_event(diary, title="Early May", start_date=datetime.date(2025, 5, 8))
    make_event(diary, title="Late May", start_date=datetime.date(2025, 5, 25))
    make_event(
        diary,
        title="Into May",
        start_date=datetime.date(2025, 4, 28),
        end_date=datetime.date(2025, 5, 2),
    )
    with at(2025, 3, 1):
        window = upcoming_events(start=datetime.date(2025, 5, 1), end=datetime.date(2025, 5, 24))
    assert titles(window) == ["Into May", "Early May"]


def test_a_window_starting_on_a_day_counts_events_not_over_by_its_start(diary):
    make_event(
        diary,
        title="Morning session",
        start_date=datetime.date(2025, 5, 8),
        start_time=datetime.time(9),
        end_time=datetime.time(10),
    )
    with at(2025, 5, 8, 16):
        # Asked for the whole of 8 May (a newsletter's diary), the morning still counts.
        assert titles(upcoming_events(start=datetime.date(2025, 5, 8))) == ["Morning session"]
        # Asked for now, it is over.
        assert titles(upcoming_events()) == []


def test_limit_caps_the_number(diary):
    for day in range(1, 6):
        make_event(diary, title=f"Day {day}", start_date=datetime.date(2025, 5, day))
    with at(2025, 4, 1):
        assert titles(upcoming_events(limit=2)) == ["Day 1", "Day 2"]


def test_category_by_object_or_slug(diary, awareness_day, lscp_event):
    make_event(
        diary, title="Awareness", start_date=datetime.date(2025, 5, 25), category=awareness_day
    )
    make_event(diary, title="Webinar", start_date=datetime.date(2025, 5, 8), category=lscp_event)
    with at(2025, 4, 1):
        assert titles(upcoming_events(category=lscp_event)) == ["Webinar"]
        assert titles(upcoming_events(category="awareness-days")) == ["Awareness"]


def test_unpublished_events_are_left_out_everywhere(diary):
    kept = make_event(diary, title="Kept", start_date=datetime.date(2025, 5, 8))
    gone = make_event(
        diary, title="Unpublished", start_date=datetime.date(2025, 5, 9), revision=True
    )
    gone.unpublish()
    make_event(diary, title="Draft", start_date=datetime.date(2025, 5, 10), live=False)
    with at(2025, 4, 1):
        assert titles(upcoming_events()) == ["Kept"]
        assert titles(feed_events()) == ["Kept"]
    with at(2025, 6, 1):
        assert past_titles() == ["Kept"]
    assert kept.live


def test_private_events_are_left_out(diary):
    make_event(diary, title="Public", start_date=datetime.date(2025, 5, 8))
    private = make_event(diary, title="Private", start_date=datetime.date(2025, 5, 9))
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    with at(2025, 4, 1):
        assert titles(upcoming_events()) == ["Public"]


def test_the_category_of_each_event_comes_without_another_query(
    diary, awareness_day, django_assert_num_queries
):
    for day in range(1, 4):
        make_event(diary, start_date=datetime.date(2025, 5, day), category=awareness_day)
    # Two queries: the private sections of the site (Wagtail's public()), then the events.
    with at(2025, 4, 1), django_assert_num_queries(2):
        names = [event.category.name for event in upcoming_events()]
    assert names == ["Awareness day"] * 3


def test_the_feed_keeps_a_year_of_past_dates(diary):
    make_event(diary, title="Last spring", start_date=datetime.date(2024, 5, 8))
    make_event(diary, title="Two years ago", start_date=datetime.date(2023, 5, 8))
    make_event(diary, title="Coming up", start_date=datetime.date(2025, 5, 8))
    with at(2025, 4, 1):
        assert titles(feed_events()) == ["Last spring", "Coming up"]


def diary_events_of(diary):
    return readable(EventPage.objects.child_of(diary))
