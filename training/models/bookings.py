"""Bookings: who holds or waits for a place on a session. Written only by training.booking."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

BOOKINGS_PERMISSION = "training.manage_bookings"


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITING = "waiting", "Waiting list"
    # The place is held while the delegate's line manager is asked to approve it.
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting manager's approval"
    CANCELLED = "cancelled", "Cancelled"


class CancelledBy(models.TextChoices):
    DELEGATE = "delegate", "The delegate"
    EDITOR = "editor", "The LSCP business unit"
    SESSION = "session", "Session cancelled"
    MANAGER = "manager", "Line manager declined"
    APPROVAL_EXPIRED = "approval_expired", "Not approved in time"


# Bookings that hold one of a session's places.
HOLDING_A_PLACE = (BookingStatus.CONFIRMED, BookingStatus.AWAITING_APPROVAL)


class Attendance(models.TextChoices):
    NOT_RECORDED = "not_recorded", "Not recorded"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "Did not attend"


class BookingQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=BookingStatus.CANCELLED)

    def holding_a_place(self):
        return self.filter(status__in=HOLDING_A_PLACE)

    def attended(self, now=None):
        """People marked as attended on the register of a session that has ended (and was
        not cancelled): the follow-up email and refresher reminders go to them."""
        return self.filter(
            status=BookingStatus.CONFIRMED,
            attendance=Attendance.ATTENDED,
            session__end__lte=now or timezone.now(),
            session__cancellation__isnull=True,
        )

    def waiting_in_order(self):
        # Primary keys are handed out while the session row is locked, so they follow the
        # order in which people booked.
        return self.filter(status=BookingStatus.WAITING).order_by("pk")


class Booking(models.Model):
    """One person's place, or place in the queue, on one session."""

    session = models.ForeignKey(
        "training.Session", on_delete=models.PROTECT, related_name="bookings"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField("work email", max_length=254)
    organisation = models.CharField(max_length=200)
    job_role = models.CharField(max_length=200)
    access_needs = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=BookingStatus.choices)
    created_at = models.DateTimeField("booked at", default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_by = models.CharField(max_length=20, choices=CancelledBy.choices, blank=True)
    privacy_agreed_at = models.DateTimeField(
        help_text="When the delegate agreed to the LSCP keeping these details for the booking."
    )
    manager_email = models.EmailField(
        "line manager's email",
        max_length=254,
        blank=True,
        help_text="Given when the course asks for it: the manager is copied into the "
        "confirmation, or asked to approve the place.",
    )
    approval_due_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a place awaiting the manager's approval is released if they have not "
        "answered.",
    )
    reminder_queued_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the reminder before the session was last queued to be sent.",
    )
    reminded_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the reminder before the session was sent.",
    )
    follow_up_queued_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the email after the session was last queued to be sent.",
    )
    followed_up_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the email after the session (resources, feedback form) was sent.",
    )
    refresher_queued_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the refresher reminder was last queued to be sent.",
    )
    refresher_reminded_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the delegate was reminded that their training is due for a refresher.",
    )
    attendance = models.CharField(
        max_length=20,
        choices=Attendance.choices,
        default=Attendance.NOT_RECORDED,
        help_text="Whether the delegate came to the session, as marked on the session's "
        "register after it has started. Attendees are emailed a certificate of attendance.",
    )
    attendance_recorded_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the register last marked this delegate.",
    )
    certificate_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the delegate was emailed the link to their certificate of attendance.",
    )

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = "training booking"
        ordering = ["session", "pk"]
        constraints = [
            # One booking per person per session, however the address is capitalised.
            # A cancelled booking does not count, so people can book again.
            models.UniqueConstraint(
                Lower("email"),
                "session",
                condition=~Q(status=BookingStatus.CANCELLED),
                name="training_booking_one_per_email",
                violation_error_message="This email address already has a booking on this session.",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"], name="training_booking_status")]
        permissions = [
            ("manage_bookings", "Can see delegates' details, export them and cancel bookings"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_status_display().lower()})"

    @property
    def is_active(self):
        return self.status != BookingStatus.CANCELLED

    @property
    def holds_a_place(self):
        """Confirmed, or held while the line manager is asked to approve it."""
        return self.status in HOLDING_A_PLACE

    def waiting_position(self):
        """1 for the first person waiting; None unless on the waiting list. One query."""
        if self.status != BookingStatus.WAITING:
            return None
        ahead = Booking.objects.filter(session_id=self.session_id, pk__lt=self.pk)
        return ahead.waiting_in_order().count() + 1


class SessionCancellation(models.Model):
    """The LSCP called a session off. Kept apart from the session, which editors' page
    revisions rewrite, so publishing an old revision never brings a cancelled session back."""

    session = models.OneToOneField(
        "training.Session",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="cancellation",
    )
    cancelled_at = models.DateTimeField(default=timezone.now)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "session cancellation"

    def __str__(self):
        return f"Cancelled {self.cancelled_at:%Y-%m-%d}"
