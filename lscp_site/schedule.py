"""Jobs that run on a timetable: scheduled publishing, the purges and other periodic tasks.

``manage.py scheduler`` runs this loop beside the task worker (``make run`` starts both; in
production it is its own process, see docs/deployment.md). Apart from publishing, it only
enqueues: the task worker does the work, so a slow purge never delays publishing. The
timetable is in settings: PURGES, PERIODIC_TASKS and SCHEDULER_INTERVAL_SECONDS.

Only one scheduler may run: on PostgreSQL it holds an advisory lock for as long as it runs,
and a second one waits for it, saying so. SQLite has no such lock: there (development, one
machine) a second scheduler would run as well, which is harmless (publishing and purges do
nothing the second time) but wasteful; it says so when it starts.
"""

import contextlib
import logging
import time

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.utils.module_loading import import_string

from lscp_site import tasks

logger = logging.getLogger(__name__)

# Any constant of our own: the key PostgreSQL's advisory lock of the scheduler is held under.
SCHEDULER_LOCK_KEY = 0x4C534350  # "LSCP"


def publish_scheduled_pages():
    """Publish pages whose 'go live' time has come and unpublish expired ones."""
    call_command("publish_scheduled", verbosity=0)


def timetable():
    """(name, seconds between runs, function that queues it) for everything periodic."""
    entries = [
        (f"purge {name}", purge["every"], lambda name=name: tasks.purge.enqueue(name=name))
        for name, purge in settings.PURGES.items()
    ]
    entries += [
        (path, every, lambda path=path: import_string(path).enqueue())
        for path, every in settings.PERIODIC_TASKS.items()
    ]
    return entries


def run_due(last_run, now):
    """Enqueue each periodic job whose interval has passed; returns the updated times."""
    for name, every, enqueue in timetable():
        if now - last_run.get(name, float("-inf")) >= every:
            enqueue()
            logger.debug("Scheduler queued %s", name)
            last_run[name] = now
    return last_run


def take_lock(*, already_held):
    """Take (or confirm) the scheduler's advisory lock; False while another holds it.

    Asked every round rather than once: if the connection was lost, the lock went with it,
    and another scheduler may have it now. The ORM has no expression for advisory locks,
    hence SQL. PostgreSQL counts repeated locks in one session, so a lock taken again is
    given back at once.
    """
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SCHEDULER_LOCK_KEY])
        (locked,) = cursor.fetchone()
        if locked and already_held:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SCHEDULER_LOCK_KEY])
    return bool(locked)


def release_lock():
    """Give the lock back when the loop ends (it would go with the connection anyway)."""
    if connection.vendor == "postgresql":
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_all()")


def announce_start():
    if connection.vendor == "postgresql":
        logger.info("Scheduler started (only one runs at a time: it holds a PostgreSQL lock).")
    else:
        logger.warning(
            "Scheduler started on %s, which has no lock between schedulers: run only one.",
            connection.vendor,
        )


def run_forever(sleep=time.sleep, clock=time.monotonic, iterations=None):
    """Run a round every SCHEDULER_INTERVAL_SECONDS (``iterations`` rounds, for tests)."""
    announce_start()
    last_run = {}
    count = 0
    held = waiting = False
    try:
        while iterations is None or count < iterations:
            try:
                held = take_lock(already_held=held)
                if held:
                    if waiting:
                        logger.info("Scheduler lock taken: this scheduler runs now.")
                        waiting = False
                    publish_scheduled_pages()
                    run_due(last_run, clock())
                elif not waiting:
                    logger.warning(
                        "Another scheduler is running (it holds the lock): waiting until it stops."
                    )
                    waiting = True
            except Exception:  # a failed round must not stop the next one
                logger.exception("Scheduler round failed")
                held = False  # if the connection went, the lock went with it
            count += 1
            if iterations is None or count < iterations:
                sleep(settings.SCHEDULER_INTERVAL_SECONDS)
    finally:
        release_lock()
