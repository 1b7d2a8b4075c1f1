"""The training catalogue: its index page, course pages and the sessions of each course."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    HelpPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from events.dates import format_when
from training.admin_forms import CoursePageForm
from training.panels import BookingCountsPanel

# Slugs a course may not take: the app's own routes live under /training/ beside the pages.
RESERVED_COURSE_SLUGS = {"bookings"}


class CourseType(models.TextChoices):
    CORE = "core", "Core course"
    TOPIC = "topic", "Topic-based session"


class CourseFormat(models.TextChoices):
    LIVE_WEBINAR = "live_webinar", "Live webinar"
    FACE_TO_FACE = "face_to_face", "Face to face"
    E_LEARNING = "e_learning", "E-learning"


class SessionFormat(models.TextChoices):
    LIVE_WEBINAR = CourseFormat.LIVE_WEBINAR.value, CourseFormat.LIVE_WEBINAR.label
    FACE_TO_FACE = CourseFormat.FACE_TO_FACE.value, CourseFormat.FACE_TO_FACE.label


class SessionState(models.TextChoices):
    """What a practitioner can do about a session right now."""

    OPEN = "open", "Places left"
    FULL = "full", "Fully booked - join the waiting list"
    CLOSED = "closed", "Booking closed"
    CANCELLED = "cancelled", "Cancelled"


class TrainingIndexPage(Page):
    """The catalogue at /training/: every course, filters, and the next sessions."""

    introduction = models.TextField(
        blank=True,
        help_text="One or two sentences at the top of the catalogue saying what the LSCP "
        "training programme offers and who can book.",
    )

    max_count = 1
    parent_page_types = ["lscp_site.HomePage"]
    subpage_types = ["training.CoursePage"]

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]

    COURSES_PER_PAGE = 20
    NEXT_SESSIONS = 6

    class Meta:
        verbose_name = "training catalogue"

    def get_context(self, request, *args, **kwargs):
        from lscp_site import cards, compiled_queries, pagecache
        from training import queries
        from training.forms import CourseFilterForm

        context = super().get_context(request, *args, **kwargs)
        filters = CourseFilterForm(request.GET or None)
        choices = filters.cleaned_filters()
        courses = queries.catalogue_courses(self, **choices)
        url = self.get_url(request)
        if isinstance(courses, compiled_queries.RowsInOrder):
            # Paginated by id; a page of cards is rendered once and read back until the
            # next change or until one of its sessions closes or starts.
            page_obj = queries.paginate(courses.ids, request, per_page=self.COURSES_PER_PAGE)
            shown = page_obj.object_list
            course_cards = cards.remembered(
                "course_cards.jinja",
                f"{self.pk}:{url}",
                shown,
                lambda: {"courses": queries.course_cards(courses.rows_for(shown), url)},
                until=lambda context: queries.cards_change_at(context["courses"]),
            )
        else:  # "only courses with dates coming up": the listing itself asks the time
            page_obj = queries.paginate(courses, request, per_page=self.COURSES_PER_PAGE)
            shown = queries.course_cards(page_obj.object_list, url)
            course_cards = cards.render("course_cards.jinja", courses=shown) if shown else ""
            pagecache.shown_until(queries.cards_change_at(shown))
        filters_chosen = any(value for value in choices.values())
        context.update(
            filters=filters,
            filtered=filters_chosen,
            courses=shown,
            course_cards=course_cards,
            page_obj=page_obj,
            next_sessions=(
                ""
                if filters_chosen or page_obj.number != 1
                else queries.next_sessions_html(
                    f"{self.pk}:{url}", limit=self.NEXT_SESSIONS, request=request
                )
            ),
        )
        return context


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
        help_text="How the course is usually delivered. Each session below also says whether "
        "it is a webinar or face to face.",
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
                InlinePanel("sessions", label="Session"),
            ],
            heading="Sessions",
        ),
        BookingCountsPanel(heading="Bookings"),
    ]
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
        context.update(self._rendered(request))
        return context

    def _rendered(self, request):
        """{"course_article": what the course page shows, "structured_data": its JSON-LD},
        rendered once per change of the site's pages and read back after
        (``pagecache.remembered_until``) until the first moment one of its sessions shows
        something else with nothing changed: booking closing, the session starting (it
        leaves the structured data) or ending (it leaves the page). Places left, new dates
        and cancellations are changes (lscp_site/pagecache.py). A preview shows the editor's
        unsaved sessions: rendered afresh, never kept."""
        from lscp_site import pagecache
        from lscp_site.templatetags.lscp_tags import json_ld
        from training import queries
        from training.structured_data import course_json_ld

        preview = getattr(request, "is_preview", False)

        def render():
            now = timezone.now()
            sessions = queries.sessions_for_course(self, preview=preview)
            sessions = [session for session in sessions if session.end > now]
            audiences = list(self.audiences.all())
            article = render_to_string(
                "training/components/course_article.html",
                {"page": self, "sessions": sessions, "audiences": audiences, "request": request},
            )
            moments = [
                moment
                for session in sessions
                for moment in (session.closes_at, session.start, session.end)
                if moment > now
            ]
            data = course_json_ld(self, sessions, audiences=audiences, now=now)
            rendered = {
                "course_article": mark_safe(article),  # noqa: S308 - a template's output
                "structured_data": json_ld(data),
            }
            return rendered, min(moments, default=None)

        return pagecache.remembered_for_page("training:course", self, request, render)

    @path("")
    def course(self, request):
        return self.render(request)

    @path("book/<int:session_id>/", name="book")
    def book(self, request, session_id):
        from training import views

        return views.book_session(request, course=self, session_id=session_id)

    def booking_url(self, session, request=None):
        return self.get_url(request) + self.reverse_subpage("book", args=[session.pk])


def _bookings_count(status):
    """The number of a session's bookings in ``status``, as an annotation."""
    from training.models.bookings import Booking

    bookings = (
        Booking.objects.filter(session=OuterRef("pk"), status=status)
        .order_by()
        .values("session")
        .annotate(total=Count("*"))
        .values("total")
    )
    return Coalesce(Subquery(bookings), 0)


