"""Stopping email to an address that bounces or complains, and letting it back in.

The newsletter's sending (an SMTP server refusing an address for good) and its webhook
receiver (a provider reporting a hard bounce, repeated soft bounces or a spam complaint)
call ``suppress``. A suppressed subscriber keeps their row and status but is left out of
``queries.confirmed_subscribers`` (every send, alert and digest) and skipped when their
turn in a batch comes. Signing up again and confirming from the emailed link
(``signup.subscribe`` then ``signup.confirm``) lifts it: only the person can prove the
address works again.

Booking emails (training) are not suppressed: the person has just asked for them.
"""

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone

from subscriptions.models import StatusChange, Subscriber

REASON_LENGTH = Subscriber._meta.get_field("suppression_reason").max_length


def suppress(*, email, reason, now=None):
    """Stop the newsletter, alerts and digests to ``email``. Returns the subscriber, or None
    if nobody has that address. Suppressing twice keeps the first time and reason."""
    now = now or timezone.now()
    reason = " ".join(reason.split())[:REASON_LENGTH]
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.alias(email_key=Lower("email"))
            .filter(email_key=Lower(Value(email.strip())))
            .select_for_update()
            .first()
        )
        if subscriber is None or subscriber.suppressed_at is not None:
            return subscriber
        subscriber.suppressed_at = now
        subscriber.suppression_reason = reason
        subscriber.save(update_fields=["suppressed_at", "suppression_reason"])
        StatusChange.objects.create(
            subscriber=subscriber,
            status=subscriber.status,
            changed_at=now,
            note=f"Email stopped: {reason}"[:200],
        )
    return subscriber


def lift(subscriber, *, now):
    """Let email reach a suppressed subscriber again: only called on a confirmation, in the
    caller's transaction with the row locked."""
    if subscriber.suppressed_at is None:
        return
    subscriber.suppressed_at = None
    subscriber.suppression_reason = ""
    subscriber.save(update_fields=["suppressed_at", "suppression_reason"])
    StatusChange.objects.create(
        subscriber=subscriber,
        status=subscriber.status,
        changed_at=now,
        note="Email started again: the person confirmed the address",
    )
