"""iCalendar output of events.calendar, parsed back with icalendar and read field by field."""

import datetime
import zoneinfo

import icalendar
import pytest
import time_machine

from events.calendar import CalendarItem, build_calendar, london_vtimezone

LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = datetime.datetime(2025, 3, 1, 9, 15, 30, tzinfo=datetime.UTC)

WEBINAR = CalendarItem(
    uid="event-7@lscp.test",
    title="Child exploitation in Leeds – a guide for practitioners",
    start=datetime.datetime(2025, 5, 8, 14, 0, tzinfo=LONDON),
    end=datetime.datetime(2025, 5, 8, 15, 0, tzinfo=LONDON),
    description="A live webinar introducing the guidance; themes include adultification.",
    url="https://lscp.test/events/child-exploitation-webinar/",
    online=True,
)
AWARENESS_WEEK = CalendarItem(
    uid="event-8@lscp.test",
    title="Mental Health Awareness Week",
    start=datetime.date(2025, 5, 12),
    end=datetime.date(2025, 5, 18),
    location="Across Leeds",
)


def parse(data):
    assert isinstance(data, bytes)
    return icalendar.Calendar.from_ical(data)


def build(*items, **kwargs):
    kwargs.setdefault("name", "LSCP dates for your diary")
    with time_machine.travel(NOW, tick=False):
        return build_calendar(list(items), **kwargs)


def test_the_calendar_declares_itself_as_rfc_5545():
    calendar = parse(build(WEBINAR))
    assert str(calendar["version"]) == "2.0"
    assert "Leeds Safeguarding Children Partnership" in str(calendar["prodid"])
    assert str(calendar["calscale"]) == "GREGORIAN"
    assert str(calendar["method"]) == "PUBLISH"
    assert str(calendar["x-wr-calname"]) == "LSCP dates for your diary"
    assert str(calendar["name"]) == "LSCP dates for your diary"


def test_a_timed_event_is_written_on_the_leeds_clock_with_its_tzid():
    event = parse(build(WEBINAR)).events[0]
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert event["dtend"].params["TZID"] == "Europe/London"
    assert event.decoded("dtstart") == datetime.datetime(2025, 5, 8, 14, 0, tzinfo=LONDON)
    assert event.decoded("dtend") == datetime.datetime(2025, 5, 8, 15, 0, tzinfo=LONDON)
    # In UTC that is 1pm to 2pm (BST).
    assert event.decoded("dtstart").astimezone(datetime.UTC).hour == 13
    assert b"DTSTART;TZID=Europe/London:20250508T140000" in build(WEBINAR)


def test_a_timed_event_given_in_utc_is_still_written_in_leeds_time():
    item = CalendarItem(
        uid="s-1",
        title="Session",
        start=datetime.datetime(2025, 3, 30, 8, 30, tzinfo=datetime.UTC),
        end=datetime.datetime(2025, 3, 30, 11, 30, tzinfo=datetime.UTC),
    )
    data = build(item)
    # The clocks went forward at 1am that day: 08:30 UTC is 9:30am BST.
    assert b"DTSTART;TZID=Europe/London:20250330T093000" in data
    assert b"DTEND;TZID=Europe/London:20250330T123000" in data


def test_timed_events_come_with_the_europe_london_vtimezone():
    calendar = parse(build(WEBINAR))
    assert [str(tz["tzid"]) for tz in calendar.timezones] == ["Europe/London"]
    data = build(WEBINAR).decode()
    assert data.index("BEGIN:VTIMEZONE") < data.index("BEGIN:VEVENT")


def test_the_vtimezone_agrees_with_the_tz_database_every_half_hour_for_decades():
    tz = icalendar.Timezone.from_ical(london_vtimezone().to_ical()).to_tz()
    moment = datetime.datetime(1997, 1, 1, tzinfo=datetime.UTC)
    mismatches = []
    while moment.year < 2040:
        if moment.astimezone(tz).utcoffset() != moment.astimezone(LONDON).utcoffset():
            mismatches.append(moment)
        moment += datetime.timedelta(minutes=30)
    assert mismatches == []


def test_an_all_day_event_is_a_date_with_an_exclusive_end():
    data = build(AWARENESS_WEEK)
    event = parse(data).events[0]
    assert event.decoded("dtstart") == datetime.date(2025, 5, 12)
    assert not isinstance(event.decoded("dtstart"), datetime.datetime)
    # 12 to 18 May inclusive ends at the start of 19 May.
    assert event.decoded("dtend") == datetime.date(2025, 5, 19)
    assert b"DTSTART;VALUE=DATE:20250512" in data
    assert b"DTEND;VALUE=DATE:20250519" in data
    assert str(event["transp"]) == "TRANSPARENT"


def test_a_single_all_day_event_lasts_one_day():
    item = CalendarItem(uid="d-1", title="Awareness day", start=datetime.date(2025, 3, 18))
    event = parse(build(item)).events[0]
    assert event.decoded("dtstart") == datetime.date(2025, 3, 18)
    assert event.decoded("dtend") == datetime.date(2025, 3, 19)


def test_an_all_day_event_across_the_new_year():
    item = CalendarItem(
        uid="d-2", title="Winter", start=datetime.date(2025, 12, 31), end=datetime.date(2026, 1, 2)
    )
    event = parse(build(item)).events[0]
    assert event.decoded("dtend") == datetime.date(2026, 1, 3)


