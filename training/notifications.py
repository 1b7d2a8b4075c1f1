"""The emails delegates receive, built through the site's one email helper.

Called by the tasks in training.tasks, never from a request. Each function reads the booking
again and sends nothing if it has moved on (a confirmation for a booking cancelled a moment
later, for example).
"""

from django.core.cache import cache

from events.calendar import CalendarItem, Method, build_calendar
from events.dates import format_when
from lscp_site.email import Attachment, send_email
from lscp_site.links import absolute as absolute_url
from lscp_site.links import hostname
from training import links
from training.models.bookings import Booking, BookingStatus
from training.models.sessions import Session

# However often the booking form is sent with one address, its owner gets at most one
# "you already have a booking" reminder for a booking in this time: nobody can use the
# form to flood someone's inbox.
REMINDER_INTERVAL_SECONDS = 5 * 60


def course_url(course):
    _site_id, _root_url, page_path = course.get_url_parts()
    return absolute_url(page_path)


# The cancellation replaces the invite (sequence 0) in the delegate's calendar.
CANCELLATION_SEQUENCE = 1


def invite_uid(booking):
    """One per booking, not per session: someone who cancels and books again gets a new
    invite that the earlier cancellation does not hide."""
    return f"training-booking-{booking.pk}@{hostname()}"


def session_invite(booking):
    """The .ics invite for a confirmed place; joining details go in its description."""
    session = booking.session
    course = session.course
    url = course_url(course)
    description = []
    if session.joining_details:
        description += ["How to join:", session.joining_details.strip(), ""]
    description += [
        f"Course details: {url}",
        f"If you can no longer come, cancel your place so someone else can have it: "
        f"{links.cancel_url(booking)}",
    ]
    item = CalendarItem(
        uid=invite_uid(booking),
        title=course.title,
        start=session.start,
        end=session.end,
        description="\n".join(description),
        location=session.venue,
        url=url,
        online=session.is_online,
    )
    content = build_calendar([item], name=f"LSCP training: {course.title}")
    return Attachment(filename="lscp-training.ics", content=content, mimetype="text/calendar")


def session_invite_cancellation(booking):
    """The .ics that takes the invite out of the delegate's calendar: the same UID, a
    higher SEQUENCE, METHOD:CANCEL and STATUS:CANCELLED."""
    session = booking.session
    course = session.course
    item = CalendarItem(
        uid=invite_uid(booking),
        title=f"Cancelled: {course.title}",
        start=session.start,
        end=session.end,
        location=session.venue,
        url=course_url(course),
        online=session.is_online,
        sequence=CANCELLATION_SEQUENCE,
        cancelled=True,
    )
    content = build_calendar([item], name=f"LSCP training: {course.title}", method=Method.CANCEL)
    return Attachment(
        filename="lscp-training-cancelled.ics", content=content, mimetype="text/calendar"
    )


def _load(booking_id, status):
    return (
        Booking.objects.select_related("session__course")
        .filter(pk=booking_id, status=status)
        .first()
    )


def _send(booking, *, subject, template, attachments=(), **extra):
    session = booking.session
    course = session.course
    context = {
        "booking": booking,
        "session": session,
        "course": course,
        "course_url": course_url(course),
        "when": format_when(session.start, session.end),
        **extra,
    }
    if booking.is_active:
        context["cancel_url"] = links.cancel_url(booking)
    send_email(
        to=booking.email,
        subject=f"{subject}: {course.title}, {context['when']}",
        template_name=f"training/{template}",
        context=context,
        attachments=attachments,
    )
    return True


def send_booking_confirmed(booking_id):
    booking = _load(booking_id, BookingStatus.CONFIRMED)
    if booking is None:
        return False
    return _send(
        booking,
        subject="Booking confirmed",
        template="booking_confirmed",
        attachments=[session_invite(booking)],
    )


def _cancellation_of_any_invite(booking):
    """The calendar cancellation, for a booking that had a place (and so an invite)."""
    if booking.confirmed_at is None:
        return []
    return [session_invite_cancellation(booking)]


def send_waiting_list_joined(booking_id):
    booking = _load(booking_id, BookingStatus.WAITING)
    if booking is None:
        return False
    return _send(
        booking,
        subject="You are on the waiting list",
        template="waiting_list_joined",
        position=booking.waiting_position(),
    )


def send_promotion(booking_id):
    booking = _load(booking_id, BookingStatus.CONFIRMED)
    if booking is None:
        return False
    return _send(
        booking,
        subject="A place has come up for you",
        template="promoted",
        attachments=[session_invite(booking)],
    )


def send_booking_cancelled(booking_id):
    booking = _load(booking_id, BookingStatus.CANCELLED)
    if booking is None:
        return False
    return _send(
        booking,
        subject="Booking cancelled",
        template="booking_cancelled",
        attachments=_cancellation_of_any_invite(booking),
    )


def send_session_cancelled(booking_id):
    booking = _load(booking_id, BookingStatus.CANCELLED)
    if booking is None:
        return False
    return _send(
        booking,
        subject="Session cancelled",
        template="session_cancelled",
        attachments=_cancellation_of_any_invite(booking),
    )


def send_already_booked(booking_id):
    """Someone asked to book again with this booking's address: remind its owner."""
    booking = (
        Booking.objects.select_related("session__course")
        .filter(pk=booking_id)
        .exclude(status=BookingStatus.CANCELLED)
        .first()
    )
    if booking is None:
        return False
    if not cache.add(f"training:already-booked:{booking.pk}", 1, REMINDER_INTERVAL_SECONDS):
        return False
    return _send(
        booking,
        subject="You already have a booking",
        template="already_booked",
        position=booking.waiting_position(),
    )


def send_booking_refused(session_id, name, email, message):
    """The form was sent, but the session closed or was cancelled before it was booked."""
    session = Session.objects.select_related("course").filter(pk=session_id).first()
    if session is None:
        return False
    course = session.course
    when = format_when(session.start, session.end)
    send_email(
        to=email,
        subject=f"We could not book your place: {course.title}, {when}",
        template_name="training/booking_refused",
        context={
            "name": name,
            "message": message,
            "session": session,
            "course": course,
            "course_url": course_url(course),
            "when": when,
        },
    )
    return True
