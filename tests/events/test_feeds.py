"""Subscribable calendars: /events/feed.ics and one per category, parsed back field by field."""

import datetime
import zoneinfo

import icalendar
import pytest
import time_machine

from tests.events.factories import make_event

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = datetime.datetime(2025, 4, 15, 10, 0, tzinfo=LONDON)


@pytest.fixture
def diary_dates(diary, awareness_day, awareness_week, lscp_event):
    with time_machine.travel(NOW, tick=False):
        return {
            "old": make_event(
                diary,
                title="Two years ago",
                start_date=datetime.date(2023, 3, 18),
                category=awareness_day,
            ),
            "cea": make_event(
                diary,
                title="National Child Exploitation Awareness Day",
                start_date=datetime.date(2025, 3, 18),
                category=awareness_day,
            ),
            "webinar": make_event(
                diary,
                title="Child exploitation in Leeds webinar",
                slug="webinar",
                start_date=datetime.date(2025, 5, 8),
                start_time=datetime.time(14),
                end_time=datetime.time(15),
                online=True,
                category=lscp_event,
            ),
            "mhaw": make_event(
                diary,
                title="Mental Health Awareness Week",
                slug="mhaw",
                start_date=datetime.date(2025, 5, 12),
                end_date=datetime.date(2025, 5, 18),
                category=awareness_week,
                location="Across Leeds",
            ),
            "draft": make_event(
                diary,
                title="Draft",
                start_date=datetime.date(2025, 5, 20),
                category=awareness_week,
                live=False,
            ),
        }


def fetch(client, url):
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response, icalendar.Calendar.from_ical(response.content)


def by_summary(calendar):
    return {str(event["summary"]): event for event in calendar.events}


def test_the_feed_holds_live_events_from_the_last_year_on(client, diary_dates):
    response, calendar = fetch(client, "/events/feed.ics")
    assert [str(e["summary"]) for e in calendar.events] == [
        "National Child Exploitation Awareness Day",
        "Child exploitation in Leeds webinar",
        "Mental Health Awareness Week",
    ]
    assert response["Content-Disposition"] == 'inline; filename="lscp-diary.ics"'
    assert "public" in response["Cache-Control"]


def test_the_feed_names_itself_and_asks_to_be_refreshed(client, diary_dates):
    _, calendar = fetch(client, "/events/feed.ics")
    assert str(calendar["x-wr-calname"]) == "LSCP dates for your diary"
    assert str(calendar["method"]) == "PUBLISH"
    assert calendar.decoded("refresh-interval") == datetime.timedelta(hours=12)
    assert [str(tz["tzid"]) for tz in calendar.timezones] == ["Europe/London"]


def test_each_feed_event_field_by_field(client, diary_dates):
    _, calendar = fetch(client, "/events/feed.ics")
    events = by_summary(calendar)

    webinar = events["Child exploitation in Leeds webinar"]
    assert str(webinar["uid"]) == f"event-{diary_dates['webinar'].pk}@lscp.test"
    assert webinar["dtstart"].params["TZID"] == "Europe/London"
    assert webinar.decoded("dtstart") == datetime.datetime(2025, 5, 8, 14, tzinfo=LONDON)
    assert webinar.decoded("dtend") == datetime.datetime(2025, 5, 8, 15, tzinfo=LONDON)
    assert webinar.decoded("dtstamp") == NOW.astimezone(datetime.UTC)
    assert str(webinar["location"]) == "Online"
    assert str(webinar["url"]) == "https://lscp.test/events/webinar/"

    week = events["Mental Health Awareness Week"]
    assert str(week["uid"]) == f"event-{diary_dates['mhaw'].pk}@lscp.test"
    assert week.decoded("dtstart") == datetime.date(2025, 5, 12)
    assert week.decoded("dtend") == datetime.date(2025, 5, 19)
    assert str(week["location"]) == "Across Leeds"
    assert str(week["url"]) == "https://lscp.test/events/mhaw/"
    assert str(week["description"]).startswith("A date for practitioners in Leeds.")


def test_a_category_feed_holds_only_that_category(client, diary_dates):
    response, calendar = fetch(client, "/events/category/awareness-weeks/feed.ics")
    assert [str(e["summary"]) for e in calendar.events] == ["Mental Health Awareness Week"]
    assert str(calendar["x-wr-calname"]) == "LSCP dates for your diary: Awareness week"
    assert response["Content-Disposition"] == 'inline; filename="lscp-diary-awareness-weeks.ics"'
    # All-day dates only: no time zone needed.
    assert calendar.timezones == []


def test_an_unknown_category_feed_is_not_found(client, diary_dates):
    with time_machine.travel(NOW, tick=False):
        assert client.get("/events/category/nothing/feed.ics").status_code == 404


def test_the_feed_runs_a_fixed_number_of_queries(client, diary, awareness_day, settings):
    settings.PAGE_CACHE_ENABLED = False
    with time_machine.travel(NOW, tick=False):
        for day in range(1, 31):
            make_event(diary, start_date=datetime.date(2025, 5, day), category=awareness_day)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(NOW, tick=False):
        client.get("/events/feed.ics")
        with CaptureQueriesContext(connection) as queries:
            _, calendar = fetch(client, "/events/feed.ics")
    assert len(calendar.events) == 30
    assert len(queries) <= 4


def test_the_feed_does_not_accept_posts(client, diary_dates):
    assert client.post("/events/feed.ics").status_code == 405
