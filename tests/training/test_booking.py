"""The booking rules in training/booking.py, one test per rule."""

import datetime

from django.core import mail
from django.db import IntegrityError, transaction

import pytest

from tests.training.factories import book, london, make_course, make_session, with_counts
from training import booking as booking_rules
from training.models import Booking, BookingStatus, CancelledBy, SessionCancellation

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_session(catalogue):
    course = make_course(
        catalogue, sessions=[make_session(start=london(2025, 4, 1, 10), capacity=2)]
    )
    return course.sessions.get()


def statuses(session):
    return list(
        Booking.objects.filter(session=session).order_by("pk").values_list("status", flat=True)
    )


def test_booking_is_confirmed_while_places_remain_then_joins_the_waiting_list(small_session):
    first, second, third, fourth = (book(small_session) for _ in range(4))

    assert [b.status for b in (first, second, third, fourth)] == [
        BookingStatus.CONFIRMED,
        BookingStatus.CONFIRMED,
        BookingStatus.WAITING,
        BookingStatus.WAITING,
    ]
    assert (third.waiting_position(), fourth.waiting_position()) == (1, 2)
    session = with_counts(small_session)
    assert (session.places_left, session.confirmed_count, session.waiting_count) == (0, 2, 2)


def test_the_same_email_cannot_book_one_session_twice(small_session):
    book(small_session, email="Ann.Smith@Example.org")

    with pytest.raises(booking_rules.AlreadyBooked) as refused:
        book(small_session, email="  ann.smith@example.ORG ")

    assert "already has a booking on this session" in refused.value.message
    assert refused.value.field == "email"
    assert Booking.objects.filter(session=small_session).count() == 1


def test_the_database_refuses_a_second_booking_for_one_email(small_session):
    first = book(small_session, email="ann@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            session=small_session,
            name="Ann again",
            email="ANN@example.org",
            organisation="x",
            job_role="y",
            status=BookingStatus.WAITING,
            privacy_agreed_at=first.privacy_agreed_at,
        )


def test_after_cancelling_the_same_email_can_book_again(small_session):
    first = book(small_session, email="ann@example.org")
    booking_rules.cancel(booking=first)

    again = book(small_session, email="ann@example.org")

    assert again.pk != first.pk
    assert again.status == BookingStatus.CONFIRMED


def test_one_email_can_book_different_sessions_of_a_course(catalogue):
    course = make_course(
        catalogue,
        sessions=[
            make_session(start=london(2025, 4, 1, 10)),
            make_session(start=london(2025, 5, 1, 10)),
        ],
    )
    first, second = course.sessions.order_by("start")

    book(first, email="ann@example.org")
    book(second, email="ann@example.org")

    assert Booking.objects.filter(email="ann@example.org").count() == 2


def test_booking_is_refused_once_booking_has_closed(catalogue, later):
    course = make_course(
        catalogue,
        sessions=[
            make_session(start=london(2025, 4, 1, 10), booking_closes_at=london(2025, 3, 25, 17))
        ],
    )
    session = course.sessions.get()

    with later(london(2025, 3, 25, 17, 0)), pytest.raises(booking_rules.BookingClosed) as refused:
        book(session)

    assert refused.value.message == "Booking for this session closed on 25 March 2025, 5pm."
    assert not Booking.objects.exists()


def test_booking_closes_at_the_start_when_no_closing_time_is_set(small_session, later):
    with later(london(2025, 4, 1, 10, 0)), pytest.raises(booking_rules.BookingClosed) as refused:
        book(small_session)

    assert "already started" in refused.value.message


def test_a_past_session_cannot_be_booked(small_session, later):
    with later(london(2025, 6, 1)), pytest.raises(booking_rules.BookingClosed):
        book(small_session)

    assert not Booking.objects.exists()


def test_a_cancelled_session_cannot_be_booked(small_session):
    booking_rules.cancel_session(session=small_session)

    with pytest.raises(booking_rules.SessionCancelled) as refused:
        book(small_session)

    assert refused.value.message == "This session has been cancelled, so it cannot be booked."


def test_cancelling_a_place_promotes_the_first_person_waiting_who_is_emailed(
    small_session, run_commit_hooks
):
    first = book(small_session)
    book(small_session)
    next_in_line = book(small_session, email="next@example.org")
    after_them = book(small_session)
    mail.outbox.clear()

    with run_commit_hooks():
        booking_rules.cancel(booking=first)

    next_in_line.refresh_from_db()
    after_them.refresh_from_db()
    first.refresh_from_db()
    assert first.status == BookingStatus.CANCELLED
    assert first.cancelled_by == CancelledBy.DELEGATE
    assert next_in_line.status == BookingStatus.CONFIRMED
    assert after_them.status == BookingStatus.WAITING
    assert after_them.waiting_position() == 1
    assert with_counts(small_session).confirmed_count == 2
    promotion = [m for m in mail.outbox if m.to == ["next@example.org"]]
    assert len(promotion) == 1
    assert promotion[0].subject.startswith("A place has come up for you")


