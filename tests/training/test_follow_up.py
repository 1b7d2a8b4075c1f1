"""After the session: one email to attendees with the course's resources and feedback form,
and a reminder before a refresher falls due, with the course's next dates."""

import datetime

from django.core import mail
from django.core.files.base import ContentFile

from wagtail.documents import get_document_model

import pytest

from tests.training.factories import book, london, make_course, make_session
from tests.training.mail import parts
from training import booking as booking_rules
from training import follow_up, retention
from training.models import Attendance, Booking, CourseResource

pytestmark = pytest.mark.django_db

FEEDBACK = "https://forms.example.org/lscp-feedback"
SESSION_START = london(2025, 5, 8, 9, 30)
SESSION_END = london(2025, 5, 8, 16)


def mark_register(session, *, attended=(), no_shows=()):
    """The session's register, as the business unit marks it after the session."""
    Booking.objects.filter(session=session, email__in=attended).update(
        attendance=Attendance.ATTENDED
    )
    Booking.objects.filter(session=session, email__in=no_shows).update(
        attendance=Attendance.NO_SHOW
    )


@pytest.fixture
def slides(db):
    return get_document_model().objects.create(
        title="Slides", file=ContentFile(b"%PDF-1.4 slides", name="working-together-slides.pdf")
    )


@pytest.fixture
def working_together(catalogue, slides):
    course = make_course(
        catalogue,
        title="Working Together to Safeguard Children",
        slug="working-together",
        feedback_url=FEEDBACK,
        refresher_months=36,
        sessions=[
            make_session(start=SESSION_START, hours=6.5, capacity=2),
            make_session(start=london(2028, 3, 14, 9, 30), hours=6.5),
            make_session(start=london(2028, 4, 11, 9, 30), hours=6.5),
        ],
        revision=True,
    )
    CourseResource.objects.create(course=course, title="Slides from the session", document=slides)
    CourseResource.objects.create(
        course=course,
        title="Working Together 2023 (GOV.UK)",
        link="https://www.gov.uk/government/publications/working-together-to-safeguard-children--2",
    )
    return course


@pytest.fixture
def first_session(working_together):
    return working_together.sessions.order_by("start").first()


def test_attendees_get_one_email_with_the_resources_and_feedback_form(
    first_session, slides, later, run_commit_hooks
):
    book(first_session, name="Ann <i>Smith</i>", email="ann@example.org")
    book(first_session, email="cancelled@example.org")
    booking_rules.cancel(booking=Booking.objects.get(email="cancelled@example.org"))
    book(first_session, email="kept@example.org")
    book(first_session, email="waiting@example.org")  # still waiting when the session ran

    with later(SESSION_END - datetime.timedelta(minutes=1)), run_commit_hooks():
        assert follow_up.send_follow_ups_due() == 0
    with later(SESSION_END + datetime.timedelta(minutes=30)), run_commit_hooks():
        assert follow_up.send_follow_ups_due() == 0  # the register is not marked yet
        mark_register(first_session, attended=["ann@example.org"], no_shows=["kept@example.org"])
        assert follow_up.send_follow_ups_due() == 1
    with later(SESSION_END + datetime.timedelta(hours=2)), run_commit_hooks():
        mark_register(first_session, attended=["kept@example.org", "waiting@example.org"])
        assert follow_up.send_follow_ups_due() == 1
    with later(SESSION_END + datetime.timedelta(days=1)), run_commit_hooks():
        assert follow_up.send_follow_ups_due() == 0

    assert sorted(message.to[0] for message in mail.outbox) == [
        "ann@example.org",
        "kept@example.org",
    ]
    (message,) = [message for message in mail.outbox if message.to == ["ann@example.org"]]
    assert message.subject == (
        "Thank you for attending: Working Together to Safeguard Children, 8 May 2025, 9:30am to 4pm"
    )
    text, html = parts(message)
    slides_url = f"https://lscp.test{slides.url}"
    assert f"Slides from the session: {slides_url}" in text
    assert f'<a href="{slides_url}"' in html
    assert "Working Together 2023 (GOV.UK): https://www.gov.uk/" in text
    assert FEEDBACK in text and f'href="{FEEDBACK}"' in html
    assert "Dear Ann <i>Smith</i>" in text
    assert "Dear Ann &lt;i&gt;Smith&lt;/i&gt;" in html


