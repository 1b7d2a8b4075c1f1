"""iCalendar (RFC 5545) files: one event, a feed of many, or a training session's invite.

Everything that turns things-with-dates into ``.ics`` bytes is here, so the diary's feeds and
training's booking emails follow the same rules:

- every event has a stable UID, a DTSTAMP in UTC and a SUMMARY;
- an all-day item is a DATE value with an exclusive DTEND (12 to 18 May ends on 19 May);
- a timed item carries TZID=Europe/London, and the calendar includes that VTIMEZONE, so
  calendars place it right on both sides of the change between GMT and BST.
"""

import dataclasses
import datetime

from django.utils import timezone

import icalendar

from events.dates import LONDON, to_london

PRODID = "-//Leeds Safeguarding Children Partnership//Dates for your diary//EN"


@dataclasses.dataclass(frozen=True)
class CalendarItem:
    """One thing in a calendar.

    ``start`` is a date (all day) or an aware datetime. ``end`` is, for a date, the last day
    included (None: one day); for a datetime, the moment it finishes (None: no stated end).
    ``online`` marks an event attended online; its location then defaults to "Online".
    ``modified``, when known, becomes LAST-MODIFIED so calendars notice changes.
    ``sequence`` counts the revisions of an item sent to someone (an invite is 0); a
    ``cancelled`` item, with a higher sequence than the invite, takes it out of calendars.
    """

    uid: str
    title: str
    start: datetime.date | datetime.datetime
    end: datetime.date | datetime.datetime | None = None
    description: str = ""
    location: str = ""
    url: str = ""
    online: bool = False
    modified: datetime.datetime | None = None
    sequence: int = 0
    cancelled: bool = False

    def __post_init__(self):
        if not self.uid:
            raise ValueError("A calendar item needs a UID.")
        if self.end is not None and _sort_key(self.end) < _sort_key(self.start):
            raise ValueError(f"{self.title!r} ends before it starts.")

    @property
    def all_day(self):
        return not isinstance(self.start, datetime.datetime)


def _sort_key(value):
    if isinstance(value, datetime.datetime):
        return to_london(value).astimezone(datetime.UTC)
    return datetime.datetime.combine(value, datetime.time(0), tzinfo=LONDON).astimezone(
        datetime.UTC
    )


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return to_london(value).date()
    return value


def _vevent(item, *, stamp):
    event = icalendar.Event()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("summary", item.title)
    if item.all_day:
        last_day = _as_date(item.end) if item.end is not None else item.start
        event.add("dtstart", item.start)
        event.add("dtend", last_day + datetime.timedelta(days=1))
        event.add("transp", "TRANSPARENT")  # an awareness week does not make anyone busy
    else:
        event.add("dtstart", to_london(item.start))
        if isinstance(item.end, datetime.datetime):
            event.add("dtend", to_london(item.end))
        elif item.end is not None:
            # A timed start with a last day: it runs to the end of that day.
            next_day = item.end + datetime.timedelta(days=1)
            event.add("dtend", datetime.datetime.combine(next_day, datetime.time(0), tzinfo=LONDON))
    location = item.location or ("Online" if item.online else "")
    if location:
        event.add("location", location)
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    if item.modified is not None:
        event.add("last-modified", item.modified.astimezone(datetime.UTC))
    if item.sequence:
        event.add("sequence", item.sequence)
    if item.cancelled:
        event.add("status", "CANCELLED")
    return event


def london_vtimezone():
    """Europe/London as a VTIMEZONE: BST from 1am GMT on the last Sunday of March to 2am BST
    on the last Sunday of October (the rule since 1996).

    Written as yearly rules, the form Google and Outlook publish, rather than generated from
    the tz database: icalendar's generated form lists every change up to 2038 and stops there.
    tests/events/test_calendar.py checks it against the tz database hour by hour.
    """
    tz = icalendar.Timezone()
    tz.add("tzid", "Europe/London")
    tz.add("x-lic-location", "Europe/London")
    summer = icalendar.TimezoneDaylight()
    summer.add("tzname", "BST")
    summer.add("tzoffsetfrom", datetime.timedelta(hours=0))
    summer.add("tzoffsetto", datetime.timedelta(hours=1))
    summer.add("dtstart", datetime.datetime(1996, 3, 31, 1, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    winter = icalendar.TimezoneStandard()
    winter.add("tzname", "GMT")
    winter.add("tzoffsetfrom", datetime.timedelta(hours=1))
    winter.add("tzoffsetto", datetime.timedelta(hours=0))
    winter.add("dtstart", datetime.datetime(1996, 10, 27, 2, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


class Method:
    """What a calendar file asks of the calendar that opens it (RFC 5546)."""

    PUBLISH = "PUBLISH"  # add or update these items
    CANCEL = "CANCEL"  # remove these items (same UID, higher SEQUENCE)


def build_calendar(items, *, name, description="", refresh_interval=None, method=Method.PUBLISH):
    """The ``.ics`` bytes of a calendar holding ``items`` (CalendarItem), in the order given.

    ``name`` is the calendar's name in the reader's calendar list (NAME and X-WR-CALNAME).
    ``refresh_interval`` (a timedelta) tells subscribed calendars how often to check a feed.
    """
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("name", name)
    calendar.add("x-wr-calname", icalendar.vText(name))
    calendar.add("x-wr-timezone", "Europe/London")
    if description:
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", icalendar.vText(description))
    if refresh_interval is not None:
        calendar.add("refresh-interval", refresh_interval, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(refresh_interval).to_ical().decode())

    items = list(items)
    if any(not item.all_day for item in items):
        # Before the events, where every reader (Outlook included) looks for it.
        calendar.add_component(london_vtimezone())
    for item in items:
        calendar.add_component(_vevent(item, stamp=stamp))
    return calendar.to_ical()