def test_a_calendar_of_only_all_day_events_needs_no_vtimezone():
    assert parse(build(AWARENESS_WEEK)).timezones == []


def test_a_timed_start_without_an_end_has_no_dtend():
    item = CalendarItem(
        uid="t-1", title="Drop-in", start=datetime.datetime(2025, 5, 8, 14, tzinfo=LONDON)
    )
    event = parse(build(item)).events[0]
    assert event.decoded("dtstart") == datetime.datetime(2025, 5, 8, 14, tzinfo=LONDON)
    assert "dtend" not in event


def test_a_timed_start_with_a_last_day_runs_to_the_end_of_that_day():
    item = CalendarItem(
        uid="t-2",
        title="Conference",
        start=datetime.datetime(2025, 6, 23, 9, tzinfo=LONDON),
        end=datetime.date(2025, 6, 24),
    )
    event = parse(build(item)).events[0]
    assert event.decoded("dtend") == datetime.datetime(2025, 6, 25, 0, 0, tzinfo=LONDON)


def test_uid_is_the_one_given_so_it_stays_the_same_between_downloads():
    first = parse(build(WEBINAR)).events[0]
    with time_machine.travel(NOW + datetime.timedelta(days=3), tick=False):
        second = parse(build_calendar([WEBINAR], name="x")).events[0]
    assert str(first["uid"]) == str(second["uid"]) == "event-7@lscp.test"


def test_dtstamp_is_the_moment_of_writing_in_utc():
    data = build(WEBINAR, AWARENESS_WEEK)
    for event in parse(data).events:
        assert event.decoded("dtstamp") == NOW
    assert b"DTSTAMP:20250301T091530Z" in data


def test_last_modified_is_written_when_known():
    modified = datetime.datetime(2025, 2, 20, 16, 0, tzinfo=LONDON)
    item = CalendarItem(
        uid="m-1", title="Changed", start=datetime.date(2025, 3, 18), modified=modified
    )
    event = parse(build(item)).events[0]
    assert event.decoded("last-modified") == modified.astimezone(datetime.UTC)


def test_summary_description_url_and_location_are_written_and_escaped():
    item = CalendarItem(
        uid="e-1",
        title="Safeguarding Week; talks, workshops",
        start=datetime.date(2025, 6, 23),
        description="Line one.\nLine two, with a comma; and a semicolon.",
        location="Leeds Civic Hall, Portland Way, Leeds LS1 1UR",
        url="https://lscp.test/events/safeguarding-week/",
    )
    data = build(item)
    event = parse(data).events[0]
    assert str(event["summary"]) == "Safeguarding Week; talks, workshops"
    assert str(event["description"]) == "Line one.\nLine two, with a comma; and a semicolon."
    assert str(event["location"]) == "Leeds Civic Hall, Portland Way, Leeds LS1 1UR"
    assert str(event["url"]) == "https://lscp.test/events/safeguarding-week/"
    assert b"SUMMARY:Safeguarding Week\\; talks\\, workshops" in data


def test_an_online_event_without_a_place_is_located_online():
    event = parse(build(WEBINAR)).events[0]
    assert str(event["location"]) == "Online"


def test_an_online_event_keeps_a_location_it_was_given():
    item = CalendarItem(
        uid="o-1",
        title="Webinar",
        start=datetime.date(2025, 5, 8),
        online=True,
        location="Microsoft Teams",
    )
    assert str(parse(build(item)).events[0]["location"]) == "Microsoft Teams"


def test_fields_left_empty_are_left_out():
    item = CalendarItem(uid="x", title="Bare", start=datetime.date(2025, 5, 8))
    event = parse(build(item)).events[0]
    for name in ("description", "location", "url", "last-modified"):
        assert name not in event


def test_events_keep_the_order_given():
    data = build(AWARENESS_WEEK, WEBINAR)
    assert [str(e["uid"]) for e in parse(data).events] == ["event-8@lscp.test", "event-7@lscp.test"]


def test_a_feed_can_ask_subscribers_to_refresh():
    calendar = parse(build(WEBINAR, refresh_interval=datetime.timedelta(hours=12)))
    assert calendar.decoded("refresh-interval") == datetime.timedelta(hours=12)
    assert str(calendar["x-published-ttl"]) == "PT12H"


def test_an_empty_calendar_is_still_a_valid_calendar():
    calendar = parse(build())
    assert calendar.events == []
    assert str(calendar["version"]) == "2.0"


def test_long_lines_are_folded_at_75_octets():
    item = CalendarItem(
        uid="l-1", title="Long", start=datetime.date(2025, 5, 8), description="x" * 400
    )
    for line in build(item).split(b"\r\n"):
        assert len(line) <= 75


def test_an_item_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends before it starts"):
        CalendarItem(
            uid="bad",
            title="Backwards",
            start=datetime.date(2025, 5, 18),
            end=datetime.date(2025, 5, 12),
        )


def test_an_item_needs_a_uid():
    with pytest.raises(ValueError, match="UID"):
        CalendarItem(uid="", title="No UID", start=datetime.date(2025, 5, 18))
