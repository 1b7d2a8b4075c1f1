"""What other parts of the site ask of the subscriptions app.

``signup_topics()`` is what the sign-up box in the footer of every page offers.
``confirmed_subscribers()`` is who the newsletter is sent to.
"""

from subscriptions.models import Subscriber, Topic


def signup_topics():
    """[{"value": "3", "name": ...}] in the editors' order: each topic's id as the form's
    value attribute has it, a string (a number in a template is localized on each render)."""
    return [
        {"value": str(pk), "name": name}
        for pk, name in Topic.objects.order_by("sort_order", "pk").values_list("pk", "name")
    ]


def confirmed_subscribers(*, topics=None):
    """Confirmed subscribers whose email is not stopped (subscriptions/suppression.py), each
    once, optionally only those with any of ``topics``."""
    subscribers = Subscriber.objects.filter(
        status=Subscriber.Status.CONFIRMED, suppressed_at__isnull=True
    )
    if topics is not None:
        subscribers = subscribers.filter(
            pk__in=Subscriber.topics.through.objects.filter(topic__in=topics).values(
                "subscriber_id"
            )
        )
    return subscribers.order_by("pk")
