"""The "Dates for your diary" listing page: its routes, filters and pages of events."""

import functools

from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from events import listing as listings
from events.forms import EventFilterForm, month_label, month_value
from events.models.pages import EventPage
from events.models.snippets import EventCategory
from lscp_site import editors_guide, pagecache
from lscp_site.links import absolute as absolute_url
from lscp_site.models import ChildPagesOfOneType
from lscp_site.panels import page_settings_panels


def feed_path(category=None):
    """The path of the whole diary's iCalendar feed, or of one category's."""
    if category is None:
        return reverse("events:feed")
    return reverse("events:category_feed", kwargs={"slug": category.slug})


class EventIndexPage(RoutablePageMixin, ChildPagesOfOneType, Page):
    """/events/: upcoming dates soonest first, the past archive, categories and filters."""

    introduction = models.TextField(
        blank=True,
        help_text="One or two sentences under the title, saying what the diary holds, for "
        "example awareness days, LSCP events and conferences for practitioners in Leeds.",
    )

    events_per_page = 20

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.EventPage"]

    content_panels = [
        *Page.content_panels,
        HelpPanel(
            content="This page lists every event added beneath it: upcoming dates first, and "
            "past dates in the archive. Add each date as a child page of this one. Keep the "
            "slug 'events': calendar feeds people subscribe to live at /events/feed.ics."
        ),
        editors_guide.guide_help(
            section=editors_guide.EVENTS,
            text="Events move to the past events page by themselves when they end.",
            link_text="Events in the editors' guide",
        ),
        FieldPanel("introduction"),
    ]
    settings_panels = page_settings_panels()

    class Meta:
        verbose_name = "dates for your diary (events listing)"

    def get_context(self, request, *args, listing=listings.UPCOMING, category_slug=None, **kwargs):
        """The diary's listing: ``listing`` is UPCOMING or PAST, ``category_slug`` comes
        from a category's address, the category and month filters from the query string."""
        context = super().get_context(request, *args, **kwargs)
        # Events and their categories; the listing's fragment adds the training sessions.
        pagecache.showing_areas("events")
        # Read where they are shown (the listing's fragment: its filter and feeds) or a category is
        # checked: one query, as the form and the template share this queryset.
        categories = EventCategory.objects.order_by("name")
        category = None
        if category_slug is not None:
            category = next((item for item in categories if item.slug == category_slug), None)
            if category is None:
                raise Http404("No such category of events.")
        data = request.GET.copy()
        if category is not None:
            data.setdefault("category", category.slug)

        # One moment for the whole listing, so the cards and when they change agree.
        now = timezone.now()
        diary_events = listings.readable(EventPage.objects.child_of(self))
        # Read when the form is shown, inside its cached fragment.
        months = functools.partial(listings.listing_months, diary_events, listing=listing, now=now)
        form = EventFilterForm(data, categories=categories, months=months)
        chosen_category, chosen_month = form.chosen(default_category=category)
        events = listings.listed_events(
            diary_events, listing=listing, now=now, category=chosen_category, month=chosen_month
        )
        page_obj = Paginator(events, self.events_per_page).get_page(request.GET.get("page"))
        # Kept by the page cache only for the query written as the page's own links write it.
        listing_query = pagecache.showing_query(
            category=chosen_category.slug
            if chosen_category is not None and request.GET.get("category")
            else None,
            month=month_value(chosen_month) if chosen_month is not None else None,
            page=page_obj.number if page_obj.number > 1 else None,
        )
        feed_category = chosen_category or category
        feed_url = absolute_url(feed_path(feed_category))
        context.update(
            {
                **self.listing_links(request, listing=listing, category=category),
                "listing": listing,
                "category": category,
                "categories": categories,
                "filter_form": form,
                "chosen_category": chosen_category,
                "chosen_month": chosen_month,
                "chosen_month_label": month_label(chosen_month) if chosen_month else "",
                "filtered": chosen_category is not None or chosen_month is not None,
                "page_obj": page_obj,
                "listing_query": listing_query,
                # Read inside the cards' fragment, which is kept until the listing changes.
                "cards": functools.partial(
                    listings.event_cards,
                    page_obj,
                    diary_events,
                    now=now,
                    category=chosen_category,
                    month=chosen_month,
                ),
                "feed_category": feed_category,
                "feed_url": feed_url,
                "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
            }
        )
        return context

    def listing_links(self, request, *, listing, category):
        """The heading, breadcrumbs, tabs and filter address of a listing."""
        index_url = self.get_url(request)
        past_url = f"{index_url}past/"
        if listing == listings.PAST:
            heading, form_action = "Past events", past_url
        elif category is not None:
            heading, form_action = category.name, index_url
        else:
            heading, form_action = self.title, index_url
        crumbs = [{"url": "/", "title": "Home"}]
        if listing == listings.PAST or category is not None:
            crumbs.append({"url": index_url, "title": self.title})
        return {
            "heading": heading,
            "crumbs": crumbs,
            "form_action": form_action,
            "index_url": index_url,
            "upcoming_url": index_url,
            "past_url": past_url,
        }

    @path("")
    def upcoming(self, request):
        return self.render_listing(request, listing=listings.UPCOMING)

    @path("past/")
    def past(self, request):
        return self.render_listing(request, listing=listings.PAST)

    @path("category/<slug:slug>/")
    def category(self, request, slug):
        return self.render_listing(request, listing=listings.UPCOMING, category_slug=slug)

    def render_listing(self, request, *, listing, category_slug=None):
        """The listing; a filter that cannot be applied answers 400 (Bad Request), with the
        page explaining beside each field what was wrong."""
        response = self.render(request, listing=listing, category_slug=category_slug)
        if response.context_data["filter_form"].errors:
            response.status_code = 400
        return response

    def get_sitemap_urls(self, request=None):
        """The diary and its archive of past events."""
        urls = super().get_sitemap_urls(request)
        if urls:
            urls.append({**urls[0], "location": urls[0]["location"] + "past/"})
        return urls
