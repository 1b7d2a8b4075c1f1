"""Jobs that run on a timetable: scheduled publishing and the personal-data purges.

``manage.py scheduler`` runs this loop beside the task worker (``make run`` starts both; in
production it is its own process, see docs/deployment.md). It only enqueues: the task
worker does the work, so a slow purge never delays publishing.
"""

import logging
import time

from django.core.management import call_command
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# (dotted path of a task, seconds between runs). Each app adds its periodic tasks here.
PERIODIC_TASKS = [
    ("subscriptions.tasks.purge_unconfirmed_subscribers", 24 * 60 * 60),
    ("training.tasks.purge_expired_bookings", 24 * 60 * 60),
    ("newsletter.tasks.resume_sends", 5 * 60),
    ("newsletter.tasks.purge_old_deliveries", 24 * 60 * 60),
]

PUBLISH_EVERY_SECONDS = 60


def publish_scheduled_pages():
    """Publish pages whose 'go live' time has come and unpublish expired ones."""
    call_command("publish_scheduled", verbosity=0)


def run_due(last_run, now):
    """Enqueue each periodic task whose interval has passed; returns the updated times."""
    for path, interval in PERIODIC_TASKS:
        if now - last_run.get(path, float("-inf")) >= interval:
            import_string(path).enqueue()
            last_run[path] = now
    return last_run


def run_forever(sleep=time.sleep, clock=time.monotonic, iterations=None):
    last_run = {}
    count = 0
    while iterations is None or count < iterations:
        try:
            publish_scheduled_pages()
            run_due(last_run, clock())
        except Exception:  # a failed round must not stop the next one
            logger.exception("Scheduler round failed")
        count += 1
        if iterations is None or count < iterations:
            sleep(PUBLISH_EVERY_SECONDS)
