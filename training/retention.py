"""How long delegates' details are kept: until BOOKING_RETENTION_DAYS after the session."""

import datetime

from django.conf import settings
from django.utils import timezone

from training.models.bookings import Booking

DEFAULT_RETENTION_DAYS = 365


def retention_days():
    return getattr(settings, "BOOKING_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)


def purge_expired_bookings(*, now=None):
    """Delete every booking, of any status, whose session ended more than the retention
    period ago. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days())
    deleted, _by_model = Booking.objects.filter(session__end__lt=cutoff).delete()
    return deleted
