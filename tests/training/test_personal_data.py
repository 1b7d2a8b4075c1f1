"""A subscriber's requests about their data cover the training they booked with the same
email address: the export lists the bookings and their attendance, erasure deletes them."""

import pytest

from subscriptions import signup
from tests.subscriptions.factories import SubscriberFactory
from tests.training.factories import book, london, make_course, make_session
from training import attendance
from training.models import Attendance, Booking, BookingStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_course(catalogue):
    """A course whose one session, on 1 April 2025, has a single place."""
    return make_course(
        catalogue,
        title="Safer recruitment",
        sessions=[make_session(start=london(2025, 4, 1, 10), capacity=1)],
    )


def test_the_export_lists_each_booking_made_with_the_address_and_its_attendance(
    full_course, later, admin_user
):
    session = full_course.sessions.get()
    sam = SubscriberFactory(email="sam@example.org")
    booked = book(
        session,
        email="Sam@Example.org",
        name="Sam Smith",
        access_needs="A seat near the door.",
        manager_email="mo@example.org",
    )
    book(session, email="someone.else@example.org")  # waiting: not Sam's
    with later(london(2025, 4, 1, 12)):
        attendance.record_attendance(
            session=session, marks={booked.pk: Attendance.ATTENDED}, user=admin_user
        )

    data = signup.export_subscriber_data(subscriber=sam)

    (exported,) = data["training_bookings"]
    assert exported["course"] == "Safer recruitment"
    assert exported["email"] == "Sam@Example.org"
    assert exported["name"] == "Sam Smith"
    assert exported["access_needs"] == "A seat near the door."
    assert exported["line_manager_email"] == "mo@example.org"
    assert exported["status"] == "Confirmed"
    assert exported["attendance"] == "Attended"
    assert exported["session_starts_at"].startswith("2025-04-01T09:00")
    assert exported["attendance_recorded_at"] is not None


def test_erasing_a_subscriber_erases_their_bookings_and_their_place_goes_to_the_next(
    full_course,
):
    session = full_course.sessions.get()
    sam = SubscriberFactory(email="sam@example.org")
    book(session, email="SAM@example.org")
    waiting = book(session, email="wen@example.org")
    assert waiting.status == BookingStatus.WAITING

    signup.erase_subscriber(subscriber=sam)

    assert not Booking.objects.filter(email__iexact="sam@example.org").exists()
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CONFIRMED


def test_a_subscriber_who_booked_nothing_exports_no_bookings(full_course):
    book(full_course.sessions.get(), email="someone.else@example.org")
    sam = SubscriberFactory(email="sam@example.org")

    assert signup.export_subscriber_data(subscriber=sam)["training_bookings"] == []
    signup.erase_subscriber(subscriber=sam)
    assert Booking.objects.count() == 1
