"""The demo's dates read as real: sessions and events dated from today fall on working days
in Leeds (weekdays, not bank holidays in England and Wales, not Christmas week), at working
hours, whatever day the demo is loaded on."""

import datetime
import io

from django.core.management import call_command

import pytest
import time_machine

from events import demo as events_demo
from events.models import EventPage
from lscp_site.working_days import is_working_day, working_day_from
from training import demo as training_demo
from training.models import Session

SUNDAY_6_DECEMBER_2026 = datetime.date(2026, 12, 6)
WORKING_HOURS = (datetime.time(9, 0), datetime.time(17, 0))


def every_day(first, last):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def test_working_days_leave_out_weekends_bank_holidays_and_christmas_week():
    assert not is_working_day(SUNDAY_6_DECEMBER_2026)
    assert is_working_day(datetime.date(2026, 12, 7))
    assert not is_working_day(datetime.date(2026, 12, 24))  # a Thursday in Christmas week
    assert not is_working_day(datetime.date(2026, 12, 28))  # Boxing Day (observed)
    assert not is_working_day(datetime.date(2027, 1, 1))
    assert not is_working_day(datetime.date(2027, 3, 29))  # Easter Monday
    assert not is_working_day(datetime.date(2027, 5, 31))  # Spring Bank Holiday
    assert working_day_from(datetime.date(2026, 12, 24)) == datetime.date(2027, 1, 4)
    # A two-day event starts on a Monday to Thursday with two working days together.
    assert working_day_from(datetime.date(2027, 3, 25), days_in_a_row=2) == datetime.date(
        2027, 3, 30
    )


def in_working_hours(start, end):
    return WORKING_HOURS[0] <= start <= end <= WORKING_HOURS[1]


@pytest.mark.parametrize(
    "today", list(every_day(datetime.date(2026, 11, 1), datetime.date(2027, 12, 31)))[::3]
)
def test_every_date_the_demo_makes_from_today_is_a_working_day_at_working_hours(today):
    for spec in events_demo.relative_events(today):
        start, end = spec["start_date"], spec.get("end_date") or spec["start_date"]
        assert start > today
        assert is_working_day(start), (spec["slug"], start)
        assert is_working_day(end), (spec["slug"], end)
        if "start_time" in spec:
            assert in_working_hours(spec["start_time"], spec["end_time"])
    for spec in training_demo.COURSES:
        for session in training_demo.sessions_to_come(spec, today):
            local_start = session.start.astimezone(training_demo.LONDON)
            local_end = session.end.astimezone(training_demo.LONDON)
            assert local_start.date() > today
            assert is_working_day(local_start.date()), (spec["slug"], local_start)
            assert in_working_hours(local_start.time(), local_end.time())


@pytest.mark.django_db
def test_the_demo_loaded_on_sunday_6_december_2026_has_no_date_on_a_day_off(db):
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=datetime.UTC), tick=False):
        call_command("load_demo", stdout=io.StringIO())
        seed_slugs = {spec["slug"] for spec in events_demo.SEED_EVENTS}
        for event in EventPage.objects.exclude(slug__in=seed_slugs):
            assert is_working_day(event.start_date), event.title
            assert is_working_day(event.last_date), event.title
        for session in Session.objects.filter(start__gt=datetime.datetime.now(datetime.UTC)):
            assert is_working_day(session.start.astimezone(training_demo.LONDON).date())
        assert Session.objects.filter(start__gt=datetime.datetime.now(datetime.UTC)).count() == 6
