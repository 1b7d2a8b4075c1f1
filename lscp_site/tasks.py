"""Background tasks of the site shell: the purges the scheduler queues."""

from django.tasks import task

from lscp_site import housekeeping


@task
def purge(*, name):
    """One purge of settings.PURGES, queued by the scheduler (lscp_site/schedule.py)."""
    return housekeeping.run_purge(name=name).deleted
