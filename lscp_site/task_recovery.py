"""Finding tasks a killed worker left RUNNING, and putting them right.

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL or FAILED when
it ends. A worker killed in between (out of memory, a deploy that did not wait, a machine
lost) leaves the row RUNNING for ever: nothing runs it again and nobody is told. This
housekeeping finds rows RUNNING for longer than any task of this site takes
(``TASK_STALE_AFTER_MINUTES``) and queues each again, once more than it was tried, up to
``TASK_MAX_ATTEMPTS`` claims in all; a task claimed that often is marked FAILED with a
message that says why, and logged as an error (which reaches ADMINS by email).

Queueing again is safe for this site's tasks: each reads its rows afresh when it runs and
sends nothing twice (the newsletter's deliveries, a confirmation for a sign-up since
confirmed, a booking email for a booking that moved on).

Run by ``manage.py recover_stale_tasks`` and by the ``recover_stale_tasks_job`` task, which
the scheduler (lscp_site/schedule.py) may queue periodically.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone

from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

STALE_AFTER_MINUTES = 60
MAX_ATTEMPTS = 3
STALE_EXCEPTION = "lscp_site.task_recovery.WorkerLost"


class WorkerLost(Exception):
    """Recorded on a task whose worker stopped while running it (not raised)."""


@dataclass(frozen=True)
class Recovery:
    requeued: list
    failed: list


def stale_after():
    minutes = getattr(settings, "TASK_STALE_AFTER_MINUTES", STALE_AFTER_MINUTES)
    return datetime.timedelta(minutes=minutes)


def stale_running_tasks(*, now=None):
    """Tasks RUNNING since before the stale limit: their worker is gone."""
    now = now or timezone.now()
    return DBTaskResult.objects.running().filter(started_at__lt=now - stale_after())


def recover_stale_tasks(*, now=None, max_attempts=None):
    """Queue again, or mark failed, every stale RUNNING task. Returns the ids of each.

    Each row is locked and skipped if another worker holds it, so two runs at once (or a
    worker finishing the task just now) never act on the same row twice.
    """
    now = now or timezone.now()
    max_attempts = max_attempts or getattr(settings, "TASK_MAX_ATTEMPTS", MAX_ATTEMPTS)
    requeued, failed = [], []
    with transaction.atomic():
        stale = stale_running_tasks(now=now).select_for_update(skip_locked=True)
        for result in stale:
            if len(result.worker_ids) < max_attempts:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                requeued.append(result.id)
                logger.warning(
                    "Task %s (%s) was left running by a stopped worker; queued again",
                    result.id,
                    result.task_path,
                )
            else:
                result.status = TaskResultStatus.FAILED
                result.finished_at = now
                result.exception_class_path = STALE_EXCEPTION
                result.traceback = (
                    f"The worker running this task stopped before it finished, "
                    f"{len(result.worker_ids)} times (workers {', '.join(result.worker_ids)}). "
                    "It was not run again."
                )
                result.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                failed.append(result.id)
                logger.error(
                    "Task %s (%s) was left running by a stopped worker %s times; marked failed",
                    result.id,
                    result.task_path,
                    len(result.worker_ids),
                )
    return Recovery(requeued=requeued, failed=failed)


@task
def recover_stale_tasks_job():
    """For the scheduler: the same as ``manage.py recover_stale_tasks``."""
    recovery = recover_stale_tasks()
    return {"requeued": len(recovery.requeued), "failed": len(recovery.failed)}
