"""How long delegates' details are kept: until BOOKING_RETENTION_DAYS after the session.

On a course with a refresher period, an attendee's booking is kept until their refresher
falls due, so they can be reminded of it (training.follow_up). The line manager's address
is part of the booking and goes with it.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from dateutil.relativedelta import relativedelta

from training.models.bookings import Attendance, Booking, BookingStatus

DEFAULT_RETENTION_DAYS = 365


def retention_days():
    return getattr(settings, "BOOKING_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)


def purge_expired_bookings(*, now=None):
    """Delete every booking, of any status, whose session ended more than the retention
    period ago, but for attendees whose refresher is not due yet. Returns how many were
    deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=retention_days())
    expired = Booking.objects.filter(session__end__lt=cutoff)
    # Read through the bookings, not CoursePage: certificate links (training.links) ask this
    # module for the period, and the page model imports the views that use those links.
    refreshers = (
        expired.filter(session__course__refresher_months__isnull=False)
        .values_list("session__course_id", "session__course__refresher_months")
        .distinct()
    )
    for course_id, months in list(refreshers):
        expired = expired.exclude(
            session__course_id=course_id,
            status=BookingStatus.CONFIRMED,
            attendance=Attendance.ATTENDED,
            session__end__gt=now - relativedelta(months=months),
        )
    deleted, _by_model = expired.delete()
    return deleted
