"""Working days in Leeds: weekdays that are not bank holidays in England and Wales, and not
in the week between Christmas Eve and New Year's Day, when the partnership runs nothing.

The demo content dates its sessions and events with these, so the dates read as real ones;
training reminders and the deadline for a manager's approval are counted in them, so a
Monday session is reminded on the Thursday before, not over the weekend.
"""

import datetime
import zoneinfo
from functools import cache

import holidays

ONE_DAY = datetime.timedelta(days=1)
LEEDS = zoneinfo.ZoneInfo("Europe/London")


@cache
def _bank_holidays(year):
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]))


def is_christmas_week(day):
    return (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1)


def is_working_day(day):
    return day.weekday() < 5 and not is_christmas_week(day) and day not in _bank_holidays(day.year)


def working_day_from(day, *, days_in_a_row=1):
    """The first working day on or after ``day`` that starts ``days_in_a_row`` working days
    (for an event over several days)."""
    while not all(is_working_day(day + n * ONE_DAY) for n in range(days_in_a_row)):
        day += ONE_DAY
    return day


def working_days_before(moment, days):
    """The same time of day ``days`` working days before ``moment``, on the clock in Leeds.

    The count starts from the day before ``moment``'s day and skips what is not a working
    day: 2 working days before 10am on a Monday is 10am on the Thursday before.
    """
    local = moment.astimezone(LEEDS)
    day = local.date()
    remaining = days
    while remaining > 0:
        day -= ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return datetime.datetime.combine(day, local.time(), tzinfo=LEEDS)
