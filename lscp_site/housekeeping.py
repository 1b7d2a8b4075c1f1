"""Purges: deleting what the site no longer needs, on the scheduler's timetable or by hand.

Each purge is a function that deletes and returns how many rows it deleted; settings.PURGES
names them (the apps' own personal-data purges among them) with how often the scheduler runs
each. `manage.py purge` runs them by hand; with --dry-run each runs in a transaction that is
rolled back, so the count shown is exactly what the purge would delete, by the purge's own
rules, and nothing is deleted.
"""

import datetime
import logging
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.module_loading import import_string

from wagtail.models import DraftStateMixin, Revision, WorkflowState

from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeResult:
    name: str
    deleted: int
    dry_run: bool

    def describe(self):
        verb = "would delete" if self.dry_run else "deleted"
        return f"{self.name}: {verb} {self.deleted:,}"


def prune_task_results(*, now=None):
    """Finished background-task results (django-tasks-db keeps every one) older than
    TASK_RESULT_RETENTION_DAYS: the same rows as its `prune_db_task_results` command."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.TASK_RESULT_RETENTION_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted


def clear_expired_sessions(*, now=None):
    """Expired admin sessions (what `manage.py clearsessions` removes), counted."""
    deleted, _ = Session.objects.filter(expire_date__lt=now or timezone.now()).delete()
    return deleted


def live_revision_ids():
    """The revision each page and snippet is live at: kept whatever its age."""
    ids = set()
    for model in apps.get_models():
        if (
            issubclass(model, DraftStateMixin)
            and model._meta.get_field("live_revision").model is model
        ):
            ids.update(
                model.objects.exclude(live_revision=None).values_list("live_revision_id", flat=True)
            )
    return ids


def purge_old_revisions(*, now=None):
    """Revisions older than REVISION_RETENTION_DAYS, by the rules of Wagtail's
    purge_revisions (each object's latest revision stays, as do those scheduled to go live
    and those in moderation) and one more: the live revision stays, so that editors can
    still compare a draft with what readers see. (Wagtail's own command deletes it once a
    newer draft exists.)"""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.REVISION_RETENTION_DAYS)
    candidates = (
        Revision.objects.filter(created_at__lt=cutoff, approved_go_live_at__isnull=True)
        .exclude(
            task_states__workflow_state__status__in=[
                WorkflowState.STATUS_IN_PROGRESS,
                WorkflowState.STATUS_NEEDS_CHANGES,
            ]
        )
        .exclude(pk__in=live_revision_ids())
    )
    deleted = 0
    for revision in candidates.iterator():
        if revision.is_latest_revision():
            continue
        try:
            revision.delete()
        except ProtectedError:
            continue
        deleted += 1
    return deleted


def purge_names():
    return list(settings.PURGES)


def run_purge(*, name, dry_run=False):
    """Run one purge of settings.PURGES; log and return what it deleted (or would)."""
    function = import_string(settings.PURGES[name]["function"])
    with transaction.atomic():
        deleted = function()
        if dry_run:
            transaction.set_rollback(True)
    result = PurgeResult(name=name, deleted=deleted, dry_run=dry_run)
    # Nothing to delete is the usual case: said only at DEBUG, so the logs show what went.
    logger.log(logging.INFO if deleted or dry_run else logging.DEBUG, "Purge %s", result.describe())
    return result