def session_state(*, is_cancelled, closes_at, places_left, now):
    """What a practitioner can do about a session at ``now`` (a SessionState): the rule for
    a Session and for the catalogue's lighter session lines (training.queries.SessionLine)."""
    if is_cancelled:
        return SessionState.CANCELLED
    if now >= closes_at:
        return SessionState.CLOSED
    if places_left > 0:
        return SessionState.OPEN
    return SessionState.FULL


class SessionQuerySet(models.QuerySet):
    def with_places(self):
        """Annotate confirmed_count and is_cancelled: what readers' pages show (places left,
        the session's state), with no query per session. Each annotation is a subquery that
        Django compiles on every request (about a millisecond), so pages ask for no more."""
        from training.models.bookings import BookingStatus, SessionCancellation

        return self.annotate(
            confirmed_count=_bookings_count(BookingStatus.CONFIRMED),
            is_cancelled=Exists(SessionCancellation.objects.filter(session=OuterRef("pk"))),
        )

    def with_counts(self):
        """with_places() and waiting_count, for editors (the admin's counts and checks)."""
        from training.models.bookings import BookingStatus

        return self.with_places().annotate(waiting_count=_bookings_count(BookingStatus.WAITING))

    def bookable(self, now=None):
        """Sessions someone could book a confirmed place on now (needs with_places)."""
        now = now or timezone.now()
        return self.filter(
            Q(booking_closes_at__gt=now) | Q(booking_closes_at__isnull=True, start__gt=now),
            is_cancelled=False,
            capacity__gt=F("confirmed_count"),
        )


