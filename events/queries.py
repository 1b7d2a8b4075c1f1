"""What the rest of the site asks about events: the next dates (the home page, a
newsletter's diary) and a subscribed calendar's events. Only live, public events are shown
anywhere: an unpublished or private event disappears from the diary, its feeds, the home
page and newsletters."""

import datetime

from django.utils import timezone

from events.listing import UPCOMING_ORDER, in_category, readable, start_of_day
from events.models.pages import EventPage
from lscp_site import pagecache


def live_events():
    """Every event readers may see, with its category."""
    return readable(EventPage.objects.all())


def upcoming_events(*, start=None, end=None, limit=None, category=None):
    """Live, public events that have not ended, soonest first, as a list: the home page's
    next dates and a newsletter's diary.

    ``start`` (a date) counts events not over by the start of that day; by default, those
    not over now. ``end`` (a date) keeps only events that begin on or before it; ``limit``
    caps the number; ``category`` is an EventCategory or its slug. Each event's category is
    loaded with it.
    """
    since = timezone.now() if start is None else start_of_day(start)
    events = in_category(live_events().filter(ends_at__gt=since), category)
    if end is not None:
        events = events.filter(start_date__lte=end)
    events = events.order_by(*UPCOMING_ORDER)
    events = list(events if limit is None else events[:limit])
    if start is None:
        # Counted from now, the list changes when the first of them ends; an event past the
        # first ``limit`` ending changes nothing before it.
        pagecache.shown_until(min((event.ends_at for event in events), default=None))
    return events


def feed_events(*, category=None, days_kept=365):
    """Events for a subscribed calendar: all upcoming ones and those over in the last year,
    so dates do not vanish from people's calendars the moment they end."""
    since = timezone.now() - datetime.timedelta(days=days_kept)
    events = in_category(live_events().filter(ends_at__gt=since), category)
    return list(events.order_by(*UPCOMING_ORDER))
