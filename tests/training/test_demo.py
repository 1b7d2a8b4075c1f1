"""The demo training: the seed's courses, bookable after `make run`, loaded twice safely."""

import datetime

from django.core import mail
from django.utils import timezone

from wagtail.models import Page

import pytest

from tests.training.factories import london
from training.demo import load_demo
from training.models import Attendance, Booking, CoursePage, Session, TrainingIndexPage
from training.queries import upcoming_sessions

pytestmark = pytest.mark.django_db


def test_demo_has_the_core_courses_and_the_webinar_with_dates_to_book(home_page, frozen_now):
    load_demo(home_page)

    index = TrainingIndexPage.objects.get()
    assert index.url == "/training/"
    titles = set(CoursePage.objects.live().values_list("title", flat=True))
    assert titles == {
        "Introduction to Safeguarding Children & Young People",
        "Working Together to Safeguard Children",
        "Child exploitation in Leeds - a guide for practitioners",
    }
    webinar = CoursePage.objects.get(slug="child-exploitation-in-leeds")
    starts = [s.start for s in webinar.sessions.order_by("start")]
    assert london(2025, 5, 8, 14) in starts  # the date in the March 2025 issue
    upcoming = upcoming_sessions(with_places_only=True)
    assert {s.course.title for s in upcoming} == titles
    assert all(s.start > timezone.now() for s in upcoming)


def test_demo_sessions_are_dated_from_today(home_page):
    load_demo(home_page)

    soonest = upcoming_sessions(limit=1)[0]
    assert soonest.start.date() - timezone.localdate() <= datetime.timedelta(days=14)


def test_loading_the_demo_twice_changes_nothing(home_page):
    load_demo(home_page)
    before = (Page.objects.count(), list(Session.objects.order_by("pk").values()))

    load_demo(home_page)

    assert (Page.objects.count(), list(Session.objects.order_by("pk").values())) == before


def test_an_old_demo_gets_new_dates(home_page, later):
    with later(london(2025, 3, 3, 10)):
        load_demo(home_page)
    with later(london(2026, 3, 3, 10)):
        assert upcoming_sessions() == []
        load_demo(home_page)
        assert {s.course.title for s in upcoming_sessions()} == set(
            CoursePage.objects.values_list("title", flat=True)
        )


def test_demo_has_a_past_session_with_its_register_marked_and_certificates_sent(
    home_page, run_commit_hooks
):
    with run_commit_hooks():
        load_demo(home_page)

    marked = Booking.objects.filter(session__end__lt=timezone.now()).exclude(
        attendance=Attendance.NOT_RECORDED
    )
    assert {b.session.course.slug for b in marked} == {"working-together-to-safeguard-children"}
    assert sorted(marked.values_list("attendance", flat=True)) == ["attended"] * 4 + ["no_show"] * 2
    certificates = [m for m in mail.outbox if m.subject.startswith("Your certificate")]
    assert len(certificates) == 4
    assert marked.filter(certificate_sent_at__isnull=False).count() == 4
