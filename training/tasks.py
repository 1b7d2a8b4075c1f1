"""Background tasks of the training app: delegates' emails.

Tasks take booking ids (JSON-serialisable) and are enqueued after the booking's transaction
commits (see training.booking).
"""

from django.tasks import task

from training import notifications


@task
def send_already_booked(booking_id):
    return notifications.send_already_booked(booking_id)


@task
def send_booking_refused(session_id, name, email, message):
    return notifications.send_booking_refused(session_id, name, email, message)


@task
def send_booking_confirmed(booking_id):
    return notifications.send_booking_confirmed(booking_id)


@task
def send_waiting_list_joined(booking_id):
    return notifications.send_waiting_list_joined(booking_id)


@task
def send_promotion(booking_id):
    return notifications.send_promotion(booking_id)


@task
def send_booking_cancelled(booking_id):
    return notifications.send_booking_cancelled(booking_id)


@task
def send_session_cancelled(booking_id):
    return notifications.send_session_cancelled(booking_id)


@task
def send_certificate(booking_id):
    return notifications.send_certificate(booking_id)


@task
def send_manager_copy(booking_id):
    return notifications.send_manager_copy(booking_id)


@task
def send_approval_request(booking_id):
    return notifications.send_approval_request(booking_id)


@task
def send_approval_declined(booking_id):
    return notifications.send_approval_declined(booking_id)


@task
def send_approval_expired(booking_id):
    return notifications.send_approval_expired(booking_id)


@task
def send_reminders(booking_ids):
    return notifications.send_reminders(booking_ids)


@task
def send_awaiting_approval(booking_id):
    return notifications.send_awaiting_approval(booking_id)


@task
def send_promotion_awaiting_approval(booking_id):
    return notifications.send_awaiting_approval(booking_id, promoted=True)


@task
def send_follow_up(booking_id):
    return notifications.send_follow_up(booking_id)


@task
def send_refresher_reminder(booking_id):
    return notifications.send_refresher_reminder(booking_id)
