"""Working days in Leeds: Monday to Friday, except England's bank holidays.

Reminders and the deadline for a manager's approval are counted in working days before a
session, so a Monday session is reminded on the Thursday before, not over the weekend.
"""

import datetime
from functools import cache

import holidays

from events.dates import LONDON


@cache
def _bank_holidays(year):
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]))


def is_working_day(day):
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_before(moment, days):
    """The same time of day ``days`` working days before ``moment``, on the clock in Leeds.

    The count starts from the day before ``moment``'s day and skips weekends and bank
    holidays: 2 working days before 10am on a Monday is 10am on the Thursday before.
    """
    local = moment.astimezone(LONDON)
    day = local.date()
    remaining = days
    while remaining > 0:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.datetime.combine(day, local.time(), tzinfo=LONDON)
