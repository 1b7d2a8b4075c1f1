"""A session's state and the moments the clock changes it (Session.state_at,
Session.next_change_after): the one rule every page that shows a session follows."""

import datetime

from tests.training.factories import london, make_session

START = london(2025, 5, 8, 14)
CLOSES = london(2025, 5, 6, 17)


def counted(session, *, confirmed=0, cancelled=False):
    """The session as Session.objects.with_places() gives it."""
    session.confirmed_count = confirmed
    session.is_cancelled = cancelled
    return session


def test_booking_is_open_until_it_closes_then_closed_until_the_session_is_over():
    session = counted(make_session(start=START, booking_closes_at=CLOSES, capacity=2))
    end = START + datetime.timedelta(hours=1)

    assert session.state_at(CLOSES - datetime.timedelta(seconds=1)) == "open"
    assert session.state_at(CLOSES) == "closed"
    assert session.state_at(START) == "closed"
    assert session.is_coming_up_at(START - datetime.timedelta(seconds=1))
    assert not session.is_coming_up_at(START)
    # Each moment it shows otherwise: booking closes, it starts, it ends.
    assert session.next_change_after(london(2025, 3, 3)) == CLOSES
    assert session.next_change_after(CLOSES) == START
    assert session.next_change_after(START) == end
    assert session.next_change_after(end) is None


def test_without_a_closing_time_booking_closes_when_the_session_starts():
    session = counted(make_session(start=START, capacity=2))

    assert session.state_at(START - datetime.timedelta(seconds=1)) == "open"
    assert session.state_at(START) == "closed"
    assert session.next_change_after(london(2025, 3, 3)) == START


def test_a_full_session_offers_the_waiting_list_until_booking_closes():
    session = counted(make_session(start=START, capacity=2), confirmed=2)

    assert session.places_left == 0
    assert session.state_at(START - datetime.timedelta(minutes=1)) == "full"
    assert session.state_at(START) == "closed"


def test_a_cancelled_session_says_so_and_is_not_coming_up():
    session = counted(make_session(start=START, capacity=2), cancelled=True)

    assert session.state_at(london(2025, 3, 3)) == "cancelled"
    assert not session.is_coming_up_at(london(2025, 3, 3))
