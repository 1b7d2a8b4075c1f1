"""Purges delete what is no longer needed, say how much, and show it first with --dry-run."""

import datetime
import io

from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from lscp_site.models import ContentPage

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


def task_result(*, finished_days_ago, status="SUCCESSFUL"):
    finished = NOW - datetime.timedelta(days=finished_days_ago)
    return DBTaskResult.objects.create(
        status=status,
        finished_at=finished,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="newsletter.sending.resume_sends",
        backend_name="default",
        run_after=finished,
    )


def purge(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("purge", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_finished_task_results_go_after_the_retention_period(settings):
    settings.TASK_RESULT_RETENTION_DAYS = 14
    old = task_result(finished_days_ago=20)
    recent = task_result(finished_days_ago=2)
    old_failure = task_result(finished_days_ago=30, status="FAILED")

    out, _ = purge("task-results")

    assert "task-results: deleted 2" in out
    assert list(DBTaskResult.objects.all()) == [recent]
    assert not DBTaskResult.objects.filter(pk__in=[old.pk, old_failure.pk]).exists()


@pytest.mark.django_db
def test_a_dry_run_counts_what_would_go_and_deletes_nothing():
    Session.objects.create(
        session_key="old", session_data="", expire_date=timezone.now() - datetime.timedelta(days=1)
    )
    Session.objects.create(
        session_key="live", session_data="", expire_date=timezone.now() + datetime.timedelta(days=1)
    )

    out, _ = purge("sessions", "--dry-run")

    assert "sessions: would delete 1" in out
    assert "Dry run: nothing was deleted." in out
    assert Session.objects.count() == 2

    out, _ = purge("sessions")

    assert "sessions: deleted 1" in out
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


@pytest.mark.django_db
def test_old_revisions_go_but_the_live_and_latest_stay(home_page, settings):
    settings.REVISION_RETENTION_DAYS = 90
    with time_machine.travel(NOW - datetime.timedelta(days=200)):
        page = ContentPage(title="Privacy notice", slug="privacy-notice", body="<p>One</p>")
        home_page.add_child(instance=page)
        page.save_revision().publish()
        page.body = "<p>Two</p>"
        page.save_revision().publish()
    with time_machine.travel(NOW - datetime.timedelta(days=150)):
        page.body = "<p>Three</p>"
        live = page.save_revision()
        live.publish()
    with time_machine.travel(NOW):
        page.body = "<p>Draft</p>"
        draft = page.save_revision()
        out, _ = purge("revisions")

    page.refresh_from_db()
    assert "revisions: deleted 2" in out
    assert set(page.revisions.values_list("pk", flat=True)) == {live.pk, draft.pk}
    assert page.live_revision_id == live.pk


@pytest.mark.django_db
def test_an_unknown_purge_is_refused_with_the_names_of_those_there_are():
    with pytest.raises(Exception, match="No purge named nothing.*task-results"):
        purge("nothing")


@pytest.mark.django_db
def test_every_purge_runs_by_hand_with_its_progress_shown(settings):
    out, err = purge("--dry-run")

    for name in settings.PURGES:
        assert f"{name}: would delete 0" in out
    # Not a terminal: plain lines, the first and the last.
    assert err.splitlines()[0].startswith("[")
    count = len(settings.PURGES)
    assert f"100%  {count}/{count} purges done" in err.splitlines()[-1]
