"""The emails delegates receive, built through the site's one email helper.

Called by the tasks in training.tasks, never from a request. Each function reads the booking
again and sends nothing if it has moved on (a confirmation for a booking cancelled a moment
later, for example).
"""

import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from dateutil.relativedelta import relativedelta

from events.calendar import CalendarItem, Method, build_calendar
from events.dates import format_when
from lscp_site.email import Attachment, send_email
from lscp_site.links import absolute as absolute_url
from lscp_site.links import hostname
from training import links
from training.certificates import hours_of_training
from training.models.bookings import Attendance, Booking, BookingStatus
from training.models.sessions import Session

# How many of a course's next dates a refresher reminder lists.
REFRESHER_DATES = 3

logger = logging.getLogger(__name__)

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


def _send(booking, *, subject, template, attachments=(), to_manager=False, **extra):
    """Email the delegate (or, with ``to_manager``, their line manager, who never gets the
    joining details or the delegate's cancel link)."""
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
    if booking.approval_due_at:
        context["approval_due_at_text"] = format_when(booking.approval_due_at)
    if booking.is_active and not to_manager:
        context["cancel_url"] = links.cancel_url(booking)
    send_email(
        to=booking.manager_email if to_manager else booking.email,
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


def send_certificate(booking_id):
    """Email an attendee the link to their certificate of attendance, once per booking.

    The booking's row is locked and ``certificate_sent_at`` written in the transaction that
    sends, so a task queued twice (the register saved twice) emails once; if sending fails,
    nothing is written and the task can run again.
    """
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("session__course")
            .filter(
                pk=booking_id,
                status=BookingStatus.CONFIRMED,
                attendance=Attendance.ATTENDED,
                certificate_sent_at__isnull=True,
            )
            .first()
        )
        if booking is None:
            return False
        _send(
            booking,
            subject="Your certificate of attendance",
            template="certificate",
            certificate_url=links.certificate_url(booking),
            hours=hours_of_training(booking.session),
        )
        booking.certificate_sent_at = timezone.now()
        booking.save(update_fields=["certificate_sent_at"])
    return True


def send_manager_copy(booking_id):
    """The line manager's copy of a confirmation, on a course that copies the manager."""
    booking = _load(booking_id, BookingStatus.CONFIRMED)
    if booking is None or not booking.manager_email:
        return False
    return _send(booking, subject="Booking confirmed", template="manager_copy", to_manager=True)


def send_awaiting_approval(booking_id, *, promoted=False):
    booking = _load(booking_id, BookingStatus.AWAITING_APPROVAL)
    if booking is None:
        return False
    return _send(
        booking,
        subject="A place has come up for you" if promoted else "Your place is held",
        template="awaiting_approval",
        promoted=promoted,
    )


def send_approval_request(booking_id):
    """Ask the line manager to approve or decline the place, by signed links."""
    booking = _load(booking_id, BookingStatus.AWAITING_APPROVAL)
    if booking is None or not booking.manager_email:
        return False
    return _send(
        booking,
        subject="Please approve a training place",
        template="approval_request",
        to_manager=True,
        approve_url=links.approval_url(booking, links.APPROVE),
        decline_url=links.approval_url(booking, links.DECLINE),
    )


def send_approval_declined(booking_id):
    booking = _load(booking_id, BookingStatus.CANCELLED)
    if booking is None:
        return False
    return _send(booking, subject="Your manager declined your place", template="approval_declined")


def send_approval_expired(booking_id):
    booking = _load(booking_id, BookingStatus.CANCELLED)
    if booking is None:
        return False
    return _send(
        booking, subject="Your place was not approved in time", template="approval_expired"
    )


def send_reminders(booking_ids):
    """The reminders claimed for one session. One that fails to send is logged and its
    claim given back (send_reminder); the others still go. Returns how many were sent."""
    sent = 0
    for booking_id in booking_ids:
        try:
            sent += bool(send_reminder(booking_id))
        except Exception:
            logger.exception("Reminder for booking %s not sent; the next run retries", booking_id)
    return sent


def _send_once(bookings, field, *, queued_field, email):
    """Send the email ``email(booking)`` describes to the booking in ``bookings`` whose
    ``field`` is not yet written, and write it, in one transaction holding the booking's row
    (training.reminders.claim queued it): a task queued twice sends once (the second waits
    for the lock, then finds it written); one killed part-way writes nothing, so a later run
    claims it again once its lease runs out; one that fails to send gives its claim
    (``queued_field``) back at once, for the next run."""
    try:
        with transaction.atomic():
            booking = (
                bookings.select_for_update(of=("self",))
                .select_related("session__course")
                .filter(**{f"{field}__isnull": True})
                .first()
            )
            if booking is None:
                return False
            _send(booking, **email(booking))
            setattr(booking, field, timezone.now())
            booking.save(update_fields=[field])
    except Exception:
        bookings.filter(**{f"{field}__isnull": True}).update(**{queued_field: None})
        raise
    return True


def send_reminder(booking_id):
    """The reminder before the session, claimed by training.reminders. Nothing goes to a
    booking or session cancelled since it was claimed."""
    bookings = Booking.objects.filter(
        pk=booking_id,
        status=BookingStatus.CONFIRMED,
        session__cancellation__isnull=True,
        session__start__gt=timezone.now(),
    )
    return _send_once(
        bookings,
        "reminded_at",
        queued_field="reminder_queued_at",
        email=lambda booking: {"subject": "Reminder", "template": "reminder"},
    )


def resource_links(course):
    """(title, absolute address) for each of the course's resources, in the editor's order."""
    resources = course.resources.select_related("document").order_by("sort_order")
    return [
        (
            resource.title,
            absolute_url(resource.document.url) if resource.document else resource.link,
        )
        for resource in resources
        if resource.document or resource.link
    ]


def send_follow_up(booking_id):
    """The email after the session: the course's resources and its feedback form."""
    return _send_once(
        Booking.objects.attended().filter(pk=booking_id),
        "followed_up_at",
        queued_field="follow_up_queued_at",
        email=lambda booking: {
            "subject": "Thank you for attending",
            "template": "follow_up",
            "resources": resource_links(booking.session.course),
        },
    )


def _refresher_email(booking):
    course = booking.session.course
    return {
        "subject": "Time for a refresher",
        "template": "refresher_reminder",
        "refresher_due": booking.session.end + relativedelta(months=course.refresher_months or 0),
        "next_sessions": list(
            Session.objects.filter(course=course)
            .coming_up(timezone.now())
            .order_by("start", "pk")[:REFRESHER_DATES]
        ),
    }


def send_refresher_reminder(booking_id):
    """The reminder that a course's refresher falls due, with its next dates."""
    return _send_once(
        Booking.objects.attended().filter(pk=booking_id),
        "refresher_reminded_at",
        queued_field="refresher_queued_at",
        email=_refresher_email,
    )
