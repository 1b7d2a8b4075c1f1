"""Background work of the newsletter: sending an issue, and its test emails.

Tasks take ids and read the rows when they run. Sending tasks run at a lower priority than
the site's one-off emails (sign-up confirmations, booking emails), so a long send never
holds those up: the worker takes them between two batches.
"""

from django.tasks import task

from newsletter import sending

SENDING_PRIORITY = -10


@task(priority=SENDING_PRIORITY)
def prepare_send(*, send_id):
    """Render the edition and queue one delivery per recipient; then start delivering."""
    return sending.prepare(send_id=send_id)


@task(priority=SENDING_PRIORITY)
def deliver_send(*, send_id):
    """Send one batch (or, when tasks run at once, every batch) of a send."""
    result = sending.run_delivery(send_id=send_id, chain=sending.chaining())
    return {"claimed": result.claimed, "sent": result.sent, "failed": result.failed}


@task
def send_test_email(*, issue_id, addresses):
    return sending.deliver_test(issue_id=issue_id, addresses=addresses)


@task
def resume_sends():
    """Registered in lscp_site/schedule.py: carries on any send that stopped (a worker was
    killed mid-batch, retries fell due while tasks ran at once). Harmless when all is well:
    a delivery task that finds nothing to claim ends at once."""
    resumed = 0
    for send in sending.unfinished_sends():
        resumed += sending.resume(send_id=send.pk, only_if_stalled=True)
    return resumed


@task
def purge_old_deliveries():
    """Registered in lscp_site/schedule.py: runs once a day."""
    return sending.purge_old_deliveries()
