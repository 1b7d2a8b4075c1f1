"""The training catalogue at /training/: every course, its filters, and the next sessions."""

import functools

from django.core.paginator import Paginator
from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index

from lscp_site import pagecache
from lscp_site.models import ChildPagesOfOneType
from lscp_site.panels import page_settings_panels
from training import queries
from training.forms import CourseFilterForm


class TrainingIndexPage(ChildPagesOfOneType, Page):
    """The catalogue at /training/: every course, filters, and the next sessions."""

    introduction = models.TextField(
        blank=True,
        help_text="One or two sentences at the top of the catalogue saying what the LSCP "
        "training programme offers and who can book.",
    )

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["training.CoursePage"]

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    settings_panels = page_settings_panels()
    search_fields = [*Page.search_fields, index.SearchField("introduction")]

    COURSES_PER_PAGE = 20
    NEXT_SESSIONS = 6

    class Meta:
        verbose_name = "training catalogue"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pagecache.showing_areas("training")
        filters = CourseFilterForm(request.GET or None)
        choices = filters.cleaned_filters()
        courses = queries.catalogue_courses(index=self, **choices)
        page_obj = Paginator(courses, self.COURSES_PER_PAGE).get_page(request.GET.get("page"))
        filtered = any(choices.values())
        # The page cache keeps this page for exactly the query it shows, as its links write it.
        listing_query = pagecache.showing_query(
            type=choices["course_type"],
            format=choices["format"],
            audience=choices["audience"].slug if choices["audience"] else None,
            upcoming="on" if choices["upcoming_only"] else None,
            page=page_obj.number if page_obj.number > 1 else None,
        )
        context.update(
            filters=filters,
            choices=choices,
            filtered=filtered,
            page_obj=page_obj,
            listing_query=listing_query,
            # Read inside the cards' cached fragment.
            cards=functools.partial(queries.course_cards, page_obj),
            # The next sessions across courses head the unfiltered catalogue's first page
            # only; the template calls the function inside their cached fragment.
            with_next_sessions=not filtered and page_obj.number == 1,
            next_sessions=functools.partial(queries.next_sessions, limit=self.NEXT_SESSIONS),
        )
        return context
