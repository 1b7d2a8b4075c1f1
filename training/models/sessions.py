"""The sessions of a course: the dates people book, and what the clock does to each one."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable

from events.dates import format_when
from training.models.bookings import (
    HOLDING_A_PLACE,
    Booking,
    BookingStatus,
    SessionCancellation,
)


class SessionFormat(models.TextChoices):
    LIVE_WEBINAR = "live_webinar", "Live webinar"
    FACE_TO_FACE = "face_to_face", "Face to face"


class SessionState(models.TextChoices):
    """What a practitioner can do about a session right now."""

    OPEN = "open", "Places left"
    FULL = "full", "Fully booked - join the waiting list"
    CLOSED = "closed", "Booking closed"
    CANCELLED = "cancelled", "Cancelled"


def _bookings_count(*statuses):
    """The number of a session's bookings in any of ``statuses``, as an annotation."""
    bookings = (
        Booking.objects.filter(session=OuterRef("pk"), status__in=statuses)
        .order_by()
        .values("session")
        .annotate(total=Count("*"))
        .values("total")
    )
    return Coalesce(Subquery(bookings), 0)


class SessionQuerySet(models.QuerySet):
    def with_places(self):
        """Annotate confirmed_count and is_cancelled: what readers' pages show (places left,
        the session's state), with no query per session. A place awaiting a line manager's
        approval is held for the delegate, so confirmed_count counts it as taken."""
        return self.annotate(
            confirmed_count=_bookings_count(*HOLDING_A_PLACE),
            is_cancelled=Exists(SessionCancellation.objects.filter(session=OuterRef("pk"))),
        )

    def with_counts(self):
        """with_places() and waiting_count, for editors (the admin's counts and checks)."""
        return self.with_places().annotate(waiting_count=_bookings_count(BookingStatus.WAITING))

    def coming_up(self, now):
        """Sessions not started at ``now`` and not cancelled: what listings show as dates
        to come (Session.is_coming_up_at)."""
        return self.filter(start__gt=now, cancellation__isnull=True)

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

    course = ParentalKey("training.CoursePage", on_delete=models.CASCADE, related_name="sessions")
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
    access_details = models.TextField(
        "Getting there and access",
        blank=True,
        help_text="For a face-to-face session: how to get in and around, for example the "
        "entrance to use, parking, step-free access, a hearing loop. Sent in the reminder "
        "before the session.",
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
    diary_event = models.ForeignKey(
        "events.EventPage",
        verbose_name="Same as diary event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_sessions",
        help_text="Optional. If this session is also in 'Dates for your diary' as an event "
        "(for example a webinar you announced there), choose that event. Newsletter diaries "
        "then list the date once, with the link to book, instead of twice.",
    )

    objects = SessionQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
        FieldPanel("format"),
        FieldPanel("venue"),
        FieldPanel("access_details"),
        FieldPanel("joining_details"),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("booking_closes_at")]),
        FieldPanel("diary_event"),
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
        with_places_in_memory()): never a query per session."""
        return max(self.capacity - self.confirmed_count, 0)

    # The clock's rule, in one place. Booking is open until ``closes_at`` ("Book your
    # place", or the waiting list when full), then closed; a session is coming up until it
    # starts (listings, structured data), and stays on its course's page until it ends.
    # Pages showing a session are kept only until next_change_after() (the
    # ``session_state`` template tag tells the page cache).

    def state_at(self, moment):
        """What a practitioner can do about the session at ``moment`` (a SessionState)."""
        if getattr(self, "is_cancelled", False):
            return SessionState.CANCELLED
        if moment >= self.closes_at:
            return SessionState.CLOSED
        if self.places_left > 0:
            return SessionState.OPEN
        return SessionState.FULL

    def is_coming_up_at(self, moment):
        """Listed as a date to come at ``moment``: not started, not cancelled."""
        return moment < self.start and not getattr(self, "is_cancelled", False)

    def next_change_after(self, moment):
        """The first moment after ``moment`` at which the session shows otherwise with
        nothing edited or booked: booking closes, it starts (it leaves what is coming up)
        or it ends (it leaves its course's page); None once it has ended."""
        return min((m for m in (self.closes_at, self.start, self.end) if m > moment), default=None)

    def booking_state(self, now=None):
        """The session's state now (or at ``now``): state_at()."""
        return self.state_at(now or timezone.now())


def with_places_in_memory(sessions):
    """Sessions built in memory (an editor's preview) with their counts, as
    Session.objects.with_places() gives them: one query for the ones already saved."""
    sessions = list(sessions)
    saved = [session.pk for session in sessions if session.pk]
    counts = {
        row["pk"]: row
        for row in Session.objects.filter(pk__in=saved)
        .with_counts()
        .values("pk", "confirmed_count", "waiting_count", "is_cancelled")
    }
    for session in sessions:
        row = counts.get(session.pk, {})
        session.confirmed_count = row.get("confirmed_count", 0)
        session.waiting_count = row.get("waiting_count", 0)
        session.is_cancelled = row.get("is_cancelled", False)
    return sessions
