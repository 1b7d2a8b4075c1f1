"""The diary's iCalendar downloads: feeds to subscribe to and one event's file.

The diary's listings are EventIndexPage's own routes (events/models/diary.py)."""

import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from events import queries
from events.calendar import build_calendar
from events.models import EventCategory, EventIndexPage
from lscp_site.links import absolute as absolute_url

FEED_NAME = "LSCP dates for your diary"
FEED_REFRESH = datetime.timedelta(hours=12)


def _ics_response(data, *, filename, attachment):
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    return response


def _event_url(event, request):
    return absolute_url(event.get_url(request))


@require_safe
@cache_control(max_age=900, public=True)
def feed(request):
    """/events/feed.ics: every upcoming date (and the last year's) to subscribe to."""
    return _feed(request, category=None)


@require_safe
@cache_control(max_age=900, public=True)
def category_feed(request, slug):
    """/events/category/<slug>/feed.ics: one category's dates."""
    category = get_object_or_404(EventCategory, slug=slug)
    return _feed(request, category=category)


def _feed(request, *, category):
    events = queries.feed_events(category=category)
    items = [event.calendar_item(url=_event_url(event, request)) for event in events]
    name = FEED_NAME if category is None else f"{FEED_NAME}: {category.name}"
    description = (
        "Awareness days, LSCP events and other dates for practitioners who work with "
        "children and young people in Leeds."
    )
    data = build_calendar(items, name=name, description=description, refresh_interval=FEED_REFRESH)
    filename = "lscp-diary.ics" if category is None else f"lscp-diary-{category.slug}.ics"
    return _ics_response(data, filename=filename, attachment=False)


@require_safe
def event_ics(request, slug):
    """/events/<slug>/calendar.ics: one date, behind its "Add to calendar" link."""
    index = EventIndexPage.objects.live().public().first()
    if index is None:
        raise Http404("There is no diary.")
    event = get_object_or_404(queries.live_events().child_of(index), slug=slug)
    data = build_calendar([event.calendar_item(url=_event_url(event, request))], name=event.title)
    return _ics_response(data, filename=f"{event.slug}.ics", attachment=True)