def test_cancelling_a_place_on_the_waiting_list_promotes_nobody(small_session):
    book(small_session)
    book(small_session)
    waiting = book(small_session)
    last = book(small_session)

    booking_rules.cancel(booking=waiting)

    last.refresh_from_db()
    assert last.status == BookingStatus.WAITING
    assert last.waiting_position() == 1
    assert with_counts(small_session).confirmed_count == 2


def test_an_editor_cancelling_is_recorded_as_the_business_unit(small_session):
    booking = book(small_session)

    booking_rules.cancel(booking=booking, by_editor=True)

    booking.refresh_from_db()
    assert booking.cancelled_by == CancelledBy.EDITOR


def test_a_booking_cannot_be_cancelled_twice(small_session):
    booking = book(small_session)
    booking_rules.cancel(booking=booking)

    with pytest.raises(booking_rules.AlreadyCancelled):
        booking_rules.cancel(booking=booking)


def test_a_booking_cannot_be_cancelled_after_the_session(small_session, later):
    booking = book(small_session)

    with later(london(2025, 4, 1, 11, 0)), pytest.raises(booking_rules.BookingClosed):
        booking_rules.cancel(booking=booking)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_nobody_is_promoted_once_the_session_has_started(small_session, later):
    first = book(small_session)
    book(small_session)
    waiting = book(small_session)

    with later(london(2025, 4, 1, 10, 15)):
        booking_rules.cancel(booking=first)

    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.WAITING


def test_cancelling_a_session_cancels_every_booking_and_emails_each_person(
    small_session, run_commit_hooks, admin_user
):
    people = [book(small_session, email=f"person{n}@example.org") for n in range(3)]
    mail.outbox.clear()

    with run_commit_hooks():
        cancelled = booking_rules.cancel_session(session=small_session, by=admin_user)

    assert {b.pk for b in cancelled} == {b.pk for b in people}
    assert statuses(small_session) == [BookingStatus.CANCELLED] * 3
    assert Booking.objects.filter(cancelled_by=CancelledBy.SESSION).count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{n}@example.org" for n in range(3)]
    assert all(m.subject.startswith("Session cancelled") for m in mail.outbox)
    assert SessionCancellation.objects.get(session=small_session).cancelled_by == admin_user
    assert with_counts(small_session).booking_state() == "cancelled"


def test_cancelling_a_session_again_changes_nothing(small_session, run_commit_hooks):
    book(small_session)
    booking_rules.cancel_session(session=small_session)
    mail.outbox.clear()

    with run_commit_hooks():
        assert booking_rules.cancel_session(session=small_session) == []

    assert mail.outbox == []
    assert SessionCancellation.objects.count() == 1


def test_extra_places_go_to_the_people_waiting_in_order(small_session):
    book(small_session)
    book(small_session)
    first_waiting, second_waiting, third_waiting = (book(small_session) for _ in range(3))
    small_session.capacity = 4
    small_session.save()

    promoted = booking_rules.promote_next(session=small_session)

    assert [b.pk for b in promoted] == [first_waiting.pk, second_waiting.pk]
    third_waiting.refresh_from_db()
    assert third_waiting.status == BookingStatus.WAITING


def test_publishing_a_course_with_more_places_offers_them_to_the_people_waiting(
    small_session, run_commit_hooks
):
    book(small_session)
    book(small_session)
    waiting = book(small_session, email="waiting@example.org")
    course = small_session.course
    draft = course.get_latest_revision_as_object()
    rows = list(draft.sessions.all())
    rows[0].capacity = 3
    draft.sessions = rows
    mail.outbox.clear()

    with run_commit_hooks():
        draft.save_revision().publish()

    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CONFIRMED
    assert [m.to for m in mail.outbox] == [["waiting@example.org"]]


def test_a_newcomer_never_jumps_the_queue_for_a_place_freed_without_promotion(small_session):
    book(small_session)
    book(small_session)
    waiting = book(small_session)
    # An editor added a place, but nothing has offered it yet.
    small_session.capacity = 3
    small_session.save()

    newcomer = book(small_session)

    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CONFIRMED
    assert newcomer.status == BookingStatus.WAITING


def test_no_email_is_sent_when_the_booking_is_rolled_back(small_session, run_commit_hooks):
    mail.outbox.clear()

    with run_commit_hooks(), pytest.raises(RuntimeError), transaction.atomic():
        book(small_session)
        raise RuntimeError("something after booking failed")

    assert mail.outbox == []
    assert not Booking.objects.exists()


def test_arrival_order_is_kept_even_when_the_clock_stands_still(small_session):
    bookings = [book(small_session) for _ in range(5)]

    waiting = Booking.objects.filter(session=small_session).waiting_in_order()

    assert list(waiting) == bookings[2:]
    assert [b.waiting_position() for b in bookings[2:]] == [1, 2, 3]


def test_booking_records_when_the_delegate_agreed_to_keeping_their_details(small_session):
    booking = book(small_session, access_needs="  Captions, please ")

    assert booking.privacy_agreed_at == datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)
    assert booking.access_needs == "Captions, please"
