"""However many people book at once, a session never takes more than its places."""

import datetime
import threading

from django.core import mail
from django.db import connection, connections
from django.utils import timezone

import pytest

from home.demo import load_content_pages, load_home_page
from tests.training.factories import make_course, make_index, make_session, with_counts
from training import booking as booking_rules
from training.models import Booking, BookingStatus

PEOPLE = 60
PLACES = 10

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL: SQLite has no row locks and serialises every writer, so "
        "simultaneous bookings cannot be tried there. CI runs this on PostgreSQL.",
    ),
    # Each thread has its own database connection, so the rows must really be committed.
    pytest.mark.django_db(transaction=True),
]


def test_simultaneous_bookings_never_pass_the_capacity():
    home = load_home_page()
    load_content_pages(home)
    catalogue = make_index(home)
    course = make_course(
        catalogue,
        sessions=[
            make_session(start=timezone.now() + datetime.timedelta(days=30), capacity=PLACES)
        ],
    )
    session = course.sessions.get()
    mail.outbox.clear()

    start_together = threading.Barrier(PEOPLE)
    outcomes = {}
    errors = []

    def book_a_place(number):
        try:
            start_together.wait(timeout=60)
            booking = booking_rules.book(
                session=session,
                name=f"Delegate {number}",
                email=f"delegate{number}@example.org",
                organisation="Leeds City Council",
                job_role="Social worker",
            )
            outcomes[number] = booking
        except Exception as error:  # noqa: BLE001 - every failure is reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book_a_place, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(outcomes) == PEOPLE
    rows = list(Booking.objects.filter(session=session).order_by("pk"))
    confirmed = [b for b in rows if b.status == BookingStatus.CONFIRMED]
    waiting = [b for b in rows if b.status == BookingStatus.WAITING]
    assert len(confirmed) == PLACES
    assert len(waiting) == PEOPLE - PLACES
    # Arrival order: the first ten to get the lock have the places, and the queue follows
    # the order in which the rest booked.
    assert max(b.pk for b in confirmed) < min(b.pk for b in waiting)
    assert [b.waiting_position() for b in waiting] == list(range(1, PEOPLE - PLACES + 1))
    assert {b.status for b in outcomes.values()} == {BookingStatus.CONFIRMED, BookingStatus.WAITING}
    counted = with_counts(session)
    assert (counted.confirmed_count, counted.places_left) == (PLACES, 0)
    # Everyone heard back: ten confirmations and the rest told they are waiting.
    subjects = [message.subject.split(":")[0] for message in mail.outbox]
    assert subjects.count("Booking confirmed") == PLACES
    assert subjects.count("You are on the waiting list") == PEOPLE - PLACES
