"""The session register: who came and who did not, marked by the business unit.

``record_attendance`` is the one way a register is written (the admin's register view calls
it). It opens once the session has started, takes only people with a confirmed place, and
writes every mark in one transaction with the session's row locked, as the booking rules
do. Each attendee is emailed a link to their certificate of attendance, once: the task
that sends it claims the booking (``certificate_sent_at``) as it sends.
"""

from functools import partial

from django.db import transaction
from django.utils import timezone

from wagtail.log_actions import log

from training import tasks
from training.models.bookings import Attendance, Booking, BookingStatus, SessionCancellation
from training.models.sessions import Session

LOG_ACTION = "training.record_attendance"


class AttendanceError(Exception):
    """The register cannot be saved; ``message`` is written for the business unit."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def register_opens(*, session, now=None):
    """Why the register of ``session`` cannot be marked at ``now``, or None when it can."""
    now = now or timezone.now()
    if SessionCancellation.objects.filter(session=session).exists():
        return AttendanceError("This session was cancelled, so it has no register.")
    if now < session.start:
        return AttendanceError("The register opens when the session starts.")
    return None


def register_bookings(session):
    """The people on the register: confirmed places, in the order they booked."""
    return Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).order_by("pk")


def record_attendance(*, session, marks, user, now=None):
    """Mark who attended ``session``: ``marks`` maps booking ids to an Attendance value.

    Bookings left out keep their mark. Raises AttendanceError before the session starts,
    for a cancelled session, for a booking that is not a confirmed place on this session,
    or for an unknown mark; nothing is written then. Returns the bookings whose mark
    changed. Attendees not yet sent their certificate are emailed it after the commit.
    """
    now = now or timezone.now()
    marks = {int(booking_id): mark for booking_id, mark in marks.items()}
    unknown_marks = set(marks.values()) - set(Attendance.values)
    if unknown_marks:
        raise AttendanceError("Choose attended or did not attend for each person.")
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
        refused = register_opens(session=session, now=now)
        if refused is not None:
            raise refused
        bookings = {
            booking.pk: booking
            for booking in register_bookings(session).filter(pk__in=marks).select_for_update()
        }
        if set(marks) - set(bookings):
            raise AttendanceError(
                "Someone on this register no longer holds a place on the session. "
                "Reload the register and mark it again."
            )
        changed = []
        for booking_id, mark in marks.items():
            booking = bookings[booking_id]
            if booking.attendance == mark:
                continue
            booking.attendance = mark
            booking.attendance_recorded_at = now
            changed.append(booking)
        Booking.objects.bulk_update(changed, ["attendance", "attendance_recorded_at"])
        for booking in changed:
            if booking.attendance == Attendance.ATTENDED and booking.certificate_sent_at is None:
                transaction.on_commit(partial(tasks.send_certificate.enqueue, booking.pk))
        if changed:
            log(
                instance=session,
                action=LOG_ACTION,
                user=user,
                data={
                    "attended": sum(b.attendance == Attendance.ATTENDED for b in changed),
                    "no_show": sum(b.attendance == Attendance.NO_SHOW for b in changed),
                },
            )
    return changed
