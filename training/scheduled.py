"""The training jobs the scheduler queues (settings.PERIODIC_TASKS): reminders before a
session, releasing places a line manager did not approve in time, the email after a session
and refresher reminders. Each is harmless to run again: what was done is not done twice."""

from django.tasks import task

from training import booking, follow_up, reminders


@task
def send_reminders_due():
    return reminders.send_reminders_due()


@task
def expire_pending_approvals():
    return booking.expire_pending_approvals()


@task
def send_follow_ups_due():
    return follow_up.send_follow_ups_due()


@task
def send_refresher_reminders_due():
    return follow_up.send_refresher_reminders_due()
