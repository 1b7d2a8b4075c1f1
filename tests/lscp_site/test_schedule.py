"""The scheduler publishes pages whose go-live time has come and enqueues periodic tasks."""

import datetime
import os

from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

import pytest
import time_machine

from lscp_site import schedule
from lscp_site.models import ContentPage


@pytest.mark.django_db
def test_scheduled_page_goes_live_when_the_scheduler_runs(home_page, client):
    go_live = timezone.now() + datetime.timedelta(hours=1)
    page = ContentPage(title="Winter update", slug="winter-update", body="<p>News</p>", live=False)
    home_page.add_child(instance=page)
    page.go_live_at = go_live
    page.save_revision().publish()  # with a future go-live time this only schedules it
    assert client.get("/winter-update/").status_code == 404

    with time_machine.travel(go_live + datetime.timedelta(minutes=1)):
        schedule.run_forever(sleep=lambda seconds: None, iterations=1)

    assert client.get("/winter-update/").status_code == 200


@pytest.mark.django_db
def test_each_purge_runs_once_per_interval_from_the_settings(settings):
    settings.PURGES = {
        "sessions": {"function": "lscp_site.housekeeping.clear_expired_sessions", "every": 3600}
    }
    settings.PERIODIC_TASKS = {}

    expired_session("first")
    last = schedule.run_due({}, now=0)  # tasks run at once under the test settings
    assert not Session.objects.exists()

    expired_session("second")
    last = schedule.run_due(last, now=1800)
    assert Session.objects.count() == 1

    schedule.run_due(last, now=3600)
    assert not Session.objects.exists()


def test_the_housekeeping_purges_are_on_the_timetable():
    names = {name for name, _every, _enqueue in schedule.timetable()}

    assert {"purge task-results", "purge sessions", "purge revisions"} <= names
    assert "newsletter.sending.resume_sends" in names
    assert "lscp_site.task_recovery.recover_stale_tasks_job" in names


def test_every_periodic_task_on_the_timetable_can_be_queued(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    for name, _every, enqueue in schedule.timetable():
        assert enqueue() is not None, name


def expired_session(key):
    return Session.objects.create(
        session_key=key,
        session_data="",
        expire_date=timezone.now() - datetime.timedelta(days=1),
    )


needs_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="advisory locks are PostgreSQL's (set DATABASE_URL)",
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_second_scheduler_waits_while_the_first_holds_the_lock(home_page, caplog):
    go_live = timezone.now() + datetime.timedelta(hours=1)
    page = ContentPage(title="Spring update", slug="spring-update", body="<p>News</p>", live=False)
    home_page.add_child(instance=page)
    page.go_live_at = go_live
    page.save_revision().publish()

    first = connection.copy()  # the other scheduler's own connection, to the same database
    with first.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [schedule.SCHEDULER_LOCK_KEY])
    try:
        with time_machine.travel(go_live + datetime.timedelta(minutes=1)):
            schedule.run_forever(sleep=lambda seconds: None, iterations=2)
        page.refresh_from_db()
        assert not page.live  # the waiting scheduler published nothing
        assert "Another scheduler is running" in caplog.text
        assert caplog.text.count("Another scheduler is running") == 1  # said once
    finally:
        first.close()  # the first scheduler stops: its lock goes with its connection

    with time_machine.travel(go_live + datetime.timedelta(minutes=2)):
        schedule.run_forever(sleep=lambda seconds: None, iterations=1)
    page.refresh_from_db()
    assert page.live
