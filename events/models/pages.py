"""An event in the diary."""

import datetime
import functools

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from events.calendar import CalendarItem
from events.dates import LONDON, WhenAndWhere, format_date, format_time
from events.models.snippets import EventCategory
from lscp_site import pagecache
from lscp_site.links import absolute as absolute_url
from lscp_site.links import hostname
from lscp_site.panels import page_settings_panels

HASHTAG = RegexValidator(
    r"^#?[A-Za-z0-9_]+$",
    "A hashtag is one word of letters, numbers or underscores, for example #CEADay25.",
)


class EventPage(WhenAndWhere, Page):
    """One date in the diary: an awareness day or week, an LSCP event, a conference..."""

    start_date = models.DateField(
        help_text="The day the event takes place, or its first day.",
    )
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="Only for events over several days (for example an awareness week): the "
        "last day. Leave empty for a one-day event.",
    )
    start_time = models.TimeField(
        null=True,
        blank=True,
        help_text="Leave empty for an all-day date such as an awareness day. UK time "
        "(GMT or BST, as the clocks show on the day), for example 14:00.",
    )
    end_time = models.TimeField(
        null=True,
        blank=True,
        help_text="When it finishes, on the last day. Needs a start time.",
    )
    category = models.ForeignKey(
        EventCategory,
        on_delete=models.PROTECT,
        related_name="events",
        help_text="What kind of date this is. Readers can filter the diary and subscribe to "
        "each category. Manage the list under Snippets > Event categories.",
    )
    summary = models.TextField(
        max_length=300,
        help_text="One or two sentences (up to 300 characters) saying what the date is about. "
        "Shown in the diary, on the home page, in calendar apps and in search results.",
    )
    organiser = models.CharField(
        max_length=150,
        blank=True,
        help_text="Who runs it, if not the LSCP, for example 'National Working Group'.",
    )
    external_url = models.URLField(
        "external link",
        blank=True,
        help_text="Optional. The organiser's own page about the date, for example the NWG "
        "website. Include https://.",
    )
    external_link_text = models.CharField(
        "external link text",
        max_length=100,
        blank=True,
        help_text="The words of the link, which must make sense on their own, for example "
        "'NWG website' (not 'click here'). Needed when you add an external link.",
    )
    hashtag = models.CharField(
        max_length=60,
        blank=True,
        validators=[HASHTAG],
        help_text="Optional. The hashtag for social media, for example #CEADay25.",
    )
    online = models.BooleanField(
        "online",
        default=False,
        help_text="Tick if people take part online (a webinar, for example). Tick it and "
        "fill in a location too if people can come in person or join online.",
    )
    location = models.CharField(
        max_length=255,
        blank=True,
        help_text="Where it takes place in person, with the address, for example 'Leeds Civic "
        "Hall, Portland Way, Leeds LS1 1UR'. Leave empty for online events and awareness "
        "days.",
    )
    body = RichTextField(
        blank=True,
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
        help_text="Optional. More about the date: what happens, who it is for, how to take "
        "part or support it.",
    )
    ends_at = models.DateTimeField(
        editable=False,
        blank=True,  # worked out in full_clean() and save(), never typed in
        db_index=True,
        help_text="When the event is over (worked out from its dates and times). Before this "
        "moment it is upcoming, after it past.",
    )

    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("organiser"),
        index.AutocompleteField("organiser"),
        index.RelatedFields("category", [index.SearchField("name")]),
        index.FilterField("start_date"),
        index.FilterField("ends_at"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldRowPanel([FieldPanel("start_time"), FieldPanel("end_time")]),
            ],
            heading="When",
            help_text="Without times the event is all day. Times are UK time.",
        ),
        FieldPanel("category", widget=forms.Select),
        FieldPanel("summary"),
        MultiFieldPanel([FieldPanel("online"), FieldPanel("location")], heading="Where"),
        MultiFieldPanel(
            [
                FieldPanel("organiser"),
                FieldPanel("external_url"),
                FieldPanel("external_link_text"),
                FieldPanel("hashtag"),
            ],
            heading="Organiser and links",
        ),
        FieldPanel("body"),
    ]
    settings_panels = page_settings_panels()

    class Meta:
        verbose_name = "event"
        indexes = [models.Index(fields=["start_date"], name="events_start_date_idx")]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pagecache.showing_areas("events")
        # Called by the template inside the page's cached fragments: a render that reads
        # them back does not ask for the diary page or the category.
        context["details"] = functools.partial(self.details, request)
        return context

    def details(self, request):
        """What the page shows beside its own fields: the diary's address, the category's,
        the breadcrumbs, whether the event is over, and its structured data."""
        index = self.get_parent()
        index_url = index.get_url(request)
        # A new page being previewed has no address yet.
        url = absolute_url(self.get_url(request) or index_url)
        return {
            "index_url": index_url,
            "crumbs": [{"url": "/", "title": "Home"}, {"url": index_url, "title": index.title}],
            "category_url": f"{index_url}category/{self.category.slug}/",
            "is_past": self._is_past(),
            "structured_data": self.structured_data(url=url),
        }

    def _is_past(self):
        """Whether the event is over; until it is, the page says so from the moment it ends
        (to the page cache: ``pagecache.shown_until``)."""
        if self.ends_at is None:
            return False
        if self.ends_at <= timezone.now():
            return True
        pagecache.shown_until(self.ends_at)
        return False

    def full_clean(self, *args, **kwargs):
        if self.start_date:
            self.ends_at = self.compute_ends_at()
        super().full_clean(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = (
                "The end date cannot be before the start date "
                f"({format_date(self.start_date)}). For a one-day event, leave it empty."
            )
        if self.end_time and not self.start_time:
            errors["end_time"] = (
                "An end time needs a start time. Add the start time, or leave both empty "
                "for an all-day event."
            )
        elif (
            self.start_time
            and self.end_time
            and self.end_date in (None, self.start_date)
            and self.end_time <= self.start_time
        ):
            errors["end_time"] = (
                f"The end time must be after the start time ({format_time(self.start_time)}) "
                "on a one-day event. If it runs past midnight, give the end date too."
            )
        if self.external_url and not self.external_link_text.strip():
            errors["external_link_text"] = (
                "Add the words for the link, for example 'NWG website', so readers know "
                "where it goes."
            )
        if self.external_link_text.strip() and not self.external_url:
            errors["external_url"] = (
                "Add the web address the link goes to, or remove the link text."
            )
        if errors:
            raise ValidationError(errors)
        if self.hashtag:
            self.hashtag = "#" + self.hashtag.strip().lstrip("#")

    def save(self, *args, **kwargs):
        if self.start_date:
            self.ends_at = self.compute_ends_at()
        super().save(*args, **kwargs)

    # --- When and where (all_day, last_date, starts, ends, where: events.dates.WhenAndWhere)

    def compute_ends_at(self):
        """The moment the event is over: its end time, else midnight after its last day."""
        if self.start_time is not None and self.end_time is not None:
            return datetime.datetime.combine(self.last_date, self.end_time, tzinfo=LONDON)
        next_day = self.last_date + datetime.timedelta(days=1)
        return datetime.datetime.combine(next_day, datetime.time(0), tzinfo=LONDON)

    # --- Elsewhere: calendars, structured data -------------------------------------------

    @cached_property
    def ics_path(self):
        return reverse("events:event_ics", kwargs={"slug": self.slug})

    def calendar_uid(self):
        """Stable for the life of the event, whatever its title or dates become."""
        return f"event-{self.pk}@{hostname()}"

    def calendar_item(self, *, url):
        """This event for events.calendar.build_calendar; ``url`` is its absolute address."""
        description = self.summary
        if self.organiser:
            description += f"\n\nOrganised by {self.organiser}."
        if self.external_url:
            description += f"\n\n{self.external_link_text}: {self.external_url}"
        description += f"\n\nMore information: {url}"
        return CalendarItem(
            uid=self.calendar_uid(),
            title=self.title,
            start=self.starts,
            end=self.ends,
            description=description,
            location=self.location,
            url=url,
            online=self.online,
            modified=self.last_published_at,
        )

    def structured_data(self, *, url):
        """schema.org Event for search engines (JSON-LD)."""
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": self.title,
            "description": self.summary,
            "url": url,
            "startDate": self.starts.isoformat(),
            "eventStatus": "https://schema.org/EventScheduled",
        }
        ends = self.ends
        if ends is not None:
            data["endDate"] = ends.isoformat()
        places = []
        if self.location:
            places.append({"@type": "Place", "name": self.location, "address": self.location})
        if self.online:
            places.append({"@type": "VirtualLocation", "url": self.external_url or url})
        if self.online and self.location:
            mode = "MixedEventAttendanceMode"
        elif self.online:
            mode = "OnlineEventAttendanceMode"
        else:
            mode = "OfflineEventAttendanceMode"
        data["eventAttendanceMode"] = f"https://schema.org/{mode}"
        if places:
            data["location"] = places[0] if len(places) == 1 else places
        organiser = {
            "@type": "Organization",
            "name": self.organiser or "Leeds Safeguarding Children Partnership",
        }
        if self.organiser and self.external_url:
            organiser["url"] = self.external_url
        elif not self.organiser:
            organiser["url"] = absolute_url("/")
        data["organizer"] = organiser
        return data
