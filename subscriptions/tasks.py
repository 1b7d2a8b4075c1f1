"""Background work of the sign-up: its emails.

Tasks take ids and read the rows when they run, so an email queued for a sign-up that was
confirmed, unsubscribed or erased meanwhile is not sent.
"""

from django.tasks import task
from django.utils import timezone

from lscp_site.email import send_email
from subscriptions import mailing
from subscriptions.models import ConsentRecord, Subscriber
from subscriptions.tokens import CONFIRM_LINK_MAX_AGE


@task
def send_confirmation_email(*, subscriber_id, consent_id):
    record = (
        ConsentRecord.objects.select_related("subscriber")
        .filter(
            pk=consent_id,
            subscriber_id=subscriber_id,
            subscriber__status=Subscriber.Status.PENDING,
        )
        .first()
    )
    if record is None:
        return False
    subscriber = record.subscriber
    send_email(
        to=subscriber.email,
        subject="Confirm your email updates from the LSCP",
        template_name="subscriptions/confirm",
        context={
            "confirm_url": mailing.confirmation_url(
                subscriber_id=subscriber.pk, consent_id=record.pk
            ),
            "expires": timezone.localtime() + CONFIRM_LINK_MAX_AGE,
            "topic_names": [topic.name for topic in subscriber.topics.all()],
            **mailing.subscriber_links(subscriber),
        },
        headers=mailing.list_headers(subscriber),
    )
    return True


@task
def send_preferences_email(*, subscriber_id):
    subscriber = (
        Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.CONFIRMED)
        .prefetch_related("topics")
        .first()
    )
    if subscriber is None:
        return False
    send_email(
        to=subscriber.email,
        subject="Change your email updates from the LSCP",
        template_name="subscriptions/preferences",
        context={
            "topic_names": [topic.name for topic in subscriber.topics.all()],
            **mailing.subscriber_links(subscriber),
        },
        headers=mailing.list_headers(subscriber),
    )
    return True
