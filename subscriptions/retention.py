"""Sign-ups nobody confirmed are deleted after a while (the scheduler's "unconfirmed-subscribers"
purge). Its own module so that the purge task and the sign-up flow both use it, one way."""

import datetime

from django.db import transaction
from django.utils import timezone

from subscriptions.models import Subscriber

UNCONFIRMED_DAYS = 30


def purge_unconfirmed(*, now=None, days=UNCONFIRMED_DAYS):
    """Delete sign-ups still unconfirmed ``days`` after they were made; returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=days)
    with transaction.atomic():
        _, per_model = Subscriber.objects.filter(
            status=Subscriber.Status.PENDING, signed_up_at__lt=cutoff
        ).delete()
    return per_model.get(Subscriber._meta.label, 0)
