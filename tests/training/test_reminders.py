"""Reminders before a session: when they go, what they carry, and that each goes once."""

import datetime

from django.core import mail

import pytest

from lscp_site import schedule
from lscp_site.working_days import working_days_before
from tests.training.factories import JOINING_DETAILS, book, london, make_course, make_session
from tests.training.mail import parts
from training import booking as booking_rules
from training import notifications, reminders
from training.models import Booking

pytestmark = pytest.mark.django_db

VENUE = "Merrion House, 110 Merrion Centre, Leeds LS2 8BB"
ACCESS = "Use the Merrion Way entrance: step-free, with a hearing loop on the desk."
# The webinar fixture's session is at 2pm on Thursday 8 May 2025: two working days before
# is 2pm on Tuesday 6 May.
DUE = london(2025, 5, 6, 14)


def test_working_days_skip_weekends_and_bank_holidays():
    # Monday 10am: the Thursday and Friday before.
    assert working_days_before(london(2025, 3, 10, 10), 2) == london(2025, 3, 6, 10)
    # Tuesday 6 May 2025, the day after the May Day bank holiday: Thursday 1 May.
    assert working_days_before(london(2025, 5, 6, 10), 2) == london(2025, 5, 1, 10)
    # Across the week between Christmas Eve and New Year's Day, when the partnership runs
    # nothing (lscp_site/working_days.py), and a weekend: Tuesday 23 December.
    assert working_days_before(london(2025, 12, 29, 9, 30), 1) == london(2025, 12, 23, 9, 30)
    # The first working day of 2026 (Friday 2 January) counts.
    assert working_days_before(london(2026, 1, 5, 9, 30), 1) == london(2026, 1, 2, 9, 30)


def test_reminder_goes_once_when_due_with_the_joining_details(session, later, run_commit_hooks):
    booking = book(session, name="Ann Smith", email="ann@example.org")

    with later(DUE - datetime.timedelta(minutes=1)), run_commit_hooks():
        assert reminders.send_reminders_due() == 0
    assert mail.outbox == []

    with later(DUE), run_commit_hooks():
        assert reminders.send_reminders_due() == 1
    with later(DUE + datetime.timedelta(hours=3)), run_commit_hooks():
        assert reminders.send_reminders_due() == 0

    (message,) = mail.outbox
    assert message.to == ["ann@example.org"]
    assert message.subject == (
        "Reminder: Child exploitation in Leeds - a guide for practitioners, 8 May 2025, 2pm to 3pm"
    )
    for part in parts(message):
        assert "Dear Ann Smith" in part
        assert "https://teams.example.org/meet/secret-7731" in part
        assert "KITE-42" in part
        assert "/training/bookings/cancel/" in part
    booking.refresh_from_db()
    assert booking.reminded_at == DUE


def test_face_to_face_reminder_gives_the_venue_and_access_details(
    catalogue, later, run_commit_hooks
):
    course = make_course(
        catalogue,
        title="Working Together to Safeguard Children",
        sessions=[
            make_session(
                start=london(2025, 6, 10, 9, 30), hours=6.5, format="face_to_face", venue=VENUE
            )
        ],
    )
    session = course.sessions.get()
    session.access_details = ACCESS
    session.save()
    book(session, email="ann@example.org")

    # Tuesday 10 June: the Friday before at 9:30am.
    with later(london(2025, 6, 6, 9, 30)), run_commit_hooks():
        reminders.send_reminders_due()

    (message,) = mail.outbox
    text, html = parts(message)
    assert f"GETTING THERE\n{VENUE}\n{ACCESS}" in text
    assert "step-free" in html
    assert "HOW TO JOIN" not in text
    assert JOINING_DETAILS not in text


def test_each_course_sets_its_own_working_days_and_0_sends_none(catalogue, later, run_commit_hooks):
    five_days = make_course(
        catalogue, reminder_working_days=5, sessions=[make_session(start=london(2025, 5, 8, 14))]
    )
    none = make_course(
        catalogue, reminder_working_days=0, sessions=[make_session(start=london(2025, 5, 8, 14))]
    )
    book(five_days.sessions.get(), email="early@example.org")
    book(none.sessions.get(), email="never@example.org")

    # Five working days before Thursday 8 May, over the May Day bank holiday: Wed 30 April.
    with later(london(2025, 4, 30, 13, 59)), run_commit_hooks():
        assert reminders.send_reminders_due() == 0
    with later(london(2025, 4, 30, 14)), run_commit_hooks():
        assert reminders.send_reminders_due() == 1
    with later(london(2025, 5, 8, 13)), run_commit_hooks():
        assert reminders.send_reminders_due() == 0

    assert [message.to for message in mail.outbox] == [["early@example.org"]]


