"""Unconfirmed sign-ups are deleted 30 days after they were made, by a scheduled task."""

import datetime

import pytest
import time_machine

from lscp_site import schedule
from lscp_site import tasks as housekeeping_tasks
from subscriptions import retention
from subscriptions.models import ConsentRecord, StatusChange, Subscriber

from .factories import SubscriberFactory, sign_up

pytestmark = pytest.mark.django_db

Status = Subscriber.Status
TODAY = datetime.datetime(2025, 5, 1, 12, 0, tzinfo=datetime.UTC)


def days_ago(days, **extra):
    return TODAY - datetime.timedelta(days=days, **extra)


@pytest.fixture
def sign_ups():
    """Sign-ups of every kind, made at different times before TODAY."""
    with time_machine.travel(days_ago(31), tick=False):
        sign_up("old.pending@example.org")
    with time_machine.travel(days_ago(30, minutes=1), tick=False):
        sign_up("just.past@example.org")
    with time_machine.travel(days_ago(29, hours=23), tick=False):
        sign_up("recent.pending@example.org")
    with time_machine.travel(days_ago(40), tick=False):
        sign_up("signed.up.again@example.org")
    with time_machine.travel(days_ago(5), tick=False):
        sign_up("signed.up.again@example.org")
    SubscriberFactory(email="old.confirmed@example.org", signed_up_at=days_ago(400))
    SubscriberFactory(
        email="old.unsubscribed@example.org",
        status=Status.UNSUBSCRIBED,
        signed_up_at=days_ago(400),
    )


def remaining():
    return sorted(Subscriber.objects.values_list("email", flat=True))


KEPT = [
    "old.confirmed@example.org",
    "old.unsubscribed@example.org",
    "recent.pending@example.org",
    "signed.up.again@example.org",
]


def test_sign_ups_unconfirmed_after_30_days_are_deleted_with_their_records(sign_ups):
    with time_machine.travel(TODAY, tick=False):
        deleted = retention.purge_unconfirmed()

    assert deleted == 2
    assert remaining() == KEPT
    assert not ConsentRecord.objects.filter(subscriber__isnull=True).exists()
    assert ConsentRecord.objects.count() == 3  # recent (1) and signed-up-again (2)
    assert StatusChange.objects.filter(subscriber__email="old.pending@example.org").count() == 0


def test_the_purge_is_scheduled_daily(settings):
    assert settings.PURGES["unconfirmed-subscribers"] == {
        "function": "subscriptions.retention.purge_unconfirmed",
        "every": 24 * 60 * 60,
    }


def test_the_scheduler_runs_the_purge_through_the_task_queue(sign_ups):
    with time_machine.travel(TODAY, tick=False):
        last_run = schedule.run_due({}, now=1000.0)

    assert last_run["purge unconfirmed-subscribers"] == 1000.0
    assert remaining() == KEPT


def test_the_purge_task_reports_how_many_it_deleted(sign_ups):
    with time_machine.travel(TODAY, tick=False):
        result = housekeeping_tasks.purge.enqueue(name="unconfirmed-subscribers")

    assert result.return_value == 2
