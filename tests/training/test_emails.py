"""What delegates receive: every email through the shared layout, invites parsed back."""

import datetime

from django.core import mail
from django.utils import timezone

import icalendar
import pytest

from events.dates import LONDON
from subscriptions.models import Subscriber
from subscriptions.suppression import suppress
from tests.training.factories import JOINING_DETAILS, book, london, make_course, make_session
from training import booking as booking_rules
from training import links

pytestmark = pytest.mark.django_db

VENUE = "Merrion House, 110 Merrion Centre, Leeds LS2 8BB"


def only_email():
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return mail.outbox[0]


def html_of(message):
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def invite_of(message):
    (attachment,) = message.attachments
    assert attachment.filename == "lscp-training.ics"
    assert attachment.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.content)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_confirmation_has_the_date_joining_details_and_a_cancel_link(session, run_commit_hooks):
    with run_commit_hooks():
        booking = book(session, name="Ann Smith", email="ann@example.org")

    message = only_email()
    assert message.to == ["ann@example.org"]
    assert message.subject == (
        "Booking confirmed: Child exploitation in Leeds - a guide for practitioners, "
        "8 May 2025, 2pm to 3pm"
    )
    for part in (message.body, html_of(message)):
        assert "Dear Ann Smith" in part
        assert "8 May 2025, 2pm to 3pm" in part
        assert "https://teams.example.org/meet/secret-7731" in part
        assert "KITE-42" in part
        assert links.cancel_url(booking) in part
        assert "lscp.info@leeds.gov.uk" in part  # the shared layout's footer
    assert links.cancel_url(booking).startswith("https://lscp.test/training/bookings/cancel/")


def test_confirmation_invite_carries_the_session_and_its_joining_details(session, run_commit_hooks):
    with run_commit_hooks():
        booking = book(session, email="ann@example.org")

    calendar, event = invite_of(only_email())
    assert event["SUMMARY"] == "Child exploitation in Leeds - a guide for practitioners"
    assert event.decoded("DTSTART") == london(2025, 5, 8, 14)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTEND") == london(2025, 5, 8, 15)
    assert event["LOCATION"] == "Online"
    assert JOINING_DETAILS in str(event["DESCRIPTION"])
    assert links.cancel_url(booking) in str(event["DESCRIPTION"])
    assert str(event["URL"]) == "https://lscp.test/training/child-exploitation-in-leeds/"
    assert str(event["UID"]) == f"training-booking-{booking.pk}@lscp.test"
    assert event.get("SEQUENCE", 0) == 0
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/London"


def test_face_to_face_confirmation_gives_the_venue(catalogue, run_commit_hooks):
    course = make_course(
        catalogue,
        title="Working Together to Safeguard Children",
        sessions=[
            make_session(
                start=london(2025, 6, 10, 9, 30), hours=6.5, format="face_to_face", venue=VENUE
            )
        ],
    )

    with run_commit_hooks():
        book(course.sessions.get())

    message = only_email()
    assert f"Where: {VENUE}" in message.body
    assert "10 June 2025, 9:30am to 4pm" in message.body
    assert "HOW TO JOIN" not in message.body
    _calendar, event = invite_of(message)
    assert event["LOCATION"] == VENUE
    assert event.decoded("DTSTART") == datetime.datetime(2025, 6, 10, 9, 30, tzinfo=LONDON)


def test_waiting_list_email_says_where_they_are_in_the_queue(catalogue, run_commit_hooks):
    course = make_course(
        catalogue, sessions=[make_session(start=london(2025, 4, 1, 10), capacity=1)]
    )
    session = course.sessions.get()
    book(session)
    book(session)

    with run_commit_hooks():
        book(session, email="third@example.org")

    message = only_email()
    assert message.subject.startswith("You are on the waiting list: ")
    assert "You are number 2." in message.body
    assert "number 2" in html_of(message)
    assert message.attachments == []
    # Joining details are for people with a place.
    assert "secret-7731" not in message.body
    assert "secret-7731" not in html_of(message)
    assert "/training/bookings/cancel/" in message.body


