"""The diary's listings (built for EventIndexPage's routes) and its iCalendar downloads."""

import datetime

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from events import queries
from events.calendar import build_calendar
from events.forms import EventFilterForm, month_label
from events.models import EventCategory, EventIndexPage
from lscp_site import cards
from lscp_site.links import absolute as absolute_url
from lscp_site.pages import public

EVENTS_PER_PAGE = 20
FEED_NAME = "LSCP dates for your diary"
FEED_REFRESH = datetime.timedelta(hours=12)


def listing_context(request, *, index, listing, category_slug=None):
    """Everything the diary's template shows, in a fixed number of queries.

    ``listing`` is "upcoming" or "past"; ``category_slug`` comes from a category route.
    """
    categories = list(EventCategory.objects.order_by("name"))
    category = None
    if category_slug is not None:
        category = next((item for item in categories if item.slug == category_slug), None)
        if category is None:
            raise Http404("No such category of events.")
    # Months in which events start, newest last; upcoming months from this one on.
    now = timezone.now()
    months = queries.diary_months(listing, now)
    if listing == "upcoming" and months:
        this_month = timezone.localdate().replace(day=1)
        months = [month for month in months if month >= this_month] or months[-1:]
    if listing == "past":
        months.reverse()

    data = request.GET.copy()
    if category is not None:
        data.setdefault("category", category.slug)
    form = EventFilterForm(data, categories=categories, months=months)
    chosen_category = chosen_month = None
    if form.is_valid():
        chosen_category = form.cleaned_data["category"]
        chosen_month = form.cleaned_data["month"]
    else:
        # Keep whatever part of the filter was right; the wrong part is shown beside its field.
        chosen_category = category

    events = queries.diary_events(listing, now, category=chosen_category, month=chosen_month)
    # Paginated by id; the cards of a page of ids are rendered once per change of the
    # site's pages: which events a listing shows depends on the time, what a card shows not.
    page_obj = Paginator(events.ids, EVENTS_PER_PAGE).get_page(request.GET.get("page"))

    index_url = index.get_url(request)
    shown = page_obj.object_list
    event_cards = cards.remembered(
        "event_cards.jinja",
        f"{index.pk}:{index_url}",
        shown,
        lambda: {"events": queries.event_cards(events.rows_for(shown), index_url)},
    )
    upcoming_url = index_url
    past_url = index_url + "past/"
    if listing == "past":
        heading, form_action = "Past events", past_url
    elif category is not None:
        heading, form_action = category.name, upcoming_url
    else:
        heading, form_action = index.title, upcoming_url
    crumbs = [{"url": "/", "title": "Home"}]
    if listing == "past" or category is not None:
        crumbs.append({"url": index_url, "title": index.title})

    feed_category = chosen_category if chosen_category is not None else category
    feed_address = absolute_url(feed_path(feed_category))

    return {
        "listing": listing,
        "heading": heading,
        "crumbs": crumbs,
        "category": category,
        "chosen_category": chosen_category,
        "chosen_month": chosen_month,
        "chosen_month_label": month_label(chosen_month) if chosen_month else "",
        "filtered": chosen_category is not None or chosen_month is not None,
        "filter_form": form,
        "form_action": form_action,
        "events": page_obj.object_list,
        "event_cards": event_cards,
        "page_obj": page_obj,
        "categories": categories,
        "index_url": index_url,
        "upcoming_url": upcoming_url,
        "past_url": past_url,
        "feed_category": feed_category,
        "feed_url": feed_address,
        "webcal_url": "webcal://" + feed_address.split("://", 1)[1],
    }


def feed_path(category=None):
    """The path of the whole diary's feed, or of one category's."""
    if category is None:
        return reverse("events:feed")
    return reverse("events:category_feed", kwargs={"slug": category.slug})


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
    index = public(EventIndexPage.objects.live()).first()
    if index is None:
        raise Http404("There is no diary.")
    event = get_object_or_404(
        queries.live_events().child_of(index),
        slug=slug,
    )
    data = build_calendar([event.calendar_item(url=_event_url(event, request))], name=event.title)
    return _ics_response(data, filename=f"{event.slug}.ics", attachment=True)