class Session(Orderable):
    """A date a course runs on, with its own places. Edited inline on the course page."""

    course = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="sessions")
    start = models.DateTimeField(
        help_text="When the session begins, on the clock in Leeds.",
    )
    end = models.DateTimeField(
        help_text="When the session finishes. Must be after the start.",
    )
    format = models.CharField(
        max_length=20,
        choices=SessionFormat.choices,
        default=SessionFormat.LIVE_WEBINAR,
        help_text="A live webinar is joined online; a face-to-face session needs a venue.",
    )
    venue = models.CharField(
        max_length=255,
        blank=True,
        help_text="For a face-to-face session: the venue's name and address, as it should "
        "appear on the page. Leave empty for a webinar: the page says 'Online'.",
    )
    joining_details = models.TextField(
        blank=True,
        help_text="Private. For a webinar: the link, meeting ID and passcode. Never shown on "
        "the website; sent only to people with a confirmed place, in their email and "
        "calendar invite.",
    )
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="How many places there are. When they are taken, people join the waiting "
        "list and are offered a place, in order, when someone cancels.",
    )
    booking_closes_at = models.DateTimeField(
        "Booking closes at",
        null=True,
        blank=True,
        help_text="When online booking stops. Leave empty to take bookings until the "
        "session starts.",
    )

    objects = SessionQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
        FieldPanel("format"),
        FieldPanel("venue"),
        FieldPanel("joining_details"),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("booking_closes_at")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "session"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="training_session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="training_session_has_a_place"
            ),
        ]
        indexes = [models.Index(fields=["start"], name="training_session_start")]

    def __str__(self):
        return f"{self.course.title}: {format_when(self.start, self.end)}"

    def delete(self, *args, **kwargs):
        """Remove a session, with the booking records that no longer matter.

        Bookings of a session that has ended, and cancelled bookings, go with it. People still
        booked on a session to come keep it: the database refuses (PROTECT) and the editor's
        form explains to cancel the session first, which emails them.
        """
        from training.models.bookings import Booking, BookingStatus

        with transaction.atomic():
            records = Booking.objects.filter(session=self)
            if self.end > timezone.now():
                records = records.filter(status=BookingStatus.CANCELLED)
            records.delete()
            return super().delete(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        # clean() explains these two rules beside their fields; the database constraints
        # stay as the last guard without repeating the message at the top of the form.
        return super().validate_constraints(exclude={*(exclude or ()), "end", "capacity"})

    def clean(self):
        super().clean()
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = "The session must end after it starts."
        if self.capacity is not None and self.capacity < 1:
            errors["capacity"] = "A session needs at least 1 place."
        if self.format == SessionFormat.FACE_TO_FACE and not self.venue.strip():
            errors["venue"] = "Give the venue's name and address for a face-to-face session."
        if self.format == SessionFormat.LIVE_WEBINAR and not self.joining_details.strip():
            errors["joining_details"] = (
                "Add the webinar link and any meeting ID or passcode: delegates get them in "
                "their confirmation email."
            )
        if self.booking_closes_at and self.start and self.booking_closes_at > self.start:
            errors["booking_closes_at"] = (
                "Booking must close by the time the session starts. Leave it empty to close "
                "booking at the start."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def closes_at(self):
        return self.booking_closes_at or self.start

    @property
    def is_online(self):
        return self.format == SessionFormat.LIVE_WEBINAR

    @property
    def location(self):
        return self.venue or "Online"

    @property
    def duration(self):
        return self.end - self.start

    @property
    def places_left(self):
        """Places still free. Needs the counts from Session.objects.with_places() (or
        queries.attach_counts()): never a query per session."""
        return max(self.capacity - self.confirmed_count, 0)

    def booking_state(self, now=None):
        """The session's state for practitioners: open, full, closed or cancelled."""
        return session_state(
            is_cancelled=getattr(self, "is_cancelled", False),
            closes_at=self.closes_at,
            places_left=self.places_left,
            now=now or timezone.now(),
        )

    @property
    def state(self):
        return self.booking_state()
