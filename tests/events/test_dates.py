"""Dates written as people write them: events.dates.format_when and the date_range filter."""

import datetime
import zoneinfo

from django.template import Context, Template

import pytest

from events.dates import format_time, format_when

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = datetime.UTC


def d(year, month, day):
    return datetime.date(year, month, day)


def london(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Every form the issue names.
        (d(2025, 3, 18), None, "18 March 2025"),
        (d(2025, 5, 12), d(2025, 5, 18), "12 to 18 May 2025"),
        (d(2025, 5, 30), d(2025, 6, 2), "30 May to 2 June 2025"),
        (d(2025, 12, 31), d(2026, 1, 2), "31 December 2025 to 2 January 2026"),
        (london(2025, 5, 8, 14), london(2025, 5, 8, 15), "8 May 2025, 2pm to 3pm"),
        (
            london(2025, 9, 16, 9, 30),
            london(2025, 9, 16, 12, 30),
            "16 September 2025, 9:30am to 12:30pm",
        ),
        # The seed's diary.
        (d(2025, 5, 25), None, "25 May 2025"),
        (d(2025, 6, 23), d(2025, 6, 27), "23 to 27 June 2025"),
    ],
)
def test_format_when_writes_each_form_from_the_issue(start, end, expected):
    assert format_when(start, end) == expected


def test_an_end_on_the_start_day_is_a_single_day():
    assert format_when(d(2025, 3, 18), d(2025, 3, 18)) == "18 March 2025"


def test_a_range_across_years_in_the_same_month_number_names_both_years():
    assert format_when(d(2025, 1, 30), d(2026, 1, 2)) == "30 January 2025 to 2 January 2026"


def test_a_range_across_a_leap_day():
    assert format_when(d(2028, 2, 28), d(2028, 3, 1)) == "28 February to 1 March 2028"


def test_day_numbers_have_no_leading_zero():
    assert format_when(d(2025, 6, 1), d(2025, 6, 9)) == "1 to 9 June 2025"


def test_a_start_time_alone_shows_the_day_and_the_time():
    assert format_when(london(2025, 5, 8, 14)) == "8 May 2025, 2pm"


def test_an_end_equal_to_the_start_time_shows_the_time_once():
    assert format_when(london(2025, 5, 8, 14), london(2025, 5, 8, 14)) == "8 May 2025, 2pm"


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (0, 0, "midnight"),
        (0, 30, "12:30am"),
        (9, 5, "9:05am"),
        (11, 59, "11:59am"),
        (12, 0, "midday"),
        (12, 30, "12:30pm"),
        (13, 0, "1pm"),
        (23, 45, "11:45pm"),
    ],
)
def test_times_use_the_twelve_hour_clock_with_words_for_midday_and_midnight(hour, minute, expected):
    assert format_time(datetime.time(hour, minute)) == expected


def test_a_timed_event_that_runs_past_midnight_names_both_days():
    assert (
        format_when(london(2025, 5, 30, 19), london(2025, 5, 31, 2))
        == "30 May 2025, 7pm to 31 May 2025, 2am"
    )


def test_a_timed_event_across_the_new_year_names_both_years():
    assert (
        format_when(london(2025, 12, 31, 21), london(2026, 1, 1, 1))
        == "31 December 2025, 9pm to 1 January 2026, 1am"
    )


def test_an_evening_that_ends_at_midnight_stays_on_its_own_day():
    assert format_when(london(2025, 5, 30, 19), london(2025, 5, 31, 0)) == (
        "30 May 2025, 7pm to midnight"
    )


def test_a_start_time_with_a_later_end_date():
    assert format_when(london(2025, 5, 8, 14), d(2025, 5, 10)) == "8 May 2025, 2pm to 10 May 2025"


def test_a_start_time_with_an_end_date_on_the_same_day():
    assert format_when(london(2025, 5, 8, 14), d(2025, 5, 8)) == "8 May 2025, 2pm"


def test_an_all_day_start_with_an_end_time_uses_the_end_day():
    assert format_when(d(2025, 5, 12), london(2025, 5, 18, 17)) == "12 to 18 May 2025"


# --- GMT and BST -------------------------------------------------------------------------


def test_utc_times_in_summer_are_shown_an_hour_later_on_the_leeds_clock():
    # 13:00 UTC on 8 May 2025 is 2pm BST.
    assert format_when(utc(2025, 5, 8, 13), utc(2025, 5, 8, 14)) == "8 May 2025, 2pm to 3pm"


def test_utc_times_in_winter_are_shown_as_they_are():
    assert format_when(utc(2025, 1, 14, 14), utc(2025, 1, 14, 15)) == "14 January 2025, 2pm to 3pm"


