"""Tasks left RUNNING by a killed worker are found and queued again, or marked failed once
tried too often; tasks still running within the limit, and finished ones, are left alone."""

import datetime

from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone

import pytest
from django_tasks_db.models import DBTaskResult

from lscp_site.task_recovery import recover_stale_tasks
from lscp_site.tasks import purge

pytestmark = pytest.mark.django_db

QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings):
    settings.TASKS = QUEUED
    settings.TASK_STALE_AFTER_MINUTES = 60


def left_running(*, minutes_ago, workers=("worker-a",)):
    """A queued task claimed by ``workers`` in turn, the last ``minutes_ago``, never finished."""
    result = purge.enqueue(name="unconfirmed-subscribers")
    row = DBTaskResult.objects.get(pk=result.id)
    for worker in workers:
        row.claim(worker)
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    return row.pk


def status_of(pk):
    return DBTaskResult.objects.get(pk=pk).status


def test_a_task_left_running_by_a_killed_worker_is_queued_again_for_the_next_worker(queue):
    stale = left_running(minutes_ago=61)

    recovery = recover_stale_tasks()

    assert recovery.requeued == [stale]
    assert status_of(stale) == TaskResultStatus.READY
    # What a worker looks for next (running the worker here would close the test's
    # database connection on PostgreSQL).
    assert list(DBTaskResult.objects.ready().values_list("pk", flat=True)) == [stale]


def test_a_task_whose_worker_died_too_often_is_marked_failed_with_the_reason(queue):
    stale = left_running(minutes_ago=90, workers=["worker-a", "worker-b", "worker-c"])

    recovery = recover_stale_tasks()

    assert recovery.failed == [stale]
    row = DBTaskResult.objects.get(pk=stale)
    assert row.status == TaskResultStatus.FAILED
    assert row.finished_at is not None
    assert "stopped before it finished, 3 times" in row.traceback


def test_tasks_running_within_the_limit_and_finished_tasks_are_left_alone(queue):
    running = left_running(minutes_ago=5)
    finished = left_running(minutes_ago=120)
    DBTaskResult.objects.filter(pk=finished).update(status=TaskResultStatus.SUCCESSFUL)

    recovery = recover_stale_tasks()

    assert (recovery.requeued, recovery.failed) == ([], [])
    assert status_of(running) == TaskResultStatus.RUNNING
    assert status_of(finished) == TaskResultStatus.SUCCESSFUL


def test_the_command_reports_what_it_recovered(queue, capsys):
    left_running(minutes_ago=61)

    call_command("recover_stale_tasks")

    assert "1 queued again, 0 marked failed" in capsys.readouterr().out
