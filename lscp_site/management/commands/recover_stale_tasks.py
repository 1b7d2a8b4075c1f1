"""manage.py recover_stale_tasks: queue again (or mark failed) tasks a killed worker left
RUNNING. See lscp_site/task_recovery.py."""

from django.core.management.base import BaseCommand

from lscp_site.task_recovery import recover_stale_tasks, stale_after


class Command(BaseCommand):
    help = "Queue again, or mark failed, background tasks left running by a stopped worker."

    def handle(self, *args, **options):
        recovery = recover_stale_tasks()
        self.stdout.write(
            f"Tasks running for over {stale_after()} (their worker stopped): "
            f"{len(recovery.requeued)} queued again, {len(recovery.failed)} marked failed."
        )
