"""The scheduler publishes pages whose go-live time has come and enqueues periodic tasks."""

import datetime

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


def test_periodic_tasks_run_once_per_interval(monkeypatch):
    enqueued = []

    class FakeTask:
        def enqueue(self):
            enqueued.append(1)

    monkeypatch.setattr(schedule, "PERIODIC_TASKS", [("purge", 3600)])
    monkeypatch.setattr(schedule, "import_string", lambda path: FakeTask())

    last = schedule.run_due({}, now=0)
    last = schedule.run_due(last, now=1800)
    schedule.run_due(last, now=3600)

    assert len(enqueued) == 2