def test_promotion_email_brings_the_invite_and_joining_details(catalogue, run_commit_hooks):
    course = make_course(
        catalogue, sessions=[make_session(start=london(2025, 4, 1, 10), capacity=1)]
    )
    session = course.sessions.get()
    holder = book(session)
    book(session, email="next@example.org")

    with run_commit_hooks():
        booking_rules.cancel(booking=holder)

    (promotion,) = [m for m in mail.outbox if m.to == ["next@example.org"]]
    assert promotion.subject.startswith("A place has come up for you: ")
    assert "You now have a confirmed place" in promotion.body
    assert "secret-7731" in promotion.body
    _calendar, event = invite_of(promotion)
    assert JOINING_DETAILS in str(event["DESCRIPTION"])
    (to_holder,) = [m for m in mail.outbox if m.to == [holder.email]]
    assert to_holder.subject.startswith("Booking cancelled: ")
    assert "As you asked, we have cancelled your booking." in to_holder.body


def cancellation_of(message):
    (attachment,) = message.attachments
    assert attachment.filename == "lscp-training-cancelled.ics"
    assert attachment.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.content)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_cancelling_a_place_takes_the_invite_out_of_the_calendar(session, run_commit_hooks):
    with run_commit_hooks():
        booking = book(session, email="ann@example.org")
    _calendar, invite = invite_of(only_email())
    mail.outbox.clear()

    with run_commit_hooks():
        booking_rules.cancel(booking=booking)

    calendar, event = cancellation_of(only_email())
    assert calendar["METHOD"] == "CANCEL"
    assert event["UID"] == invite["UID"]
    assert event["SEQUENCE"] > invite.get("SEQUENCE", 0)
    assert event["STATUS"] == "CANCELLED"
    assert event.decoded("DTSTART") == invite.decoded("DTSTART")


def test_booking_again_after_cancelling_gets_an_invite_the_cancellation_does_not_hide(
    session, run_commit_hooks
):
    with run_commit_hooks():
        first = book(session, email="ann@example.org")
        booking_rules.cancel(booking=first)
    (cancelled,) = [m for m in mail.outbox if m.subject.startswith("Booking cancelled")]
    mail.outbox.clear()

    with run_commit_hooks():
        book(session, email="ann@example.org")

    _calendar, invite = invite_of(only_email())
    assert invite["UID"] != cancellation_of(cancelled)[1]["UID"]


def test_leaving_the_waiting_list_sends_no_calendar_cancellation(catalogue, run_commit_hooks):
    course = make_course(
        catalogue, sessions=[make_session(start=london(2025, 4, 1, 10), capacity=1)]
    )
    session = course.sessions.get()
    book(session)
    waiting = book(session, email="waiting@example.org")

    with run_commit_hooks():
        booking_rules.cancel(booking=waiting)

    assert only_email().attachments == []


def test_the_confirmation_does_not_promise_the_place_to_a_waiting_list(session, run_commit_hooks):
    with run_commit_hooks():
        book(session, email="ann@example.org")

    message = only_email()
    assert "waiting list" not in message.body
    assert "waiting list" not in html_of(message)
    assert "so that we can offer your place to someone else" in message.body


def test_an_editor_cancelling_tells_the_delegate_the_lscp_cancelled_it(session, run_commit_hooks):
    booking = book(session)

    with run_commit_hooks():
        booking_rules.cancel(booking=booking, by_editor=True)

    message = only_email()
    assert "The LSCP business unit has cancelled your booking" in message.body


def test_session_cancelled_email_tells_them_not_to_come(session, run_commit_hooks):
    book(session, email="ann@example.org")

    with run_commit_hooks():
        booking_rules.cancel_session(session=session)

    message = only_email()
    assert message.subject.startswith("Session cancelled: Child exploitation in Leeds")
    assert "will not go ahead" in message.body
    calendar, event = cancellation_of(message)
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert "secret-7731" not in message.body


def test_no_confirmation_goes_out_for_a_booking_cancelled_before_the_task_ran(session):
    from training import notifications

    booking = book(session)
    booking_rules.cancel(booking=booking)
    mail.outbox.clear()

    assert notifications.send_booking_confirmed(booking.pk) is False
    assert mail.outbox == []


def test_booking_emails_still_go_to_an_address_stopped_for_the_newsletter(
    session, run_commit_hooks
):
    # Transactional: the person has just asked for them (the privacy notice says so).
    subscriber = Subscriber.objects.create(
        email="ann@example.org", status=Subscriber.Status.CONFIRMED, signed_up_at=timezone.now()
    )
    suppress(email="ann@example.org", reason="Hard bounce")
    subscriber.refresh_from_db()
    assert subscriber.is_suppressed

    with run_commit_hooks():
        book(session, name="Ann Smith", email="ANN@example.org")

    message = only_email()
    assert message.subject.startswith("Booking confirmed")
    assert "Dear Ann Smith" in message.body
