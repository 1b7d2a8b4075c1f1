"""How a diary lists events: upcoming or past at a moment, by category and month, and when
that changes with nothing edited (told to the page cache, ``pagecache.shown_until``, by the
function that decides it).

Functions of querysets, importing no model: the diary's page (events/models/diary.py) hands
them its events, and events/queries.py, what the rest of the site asks, builds on them.
"""

import datetime

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


def in_category(events, category):
    """``category``: an EventCategory, its slug, or None for every category."""
    if category is None:
        return events
    if isinstance(category, str):
        return events.filter(category__slug=category)
    return events.filter(category=category)


def in_month(events, month):
    """Events on any day of ``month`` (a date on the 1st; None for any month), counting
    ranges of days that run into it from the month before."""
    if month is None:
        return events
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    return events.filter(start_date__lt=next_month, ends_at__gt=start_of_day(month))


def readable(events):
    """``events`` (a queryset of EventPage) that readers may see, with their categories
    (every card shows one)."""
    return events.live().public().select_related("category")


def listed_events(events, *, listing, now, category=None, month=None):
    """``events`` (a diary's :func:`readable` events) as a listing shows them, a queryset for its
    paginator.

    ``listing`` is UPCOMING (not yet over at ``now``, soonest first) or PAST (over by
    then, most recent first); ``category`` (an EventCategory) and ``month`` (a date on the
    1st) narrow it, None for all. Which events these are changes when the next of them
    ends: :func:`listing_changes_at`, asked with the same ``now``, says when.
    """
    events = in_month(in_category(events, category), month)
    if listing == PAST:
        return events.filter(ends_at__lte=now).order_by(*PAST_ORDER)
    return events.filter(ends_at__gt=now).order_by(*UPCOMING_ORDER)


def listing_changes_at(events, *, now, category=None, month=None):
    """When the listings of ``events`` for ``category`` and ``month`` next change after
    ``now`` with nothing edited: the moment the first of the matching upcoming events ends,
    leaving the upcoming list for the past one. None if no matching event is upcoming.
    Told to the page cache."""
    matching = in_month(in_category(events, category), month)
    moment = matching.filter(ends_at__gt=now).aggregate(first_end=Min("ends_at"))
    pagecache.shown_until(moment["first_end"])
    return moment["first_end"]


def event_cards(page, events, *, now, category=None, month=None):
    """The events of ``page`` (a page of :func:`listed_events` of ``events``), for its cards:
    reading them tells the page cache when the listing next changes (the same ``now``,
    ``category`` and ``month``), so a fragment holding the cards is kept until then."""
    listing_changes_at(events, now=now, category=category, month=month)
    return list(page.object_list)


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
    # Earlier months with an event still going drop out when the next month starts.
    pagecache.shown_until(start_of_day((this_month + datetime.timedelta(days=32)).replace(day=1)))
    return [month for month in months if month >= this_month] or months[-1:]


def _first_after(now, moments):
    return min((moment for moment in moments if moment > now), default=None)