def test_a_session_on_the_day_the_clocks_go_forward():
    # 30 March 2025: 1am GMT becomes 2am BST. 08:30 UTC is 9:30am BST.
    start = utc(2025, 3, 30, 8, 30)
    end = utc(2025, 3, 30, 11, 30)
    assert format_when(start, end) == "30 March 2025, 9:30am to 12:30pm"


def test_a_night_across_the_moment_the_clocks_go_forward():
    # 00:30 UTC is 12:30am GMT; 02:00 UTC is 3am BST (the clock skipped 1am to 2am).
    assert format_when(utc(2025, 3, 30, 0, 30), utc(2025, 3, 30, 2)) == (
        "30 March 2025, 12:30am to 3am"
    )


def test_a_session_on_the_day_the_clocks_go_back():
    # 26 October 2025: 2am BST becomes 1am GMT. 09:30 UTC is 9:30am GMT.
    assert format_when(utc(2025, 10, 26, 9, 30), utc(2025, 10, 26, 12, 30)) == (
        "26 October 2025, 9:30am to 12:30pm"
    )


def test_the_repeated_hour_when_the_clocks_go_back_is_written_as_the_clock_shows_it():
    # 00:30 UTC is 1:30am BST; 01:30 UTC is 1:30am GMT, an hour later on the same clock face.
    assert format_when(utc(2025, 10, 26, 0, 30), utc(2025, 10, 26, 1, 30)) == (
        "26 October 2025, 1:30am to 1:30am"
    )


def test_a_late_utc_time_in_summer_falls_on_the_next_day_in_leeds():
    # 23:30 UTC on 30 June is 12:30am BST on 1 July.
    assert format_when(utc(2025, 6, 30, 23, 30)) == "1 July 2025, 12:30am"


def test_a_naive_datetime_is_read_as_leeds_time():
    assert format_when(datetime.datetime(2025, 5, 8, 14)) == "8 May 2025, 2pm"


# --- Mistakes ----------------------------------------------------------------------------


def test_an_end_date_before_the_start_is_refused():
    with pytest.raises(ValueError, match="before the start"):
        format_when(d(2025, 5, 18), d(2025, 5, 12))


def test_an_end_in_the_repeated_hour_but_an_hour_earlier_is_refused():
    # 01:30 BST (00:30 UTC) comes before 01:30 GMT (01:30 UTC) although the clock reads the same.
    with pytest.raises(ValueError, match="before the start"):
        format_when(utc(2025, 10, 26, 1, 30), utc(2025, 10, 26, 0, 30))


def test_an_end_time_before_the_start_is_refused():
    with pytest.raises(ValueError, match="before the start"):
        format_when(london(2025, 5, 8, 15), london(2025, 5, 8, 14))


# --- The template filter -----------------------------------------------------------------


def render(source, **context):
    return Template("{% load event_dates %}" + source).render(Context(context))


def test_the_filter_writes_a_range_of_days():
    assert render("{{ start|date_range:end }}", start=d(2025, 5, 12), end=d(2025, 5, 18)) == (
        "12 to 18 May 2025"
    )


def test_the_filter_writes_a_session_time_in_leeds_time():
    html = render("{{ start|date_range:end }}", start=utc(2025, 5, 8, 13), end=utc(2025, 5, 8, 14))
    assert html == "8 May 2025, 2pm to 3pm"


def test_the_filter_without_an_end_writes_the_single_day():
    assert render("{{ start|date_range }}", start=d(2025, 3, 18)) == "18 March 2025"


def test_the_filter_treats_an_empty_end_as_no_end():
    assert render("{{ start|date_range:end }}", start=d(2025, 3, 18), end=None) == "18 March 2025"
    assert render("{{ start|date_range:end }}", start=d(2025, 3, 18), end="") == "18 March 2025"


def test_the_filter_prints_nothing_without_a_start():
    assert render("[{{ start|date_range:end }}]", start=None, end=d(2025, 3, 18)) == "[]"


def test_the_filter_shows_the_start_when_the_end_is_before_it(caplog):
    html = render("{{ start|date_range:end }}", start=d(2025, 5, 18), end=d(2025, 5, 12))
    assert html == "18 May 2025"
    assert "before start" in caplog.text


@pytest.mark.parametrize(
    ("value", "day", "month"),
    [
        (datetime.date(2025, 3, 8), "2025-03-08", "2025-03"),
        (datetime.datetime(2025, 12, 31, 23, 30), "2025-12-31", "2025-12"),
        (None, "", ""),
    ],
)
def test_machine_readable_dates_match_djangos_date_filter(value, day, month):
    # The <time datetime> attributes: the same text Django's date filter wrote before.
    rendered = Template(
        "{% load event_dates %}{{ value|iso_date }} {{ value|iso_month }}|"
        "{{ value|date:'Y-m-d' }} {{ value|date:'Y-m' }}"
    ).render(Context({"value": value}))
    ours, djangos = rendered.split("|")
    assert ours == f"{day} {month}"
    if value is not None:
        assert ours == djangos
