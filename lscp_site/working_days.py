"""Working days in Leeds: weekdays that are not bank holidays in England and Wales, and not
in the week between Christmas Eve and New Year's Day, when the partnership runs nothing.

The demo content dates its sessions and events with these, so the dates read as real ones.
"""

import datetime

import holidays

ONE_DAY = datetime.timedelta(days=1)


def _bank_holidays(*years):
    return holidays.country_holidays("GB", subdiv="ENG", years=years)


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
