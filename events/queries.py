"""Questions other parts of the site ask the diary: what is coming up, what has happened.

An event counts as upcoming until it is over (``EventPage.ends_at``, worked out when it is
saved), so "upcoming" and "past" are each one indexed query. Only live, public events are
shown anywhere; an unpublished event disappears from lists, feeds and the home page.
"""

import array
import bisect
import datetime
from dataclasses import dataclass

from django.db.models import F, Max, Min
from django.db.models.functions import TruncMonth
from django.utils import timezone

from events.dates import LONDON, WhenAndWhere
from events.models import EventCategory, EventPage
from lscp_site import compiled_queries, pagecache
from lscp_site.pages import child_url, public, with_ids

UPCOMING_ORDER = [F("start_date").asc(), F("start_time").asc(nulls_first=True), "title", "pk"]
PAST_ORDER = [F("start_date").desc(), F("start_time").desc(nulls_last=True), "title", "pk"]


def start_of_day(day):
    """Midnight at the start of ``day`` in Leeds, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=LONDON)


@dataclass(frozen=True)
class EventCard(WhenAndWhere):
    """An event as a card in the diary shows it (templates/cards/event_cards.jinja):
    built from a row of ``CARD_COLUMNS``, without a page object (with its category, that
    was two models a card) or Wagtail's address lookup (``lscp_site.pages.child_url``)."""

    title: str
    url: str
    summary: str
    category_name: str
    start_date: datetime.date
    start_time: datetime.time | None
    end_date: datetime.date | None
    end_time: datetime.time | None
    online: bool
    location: str


CARD_COLUMNS = (
    "title",
    "slug",
    "summary",
    "category__name",
    "start_date",
    "start_time",
    "end_date",
    "end_time",
    "online",
    "location",
)


def event_cards(rows, diary_url):
    """``EventCard``s for rows of ``diary_events``; every event is a child of the one diary
    (EventIndexPage.max_count = 1), whose address is ``diary_url``."""
    return [
        EventCard(
            title=row["title"],
            url=child_url(diary_url, row["slug"]),
            summary=row["summary"],
            category_name=row["category__name"],
            start_date=row["start_date"],
            start_time=row["start_time"],
            end_date=row["end_date"],
            end_time=row["end_time"],
            online=row["online"],
            location=row["location"],
        )
        for row in rows
    ]


def live_events():
    """Every event readers may see, with what a card shows loaded alongside."""
    return public(EventPage.objects.live()).select_related("category")


def _in_category(queryset, category):
    if category is None:
        return queryset
    if isinstance(category, EventCategory):
        return queryset.filter(category=category)
    return queryset.filter(category__slug=category)


def upcoming_queryset(*, start=None, end=None, category=None):
    """Events not yet over, soonest first, as a queryset (for paginating).

    ``start`` (a date): count events not over by the start of that day; by default, now.
    ``end`` (a date): only events that begin on or before that day.
    ``category``: an EventCategory or its slug.
    """
    since = timezone.now() if start is None else start_of_day(start)
    return _in_category(_upcoming_since(since, end), category)


def _upcoming_since(since, end):
    queryset = live_events().filter(ends_at__gt=since)
    if end is not None:
        queryset = queryset.filter(start_date__lte=end)
    return queryset.order_by(*UPCOMING_ORDER)


def upcoming_events(*, start=None, end=None, limit=None, category=None):
    """Live, public events that have not ended, soonest first, as a list.

    ``start`` (a date) defaults to today, counting events not over by this moment; ``end``
    (a date) keeps only events that begin on or before it; ``limit`` caps the number;
    ``category`` is an EventCategory or its slug. Each event's category is loaded.
    """
    if category is not None:
        return list(_first(upcoming_queryset(start=start, end=end, category=category), limit))
    # The home page and every issue's diary ask this: compiled once.
    since = timezone.now() if start is None else start_of_day(start)
    events = compiled_queries.fetch(
        ("events: upcoming", limit),
        lambda since, *end: _first(_upcoming_since(since, end[0] if end else None), limit),
        since,
        *([] if end is None else [end]),
    )
    if start is None:
        # Counted from this moment, the list changes when the first of them ends (one past
        # the first ``limit`` ending changes nothing before it).
        pagecache.shown_until(min((event.ends_at for event in events), default=None))
    return events


def _first(queryset, limit):
    return queryset if limit is None else queryset[:limit]


def past_queryset(*, category=None):
    """Events that are over, most recent first: the archive. Past events stay readable."""
    return _in_category(_past_at(timezone.now()), category)


def diary_months(listing, now):
    """The months (dates on the 1st, oldest first) in which the diary's events start:
    ``listing`` is "upcoming" or "past", as of ``now``.

    A month has an upcoming event when the last of its events to end ends after ``now``,
    and a past one when the first to end has ended by then; so the months with those two
    moments (``month_bounds``) answer both listings at any time, and they change only when
    an event does.
    """
    if listing == "past":
        return [month for month, first_end, _ in month_bounds() if first_end <= now]
    return [month for month, _, last_end in month_bounds() if last_end > now]


