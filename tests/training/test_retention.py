"""Delegates' details are deleted a set time after their session, by a scheduled task."""

import pytest

from lscp_site.tasks import purge
from tests.training.factories import book, london, make_course, make_session
from training import booking as booking_rules
from training.models import Booking
from training.retention import purge_expired_bookings

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_and_new(catalogue):
    course = make_course(
        catalogue,
        sessions=[
            make_session(start=london(2025, 4, 1, 10)),
            make_session(start=london(2025, 9, 1, 10)),
        ],
    )
    april, september = course.sessions.order_by("start")
    kept_bookings = [book(september), book(september)]
    old_bookings = [book(april), book(april), book(april)]
    booking_rules.cancel(booking=old_bookings[0])
    return old_bookings, kept_bookings


def test_bookings_are_deleted_a_year_after_their_session(old_and_new, later):
    old, kept = old_and_new

    with later(london(2026, 4, 1, 10, 59)):
        assert purge_expired_bookings() == 0
    with later(london(2026, 4, 1, 11, 1)):  # 365 days after the April session ended
        assert purge_expired_bookings() == 3

    assert set(Booking.objects.values_list("pk", flat=True)) == {b.pk for b in kept}


def test_the_retention_period_is_a_setting(old_and_new, later, settings):
    settings.BOOKING_RETENTION_DAYS = 30

    with later(london(2025, 5, 2)):
        assert purge_expired_bookings() == 3

    assert Booking.objects.count() == 2


def test_the_purge_is_a_scheduled_task(old_and_new, later, settings):
    assert settings.PURGES["bookings"] == {
        "function": "training.retention.purge_expired_bookings",
        "every": 24 * 60 * 60,
    }

    with later(london(2027, 1, 1)):
        result = purge.enqueue(name="bookings")

    assert result.return_value == 5
    assert not Booking.objects.exists()
