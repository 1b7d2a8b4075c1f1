"""Course pages: what a course covers, who it is for, and the sessions people can book."""

import functools

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from lscp_site import editors_guide, pagecache
from lscp_site.panels import page_settings_panels
from training import views
from training.admin_forms import CoursePageForm
from training.models.choices import CourseFormat, CourseType, LineManagerRole
from training.models.sessions import Session, with_places_in_memory
from training.panels import BookingCountsPanel

# Slugs a course may not take: the app's own routes live under /training/ beside the pages.
RESERVED_COURSE_SLUGS = {"bookings"}


class CoursePage(RoutablePageMixin, Page):
    """One course: what it covers, who it is for, and the sessions people can book."""

    course_type = models.CharField(
        max_length=20,
        choices=CourseType.choices,
        default=CourseType.TOPIC,
        help_text="Core courses are the LSCP's standing programme (for example 'Working "
        "Together to Safeguard Children'); topic-based sessions cover one subject.",
    )
    format = models.CharField(
        max_length=20,
        choices=CourseFormat.choices,
        default=CourseFormat.LIVE_WEBINAR,
        help_text="How the course is delivered. While the course has dates listed, readers "
        "see the format of those sessions instead (each session below says whether it is a "
        "webinar or face to face), so the label always matches the dates.",
    )
    summary = models.TextField(
        help_text="Two or three sentences shown in the catalogue and at the top of the page: "
        "what the course covers and why it matters to practitioners.",
    )
    audiences = ParentalManyToManyField(
        "training.Audience",
        blank=True,
        related_name="courses",
        help_text="The groups of practitioners the course is written for. Used by the "
        "catalogue's 'Who it is for' filter.",
    )
    who_it_is_for = models.TextField(
        "Who it is for",
        blank=True,
        help_text="In a sentence or two, who should book: roles, experience, any course to "
        "take first.",
    )
    learning_outcomes = models.TextField(
        blank=True,
        help_text="What people will be able to do after the course. One outcome per line; "
        "each line becomes a bullet point.",
    )
    duration = models.CharField(
        max_length=100,
        blank=True,
        help_text="How long the course takes, as people would say it: '1 hour', 'Full day, "
        "9:30am to 4pm', 'About 2 hours, at your own pace'.",
    )
    body = RichTextField(
        blank=True,
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"],
        help_text="Everything else practitioners need to know: the content in more detail, "
        "what to prepare, how certificates work. Use 'Heading 2' for each section.",
    )
    elearning_url = models.URLField(
        "E-learning link",
        blank=True,
        help_text="For an e-learning course: where practitioners take it. Leave empty for "
        "courses with sessions to book.",
    )
    reminder_working_days = models.PositiveSmallIntegerField(
        "Reminder, working days before",
        default=2,
        validators=[MaxValueValidator(10)],
        help_text="How many working days before each session people with a place are emailed "
        "a reminder, with the joining link or the venue. Weekends and bank holidays do not "
        "count. 0 sends no reminder.",
    )
    line_manager = models.CharField(
        "Line manager",
        max_length=20,
        choices=LineManagerRole.choices,
        default=LineManagerRole.NOT_ASKED,
        help_text="Whether the booking form asks for the delegate's line manager's email. "
        "'Sent a copy' copies the manager into the confirmation. 'Must approve' holds the "
        "place and emails the manager links to approve or decline it; a place not approved "
        "by the working day before the session is released to the waiting list.",
    )
    feedback_url = models.URLField(
        "Feedback form",
        blank=True,
        help_text="The address of the course's feedback form. Sent to attendees after the "
        "session, with the resources below.",
    )
    refresher_months = models.PositiveSmallIntegerField(
        "Refresher due after (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="If people should take the course again after a while, how many months "
        "(36 for three years). Attendees are emailed before it runs out, with the next "
        "dates. Their booking details are kept until then. Leave empty for no refresher.",
    )

    base_form_class = CoursePageForm
    parent_page_types = ["training.TrainingIndexPage"]
    subpage_types = []

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("course_type"),
                FieldPanel("format"),
                FieldPanel("summary"),
                FieldPanel("duration"),
            ],
            heading="About the course",
        ),
        MultiFieldPanel(
            [
                FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
                FieldPanel("who_it_is_for"),
            ],
            heading="Who it is for",
        ),
        FieldPanel("learning_outcomes"),
        FieldPanel("body"),
        FieldPanel("elearning_url"),
        MultiFieldPanel(
            [
                HelpPanel(
                    content="<p>Each session is a date people can book. Joining details are "
                    "private: they are sent only to people with a confirmed place and never "
                    "shown on the website.</p><p>A session with people booked on it cannot be "
                    "removed here: cancel it from <b>Training bookings</b> first, which emails "
                    "everyone booked.</p>"
                ),
                editors_guide.guide_help(
                    section=editors_guide.TRAINING,
                    text="Bookings, the waiting list, registers and cancelling for someone are "
                    "under Training bookings in the menu.",
                    link_text="Courses, sessions and bookings in the editors' guide",
                ),
                InlinePanel("sessions", label="Session"),
            ],
            heading="Sessions",
        ),
        MultiFieldPanel(
            [
                editors_guide.guide_help(
                    section=editors_guide.COURSE_AFTER_BOOKING,
                    text="Reminders, the line manager's copy or approval, and what attendees "
                    "get after the session apply to bookings made from now on.",
                    link_text="Reminders, line managers and after the session in the "
                    "editors' guide",
                ),
                FieldPanel("reminder_working_days"),
                FieldPanel("line_manager"),
            ],
            heading="When people book",
        ),
        MultiFieldPanel(
            [
                HelpPanel(
                    content="<p>After each session, the people who attended get one email "
                    "with these resources and the feedback form.</p>"
                ),
                InlinePanel("resources", label="Resource"),
                FieldPanel("feedback_url"),
                FieldPanel("refresher_months"),
            ],
            heading="After the session",
        ),
        BookingCountsPanel(heading="Bookings"),
    ]
    settings_panels = page_settings_panels()
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("who_it_is_for"),
        index.SearchField("learning_outcomes"),
        index.SearchField("body"),
        index.FilterField("course_type"),
        index.FilterField("format"),
    ]

    class Meta:
        verbose_name = "course"

    def clean(self):
        super().clean()
        if self.slug in RESERVED_COURSE_SLUGS:
            raise ValidationError(
                {"slug": f"'{self.slug}' is used by the booking links. Choose another slug."}
            )

    def outcome_list(self):
        return [line.strip(" -*\t") for line in self.learning_outcomes.splitlines() if line.strip()]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pagecache.showing_areas("training")
        preview = getattr(request, "is_preview", False)
        context.update(
            # Built when a fragment that shows them is rendered, once for all of them: a
            # render that reads its fragments back does not build the annotated queryset.
            sessions=SimpleLazyObject(functools.partial(self.sessions_to_show, preview=preview)),
            audiences=self.audiences.all(),
        )
        return context

    def sessions_to_show(self, *, preview=False):
        """The sessions its page lists: not over yet, soonest first, with their places.

        A queryset, evaluated only when the page's fragments are rendered (a kept fragment
        asks for none). A preview shows the editor's unsaved sessions, with the counts of
        the ones already saved.
        """
        now = timezone.now()
        if preview:
            sessions = with_places_in_memory(self.sessions.all())
            shown = [session for session in sessions if session.end > now]
            return sorted(shown, key=lambda session: (session.start, session.pk or 0))
        return (
            Session.objects.filter(course=self, end__gt=now).with_places().order_by("start", "pk")
        )

    @path("")
    def course(self, request):
        return self.render(request)

    @path("book/<int:session_id>/", name="book")
    def book(self, request, session_id):
        return views.book_session(request, course=self, session_id=session_id)

    def booking_url(self, session, request=None):
        return self.get_url(request) + self.reverse_subpage("book", args=[session.pk])