def month_bounds():
    """[(month, when its first event ends, when its last event ends)], oldest month first,
    for the months in which live, public events start: worked out once per change of the
    site's pages (``pagecache.remembered``), where counting them on every render grew with
    the diary."""
    return pagecache.remembered(
        "events:month-bounds",
        lambda: [
            (row["month"], row["first_end"], row["last_end"])
            for row in compiled_queries.fetch("events: month bounds", _month_bounds)
        ],
    )


def _month_bounds():
    return (
        live_events()
        .select_related(None)
        .filter(ends_at__isnull=False)
        .annotate(month=TruncMonth("start_date"))
        .values("month")
        .annotate(first_end=Min("ends_at"), last_end=Max("ends_at"))
        .order_by("month")
    )


def diary_events(listing, now, *, category=None, month=None):
    """The diary's events for the paginator: ``listing`` ("upcoming" or "past") as of
    ``now``, in ``category`` (an EventCategory) and ``month`` (a date on the 1st, events on
    any day of it, including ranges that overlap it), each None for all, as rows of
    ``CARD_COLUMNS`` and "pk" (``event_cards`` makes them cards).

    Which events those are, in order, is picked from ``diary_order`` (worked out once per
    change of the site's pages) and only the page shown is fetched, by id: counting and
    sorting a listing on every render grew with the diary (0.8 ms on the large benchmark
    site against 0.3 on the demo's)."""
    after = _microseconds(now)
    next_month = month_starts = None
    if month is not None:
        next_month = (month + datetime.timedelta(days=32)).replace(day=1).toordinal()
        month_starts = _microseconds(start_of_day(month))
    past = listing == "past"
    order = diary_order(listing)
    # Each listing, and the months it offers, changes when the next event ends.
    pagecache.shown_until(order.next_end_after(after))
    if category is None and month is None:  # the diary as most readers see it
        ends_in_order = zip(order.ids, order.ends, strict=True)
        if past:
            ids = [pk for pk, ends in ends_in_order if ends <= after]
        else:
            ids = [pk for pk, ends in ends_in_order if ends > after]
    else:
        ids = [
            pk
            for pk, ends, category_id, starts in zip(
                order.ids, order.ends, order.category_ids, order.start_days, strict=True
            )
            if (ends <= after if past else ends > after)
            and (category is None or category_id == category.pk)
            and (month is None or (starts < next_month and ends > month_starts))
        ]
    return compiled_queries.RowsInOrder(("events: diary cards by id",), ids, _card_rows)


@dataclass(frozen=True)
class DiaryOrder:
    """A listing's events in order, as four columns: their ids, when each ends
    (microseconds since 1970), its category's id and the day it starts (an ordinal)."""

    ids: array.array
    ends: array.array
    category_ids: array.array
    start_days: array.array
    # The same ends, earliest first.
    ends_in_time: array.array

    def next_end_after(self, after):
        """When the first event still going at ``after`` (microseconds since 1970) ends: a
        datetime, or None if none is."""
        found = bisect.bisect_right(self.ends_in_time, after)
        if found == len(self.ends_in_time):
            return None
        return EPOCH + self.ends_in_time[found] * MICROSECOND


def diary_order(listing):
    """A ``DiaryOrder`` of every live, public event that has an end, in ``listing``'s order
    ("upcoming": soonest first; "past": most recent first), whatever the time: an event is
    in one listing or the other by when it ends. Worked out once per change of the site's
    pages (``pagecache.remembered``), as columns of machine integers, which the cache reads
    back in 10 µs for the large site's 500 events, where a list of tuples of them took 140
    (and of datetimes and dates 500)."""
    order = PAST_ORDER if listing == "past" else UPCOMING_ORDER
    return pagecache.remembered(f"events:diary-order:{listing}", lambda: _diary_order(order))


def _diary_order(order):
    rows = list(
        live_events()
        .select_related(None)
        .filter(ends_at__isnull=False)
        .order_by(*order)
        .values_list("pk", "ends_at", "category_id", "start_date")
    )
    ends = array.array("q", (_microseconds(ends) for _, ends, _, _ in rows))
    return DiaryOrder(
        ids=array.array("q", (pk for pk, _, _, _ in rows)),
        ends=ends,
        ends_in_time=array.array("q", sorted(ends)),
        category_ids=array.array("q", (category_id or 0 for _, _, category_id, _ in rows)),
        start_days=array.array("q", (starts.toordinal() for _, _, _, starts in rows)),
    )


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


def _microseconds(moment):
    return (moment - EPOCH) // MICROSECOND


def _card_rows(ids):
    return with_ids(EventPage.objects.all(), ids).values("pk", *CARD_COLUMNS)


def _past_at(now):
    return live_events().filter(ends_at__lte=now).order_by(*PAST_ORDER)


def feed_events(*, category=None, days_kept=365):
    """Events for a subscribed calendar: all upcoming ones and those over in the last year,
    so dates do not vanish from people's calendars the moment they end."""
    since = timezone.now() - datetime.timedelta(days=days_kept)
    queryset = live_events().filter(ends_at__gt=since)
    return list(_in_category(queryset, category).order_by(*UPCOMING_ORDER))
