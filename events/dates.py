"""Dates and times written the way people in Leeds write them.

One rule for the whole site, used by events, training sessions and the newsletter's diary:

    18 March 2025
    12 to 18 May 2025
    30 May to 2 June 2025
    31 December 2025 to 2 January 2026
    8 May 2025, 2pm to 3pm
    16 September 2025, 9:30am to 12:30pm
    30 May 2025, 7pm to 31 May 2025, 2am

Times are shown on the clock in Leeds (Europe/London), whether that is GMT or BST on the day.
Midday and midnight are written as words, as the GOV.UK style guide asks, because "12am"
and "12pm" are read both ways.
"""

import datetime
import zoneinfo

LONDON = zoneinfo.ZoneInfo("Europe/London")

# Written out here rather than taken from the locale, so the words never depend on the
# server's language settings.
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def to_london(value):
    """An aware datetime on the Leeds clock; a naive one is taken to be Leeds time already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=LONDON)
    return value.astimezone(LONDON)


def format_date(value, *, year=True, month=True):
    """'18 March 2025' (or '18 March', or '18')."""
    parts = [str(value.day)]
    if month:
        parts.append(MONTHS[value.month - 1])
    if year:
        parts.append(str(value.year))
    return " ".join(parts)


def format_time(value):
    """'2pm', '9:30am', '12:30pm', 'midday', 'midnight'."""
    if value.minute == 0 and value.hour == 0:
        return "midnight"
    if value.minute == 0 and value.hour == 12:
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    if value.minute:
        return f"{hour}:{value.minute:02d}{suffix}"
    return f"{hour}{suffix}"


def _is_datetime(value):
    return isinstance(value, datetime.datetime)


def _format_day_range(start, end):
    """Two dates, the second on or after the first, sharing what they can."""
    if end == start:
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{format_date(start, month=False, year=False)} to {format_date(end)}"
    if start.year == end.year:
        return f"{format_date(start, year=False)} to {format_date(end)}"
    return f"{format_date(start)} to {format_date(end)}"


def _same_instant(a, b):
    # Datetimes sharing a tzinfo compare by wall clock, which ignores the hour repeated when
    # the clocks go back; compare in UTC instead.
    return a.astimezone(datetime.UTC) == b.astimezone(datetime.UTC)


def _format_time_range(start, end):
    """Two datetimes on the Leeds clock, the second not before the first."""
    opening = f"{format_date(start.date())}, {format_time(start)}"
    if _same_instant(start, end):
        return opening
    if end.date() == start.date():
        return f"{opening} to {format_time(end)}"
    if end.date() == start.date() + datetime.timedelta(days=1) and end.time() == datetime.time(0):
        # An evening that runs until midnight belongs to its own day.
        return f"{opening} to midnight"
    return f"{opening} to {format_date(end.date())}, {format_time(end)}"


def format_when(start, end=None):
    """When something happens, as a person would write it.

    ``start`` and ``end`` are dates (all-day: ``end`` is the last day, included) or aware
    datetimes (shown on the Leeds clock). A start time with an end date gives
    "8 May 2025, 2pm to 10 May 2025". ``end`` before ``start`` raises ValueError.
    """
    if start is None:
        raise ValueError("format_when needs a start")
    if _is_datetime(start):
        start = to_london(start)
        if end is None:
            return f"{format_date(start.date())}, {format_time(start)}"
        if _is_datetime(end):
            end = to_london(end)
            if end.astimezone(datetime.UTC) < start.astimezone(datetime.UTC):
                raise ValueError(f"The end ({end}) is before the start ({start}).")
            return _format_time_range(start, end)
        if end < start.date():
            raise ValueError(f"The end ({end}) is before the start ({start}).")
        if end == start.date():
            return format_when(start)
        return f"{format_when(start)} to {format_date(end)}"

    # An all-day start: an end time only tells us the last day.
    if end is None:
        return format_date(start)
    if _is_datetime(end):
        end = to_london(end).date()
    if end < start:
        raise ValueError(f"The end ({end}) is before the start ({start}).")
    return _format_day_range(start, end)


class WhenAndWhere:
    """When and where an event is, from its own fields: ``start_date``, ``start_time``,
    ``end_date`` and ``end_time`` (times on the Leeds clock), ``online`` and ``location``.
    Mixed into the event page; training sessions say theirs the same way."""

    @property
    def all_day(self):
        return self.start_time is None

    @property
    def last_date(self):
        return self.end_date or self.start_date

    @property
    def starts(self):
        """A date (all day) or an aware datetime on the Leeds clock."""
        if self.start_time is None:
            return self.start_date
        return datetime.datetime.combine(self.start_date, self.start_time, tzinfo=LONDON)

    @property
    def ends(self):
        """The last day (a date), the finishing moment (an aware datetime), or None."""
        if self.start_time is not None and self.end_time is not None:
            return datetime.datetime.combine(self.last_date, self.end_time, tzinfo=LONDON)
        if self.end_date is not None and self.end_date != self.start_date:
            return self.end_date
        return None

    @property
    def where(self):
        """'Online', 'Leeds Civic Hall', 'Leeds Civic Hall and online', or ''."""
        if self.online and self.location:
            return f"{self.location} and online"
        if self.online:
            return "Online"
        return self.location
