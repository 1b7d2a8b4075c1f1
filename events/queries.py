"""Questions the diary and other parts of the site ask about events: what is coming up,
what has happened, and when that changes.

An event is upcoming until it is over (``EventPage.ends_at``, worked out when it is saved)
and past from then on. Only live, public events are shown anywhere: an unpublished or
private event disappears from the diary, its feeds, the home page and newsletters.

Whatever the clock changes here is told to the page cache (``pagecache.shown_until``) by the
function that decides it, so a cached page or fragment is never shown past that moment.

The event model is looked up in Django's app registry when a query runs: the diary's page
model (events.models) asks these functions for its listing, so this module cannot import it.
"""

import datetime

from django.apps import apps
from django.db.models import F, Max, Min
from django.db.models.functions import TruncMonth
from django.utils import timezone

from events.dates import LONDON
from lscp_site import pagecache

UPCOMING = "upcoming"
PAST = "past"
UPCOMING_ORDER = [F("start_date").asc(), F("start_time").asc(nulls_first=True), "title", "pk"]
PAST_ORDER = [F("start_date").desc(), F("start_time").desc(nulls_last=True), "title", "pk"]


def start_of_day(day):
    """Midnight at the start of ``day`` in Leeds, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=LONDON)


def live_events():
    """Every event readers may see, with its category (every card shows it)."""
    event_page = apps.get_model("events", "EventPage")
    return event_page.objects.live().public().select_related("category")


def _in_category(events, category):
    """``category``: an EventCategory, its slug, or None for every category."""
    if category is None:
        return events
    if isinstance(category, str):
        return events.filter(category__slug=category)
    return events.filter(category=category)


def _in_month(events, month):
    """Events on any day of ``month`` (a date on the 1st; None for any month), counting
    ranges of days that run into it from the month before."""
    if month is None:
        return events
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    return events.filter(start_date__lt=next_month, ends_at__gt=start_of_day(month))


# ---- the diary (EventIndexPage) -------------------------------------------------------------


def diary_events(diary):
    """The live, public events of the diary page ``diary``: what its listings are made of
    (:func:`listed_events`, :func:`listing_months`, :func:`listing_changes_at`), asked for
    once so that which pages are private is read once."""
    return live_events().child_of(diary)


def listed_events(events, *, listing, now, category=None, month=None):
    """``events`` (from :func:`diary_events`) as a listing shows them, a queryset for its
    paginator.

    ``listing`` is UPCOMING (not yet over at ``now``, soonest first) or PAST (over by
    then, most recent first); ``category`` (an EventCategory) and ``month`` (a date on the
    1st) narrow it, None for all. Which events these are changes when the next of them
    ends: :func:`listing_changes_at`, asked with the same ``now``, says when.
    """
    events = _in_month(_in_category(events, category), month)
    if listing == PAST:
        return events.filter(ends_at__lte=now).order_by(*PAST_ORDER)
    return events.filter(ends_at__gt=now).order_by(*UPCOMING_ORDER)


def listing_changes_at(events, *, now, category=None, month=None):
    """When the listings of ``events`` for ``category`` and ``month`` next change after
    ``now`` with nothing edited: the moment the first of the matching upcoming events ends,
    leaving the upcoming list for the past one. None if no matching event is upcoming.
    Told to the page cache."""
    matching = _in_month(_in_category(events, category), month)
    moment = matching.filter(ends_at__gt=now).aggregate(first_end=Min("ends_at"))
    pagecache.shown_until(moment["first_end"])
    return moment["first_end"]


def listing_months(events, *, listing, now):
    """The months (dates on the 1st) a listing's filter offers: those in which ``events``
    start, upcoming soonest first (from this month on, or the last one if only earlier
    months have an event still going), past most recent first.

    A month has an upcoming event until the last of its events to end is over, and a past
    one from when the first of them is over; the page cache is told the next such moment
    after ``now``.
    """
    rows = (
        events.select_related(None)
        .filter(ends_at__isnull=False)
        .annotate(month=TruncMonth("start_date"))
        .values("month")
        .annotate(first_end=Min("ends_at"), last_end=Max("ends_at"))
        .order_by("month")
    )
    bounds = [(row["month"], row["first_end"], row["last_end"]) for row in rows]
    if listing == PAST:
        months = [month for month, first_end, _ in bounds if first_end <= now]
        pagecache.shown_until(_first_after(now, (first_end for _, first_end, _ in bounds)))
        return months[::-1]
    months = [month for month, _, last_end in bounds if last_end > now]
    pagecache.shown_until(_first_after(now, (last_end for _, _, last_end in bounds)))
    this_month = timezone.localdate(now).replace(day=1)
    return [month for month in months if month >= this_month] or months[-1:]


def _first_after(now, moments):
    return min((moment for moment in moments if moment > now), default=None)


# ---- the rest of the site ----------------------------------------------------------------


def upcoming_events(*, start=None, end=None, limit=None, category=None):
    """Live, public events that have not ended, soonest first, as a list: the home page's
    next dates and a newsletter's diary.

    ``start`` (a date) counts events not over by the start of that day; by default, those
    not over now. ``end`` (a date) keeps only events that begin on or before it; ``limit``
    caps the number; ``category`` is an EventCategory or its slug. Each event's category is
    loaded with it.
    """
    since = timezone.now() if start is None else start_of_day(start)
    events = _in_category(live_events().filter(ends_at__gt=since), category)
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
    events = _in_category(live_events().filter(ends_at__gt=since), category)
    return list(events.order_by(*UPCOMING_ORDER))
