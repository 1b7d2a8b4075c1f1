"""What other parts of the site ask of the subscriptions app.

``signup_topics()`` feeds the sign-up box in the footer of every page, so it comes from the
shared cache (one cache read per page, no database query) and is refreshed whenever an
editor changes a topic. ``confirmed_subscribers()`` is who the newsletter is sent to.
"""

from django.core.cache import cache
from django.db import transaction

from subscriptions.models import Subscriber, Topic

TOPICS_CACHE_KEY = "subscriptions:signup-topics:v1"
TOPICS_CACHE_SECONDS = 60 * 60


def signup_topics():
    """[{"pk": ..., "name": ...}] in the editors' order."""
    topics = cache.get(TOPICS_CACHE_KEY)
    if topics is None:
        topics = list(Topic.objects.order_by("sort_order", "pk").values("pk", "name"))
        cache.set(TOPICS_CACHE_KEY, topics, TOPICS_CACHE_SECONDS)
    return topics


def forget_signup_topics(**kwargs):
    """Signal receiver: drop the cached topics once a change to them is committed."""
    transaction.on_commit(lambda: cache.delete(TOPICS_CACHE_KEY))


def confirmed_subscribers(*, topics=None):
    """Confirmed subscribers, each once, optionally only those with any of ``topics``."""
    subscribers = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED)
    if topics is not None:
        subscribers = subscribers.filter(
            pk__in=Subscriber.topics.through.objects.filter(topic__in=topics).values(
                "subscriber_id"
            )
        )
    return subscribers.order_by("pk")
