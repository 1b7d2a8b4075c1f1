"""The public booking form's way into the booking rules: queued, so every address is
answered alike.

``request_booking`` queues one task and returns: the same work whether or not the address
already has a booking. The task worker runs ``booking.process_booking_request``, which
books the place or emails the address's owner that they already have one.
"""

from django.tasks import task

from training import booking


def request_booking(
    *, session, name, email, organisation, job_role, access_needs="", manager_email=""
):
    """Queue a booking made through the public form; the task worker books it."""
    process_booking_request.enqueue(
        session_id=session.pk,
        name=name,
        email=email,
        organisation=organisation,
        job_role=job_role,
        access_needs=access_needs,
        manager_email=manager_email,
    )


@task
def process_booking_request(
    *, session_id, name, email, organisation, job_role, access_needs, manager_email=""
):
    return booking.process_booking_request(
        session_id=session_id,
        name=name,
        email=email,
        organisation=organisation,
        job_role=job_role,
        access_needs=access_needs,
        manager_email=manager_email,
    )
