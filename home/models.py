"""The home page: what each part of the site has newest, asked of each app's own query
function (never its models)."""

import functools

from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from events.queries import upcoming_events
from lscp_site import pagecache
from lscp_site.panels import page_settings_panels
from newsletter.queries import latest_issue
from training.queries import next_sessions


class HomePage(Page):
    introduction = models.TextField(
        blank=True,
        help_text="One or two sentences under the site name on the home page, saying what "
        "the site offers practitioners.",
    )

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    settings_panels = page_settings_panels()

    class Meta:
        verbose_name = "home page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Its own text; each section's fragment adds the area it shows.
        pagecache.showing_areas()
        # Functions, which the template calls inside each section's cached fragment: a
        # render that reads the fragments back runs none of their queries.
        context.update(
            latest_issue=latest_issue,
            next_dates=functools.partial(upcoming_events, limit=3),
            next_sessions=functools.partial(next_sessions, limit=3, with_places_only=True),
        )
        return context
