"""Building sign-up data for tests: the four topics of the seed, subscribers, links."""

import re

from django.core import mail
from django.utils import timezone

import factory

from subscriptions import demo, signup
from subscriptions.models import Subscriber, Topic


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    sort_order = factory.Sequence(lambda n: n + 100)


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed subscriber made directly, without the sign-up's consent records."""

    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    status = Subscriber.Status.CONFIRMED
    signed_up_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


def seed_topics():
    """The four topics of the March 2025 issue, in order."""
    return demo.load_topics()


def sign_up(email="sam@example.org", topics=None, source_url="/newsletter/", **kwargs):
    """Sign up through the real rules, as the form does."""
    topics = seed_topics() if topics is None else topics
    return signup.subscribe(email=email, topics=topics, source_url=source_url, **kwargs)


LINK = re.compile(r"https://lscp\.test(/subscribe/[a-z]+/[^/\s\"<]+/)")


def links_in(message, kind):
    """The site paths of the ``kind`` links ('confirm', 'preferences', 'unsubscribe') in the
    plain-text part of an email."""
    return [path for path in LINK.findall(message.body) if path.startswith(f"/subscribe/{kind}/")]


def confirm_path(message):
    paths = links_in(message, "confirm")
    assert paths, f"no confirmation link in:\n{message.body}"
    return paths[0]


def last_email_to(address):
    matching = [message for message in mail.outbox if address in message.to]
    assert matching, f"no email to {address}; outbox: {[m.to for m in mail.outbox]}"
    return matching[-1]