def test_a_follow_up_whose_worker_was_killed_part_way_is_sent_by_the_next_run(
    first_session, later, settings, run_commit_hooks
):
    book(first_session, email="ann@example.org")
    mark_register(first_session, attended=["ann@example.org"])
    settings.EMAIL_BACKEND = "tests.training.test_reminders.KilledBackend"

    with later(SESSION_END + datetime.timedelta(minutes=30)), run_commit_hooks():
        assert follow_up.send_follow_ups_due() == 1
    assert Booking.objects.get().followed_up_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with later(SESSION_END + datetime.timedelta(minutes=40)), run_commit_hooks():
        assert follow_up.send_follow_ups_due() == 0  # its claim may still be working
    with later(SESSION_END + datetime.timedelta(hours=2)), run_commit_hooks():
        assert follow_up.send_follow_ups_due() == 1
    with later(SESSION_END + datetime.timedelta(hours=4)), run_commit_hooks():
        assert follow_up.send_follow_ups_due() == 0
    assert [message.to for message in mail.outbox] == [["ann@example.org"]]


def test_no_follow_up_for_a_course_with_nothing_to_send_or_a_cancelled_session(
    session, catalogue, later, run_commit_hooks
):
    book(session, email="plain@example.org")  # the webinar has no resources or form
    called_off = make_course(
        catalogue, feedback_url=FEEDBACK, sessions=[make_session(start=london(2025, 5, 8, 14))]
    )
    booking = book(called_off.sessions.get(), email="off@example.org")
    booking_rules.cancel_session(session=booking.session)
    Booking.objects.update(attendance=Attendance.ATTENDED)
    mail.outbox.clear()

    with later(london(2025, 5, 8, 16)), run_commit_hooks():
        assert follow_up.send_follow_ups_due() == 0
    assert mail.outbox == []


def test_a_refresher_reminder_lists_the_next_dates_before_it_falls_due(
    first_session, later, run_commit_hooks
):
    book(first_session, email="ann@example.org")
    book(first_session, email="rebooked@example.org")
    book(first_session, email="no-show@example.org")
    mark_register(
        first_session,
        attended=["ann@example.org", "rebooked@example.org"],
        no_shows=["no-show@example.org"],
    )
    with later(SESSION_END + datetime.timedelta(hours=1)):
        follow_up.send_follow_ups_due()
    later_session = first_session.course.sessions.order_by("start")[1]
    with later(london(2028, 1, 5, 9)):
        book(later_session, email="REBOOKED@example.org")
    mail.outbox.clear()

    # Due on 8 May 2028; reminded from eight weeks before (counted in hours, across the
    # change of the clocks).
    notice = london(2028, 5, 8, 16).astimezone(datetime.UTC) - follow_up.REFRESHER_NOTICE
    with later(notice - datetime.timedelta(minutes=1)), run_commit_hooks():
        assert follow_up.send_refresher_reminders_due() == 0
    with later(notice), run_commit_hooks():
        assert follow_up.send_refresher_reminders_due() == 1
    with later(notice + datetime.timedelta(days=1)), run_commit_hooks():
        assert follow_up.send_refresher_reminders_due() == 0

    (message,) = mail.outbox
    assert message.to == ["ann@example.org"]
    assert message.subject.startswith("Time for a refresher: Working Together")
    text, html = parts(message)
    assert "should be refreshed by 8 May 2028" in text
    assert "14 March 2028, 9:30am to 4pm, online" in text
    assert "11 April 2028, 9:30am to 4pm" in html
    assert "https://lscp.test/training/working-together/" in text


def test_attendees_are_kept_past_the_retention_period_until_their_refresher_falls_due(
    first_session, session, later
):
    book(first_session, email="attendee@example.org")
    book(first_session, email="no-show@example.org")
    mark_register(
        first_session, attended=["attendee@example.org"], no_shows=["no-show@example.org"]
    )
    book(session, email="no-refresher@example.org")
    cancelled = book(first_session, email="cancelled@example.org")
    booking_rules.cancel(booking=cancelled)

    with later(london(2026, 6, 1)):
        retention.purge_expired_bookings()
    assert list(Booking.objects.values_list("email", flat=True)) == ["attendee@example.org"]

    with later(london(2028, 5, 9)):
        retention.purge_expired_bookings()
    assert not Booking.objects.exists()
