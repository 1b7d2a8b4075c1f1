"""A delegate's bookings in the requests people make about their data: a subscriber's
export (a subject access request) lists the bookings made with the same email address, and
erasing the subscriber erases those bookings too (``subscriptions.signals``). One booking
can also be erased on its own from the bookings admin (``training.booking.erase``).
"""

from training import booking as booking_rules
from training.models.bookings import Booking


def _iso(value):
    return value.isoformat() if value else None


def bookings_of(email):
    """Every booking made with ``email`` (whatever its capitals), oldest first."""
    return (
        Booking.objects.filter(email__iexact=email)
        .select_related("session__course")
        .order_by("created_at", "pk")
    )


def export_bookings(email):
    """The bookings made with ``email`` as JSON-ready data: what the person gave, what
    became of the place, their attendance and what they were emailed."""
    return [
        {
            "course": booking.session.course.title,
            "session_starts_at": _iso(booking.session.start),
            "name": booking.name,
            "email": booking.email,
            "organisation": booking.organisation,
            "job_role": booking.job_role,
            "access_needs": booking.access_needs,
            "line_manager_email": booking.manager_email,
            "status": booking.get_status_display(),
            "booked_at": _iso(booking.created_at),
            "privacy_agreed_at": _iso(booking.privacy_agreed_at),
            "confirmed_at": _iso(booking.confirmed_at),
            "cancelled_at": _iso(booking.cancelled_at),
            "cancelled_by": booking.get_cancelled_by_display(),
            "attendance": booking.get_attendance_display(),
            "attendance_recorded_at": _iso(booking.attendance_recorded_at),
            "reminded_at": _iso(booking.reminded_at),
            "followed_up_at": _iso(booking.followed_up_at),
            "refresher_reminded_at": _iso(booking.refresher_reminded_at),
            "certificate_sent_at": _iso(booking.certificate_sent_at),
        }
        for booking in bookings_of(email)
    ]


def erase_bookings(email):
    """Erase every booking made with ``email``, each as the bookings admin erases one: a
    place it held goes to the first person waiting. Returns how many were erased."""
    return sum(booking_rules.erase(booking=booking) for booking in bookings_of(email))


def on_subscriber_exporting(sender, subscriber, **kwargs):
    return {"training_bookings": export_bookings(subscriber.email)}


def on_subscriber_erasing(sender, subscriber, **kwargs):
    erase_bookings(subscriber.email)