def test_no_reminder_for_a_cancelled_booking_a_cancelled_session_or_the_waiting_list(
    catalogue, later, run_commit_hooks
):
    course = make_course(
        catalogue,
        sessions=[
            make_session(start=london(2025, 5, 8, 14), capacity=2),
            make_session(start=london(2025, 5, 8, 16)),
        ],
    )
    first, second = course.sessions.order_by("start")
    cancelled = book(first, email="cancelled@example.org")
    book(first, email="kept@example.org")
    book(first, email="waiting@example.org")
    booking_rules.cancel(booking=cancelled)  # the first person waiting takes the place now
    book(second, email="session-off@example.org")
    booking_rules.cancel_session(session=second)

    with later(DUE), run_commit_hooks():
        reminders.send_reminders_due()

    assert sorted(message.to[0] for message in mail.outbox) == [
        "kept@example.org",
        "waiting@example.org",
    ]


def test_a_late_booking_inside_the_window_gets_no_separate_reminder(
    session, later, run_commit_hooks
):
    book(session, email="early@example.org")
    with later(DUE + datetime.timedelta(hours=1)):
        book(session, email="late@example.org")

    with later(DUE + datetime.timedelta(hours=2)), run_commit_hooks():
        assert reminders.send_reminders_due() == 1

    assert [message.to for message in mail.outbox] == [["early@example.org"]]


def test_a_booking_cancelled_after_its_reminder_was_queued_gets_nothing(session, later):
    booking = book(session, email="ann@example.org")
    with later(DUE):
        reminders.send_reminders_due()  # queued; the email task runs after commit
        booking_rules.cancel(booking=booking)

    assert notifications.send_reminder(booking.pk) is False
    assert mail.outbox == []


class RefusingBackend:
    """An email backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_reminder_that_fails_to_send_is_queued_again_by_the_next_run(
    session, later, settings, run_commit_hooks
):
    booking = book(session, email="ann@example.org")
    settings.EMAIL_BACKEND = "tests.training.test_reminders.RefusingBackend"

    with later(DUE), run_commit_hooks():
        reminders.send_reminders_due()  # the send fails: logged, the reminder left unmarked
    booking.refresh_from_db()
    assert booking.reminded_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with later(DUE + datetime.timedelta(minutes=10)), run_commit_hooks():
        assert reminders.send_reminders_due() == 1
    assert [message.to for message in mail.outbox] == [["ann@example.org"]]


class KilledBackend:
    """An email backend whose worker is killed while it sends (SIGTERM's SystemExit)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise SystemExit("the worker was stopped")


def test_a_reminder_whose_worker_was_killed_part_way_is_sent_by_the_next_run(
    session, later, settings, run_commit_hooks
):
    booking = book(session, email="ann@example.org")
    settings.EMAIL_BACKEND = "tests.training.test_reminders.KilledBackend"

    with later(DUE), run_commit_hooks():
        reminders.send_reminders_due()
    booking.refresh_from_db()
    assert booking.reminded_at is None
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with later(DUE + datetime.timedelta(minutes=10)), run_commit_hooks():
        assert reminders.send_reminders_due() == 0  # its claim may still be working
    with later(DUE + reminders.LEASE + datetime.timedelta(minutes=10)), run_commit_hooks():
        assert reminders.send_reminders_due() == 1
    with later(DUE + reminders.LEASE * 3), run_commit_hooks():
        assert reminders.send_reminders_due() == 0
    assert [message.to for message in mail.outbox] == [["ann@example.org"]]


def test_a_reminder_queued_twice_is_sent_once(session, later, run_commit_hooks):
    booking = book(session, email="ann@example.org")
    with later(DUE):
        assert reminders.send_reminders_due() == 1
        assert reminders.send_reminders_due() == 0  # claimed: not queued again
    with later(DUE + reminders.LEASE * 2):
        # Its worker was slow, not killed: the lease ran out and a later run queued it again.
        assert reminders.send_reminders_due() == 1

        assert notifications.send_reminders([booking.pk]) == 1
        assert notifications.send_reminders([booking.pk]) == 0

    assert [message.to for message in mail.outbox] == [["ann@example.org"]]


def test_the_scheduler_queues_reminders_and_the_worker_sends_them(session, later, run_commit_hooks):
    book(session, email="ann@example.org")

    with later(DUE), run_commit_hooks():
        schedule.run_due({}, now=0)

    assert [message.subject.split(":")[0] for message in mail.outbox] == ["Reminder"]
    assert Booking.objects.get().reminded_at == DUE
