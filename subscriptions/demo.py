"""Demo content of the email sign-up: the four topics from the March 2025 issue, one
confirmed subscriber at a clearly fake address so the admin listing has something to show,
and one whose email was stopped after a bounce (the "Email stopped" column and filter).
Loading twice changes nothing."""

from django.db import transaction
from django.utils import timezone

from subscriptions import consent, suppression
from subscriptions.models import ConsentRecord, StatusChange, Subscriber, Topic

TOPICS = [
    ("training", "Training and development opportunities"),
    ("guidance", "Local protocols and guidance"),
    ("learning", "Learning from reviews and best practice"),
    ("events", "Events, campaigns and national guidance"),
]
DEMO_EMAIL = "demo.subscriber@example.org"
BOUNCED_EMAIL = "demo.bounced@example.org"
BOUNCE_REASON = (
    "The address bounced (Amazon SES): smtp; 550 5.1.1 <demo.bounced@example.org>: user unknown"
)


def load_topics():
    topics = []
    for order, (slug, name) in enumerate(TOPICS, start=1):
        topic, _ = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "sort_order": order}
        )
        topics.append(topic)
    return topics


def load_demo_subscriber(topics):
    if Subscriber.objects.filter(email=DEMO_EMAIL).exists():
        return
    now = timezone.now()
    subscriber = Subscriber.objects.create(
        email=DEMO_EMAIL,
        status=Subscriber.Status.CONFIRMED,
        signed_up_at=now,
        confirmed_at=now,
    )
    subscriber.topics.set(topics)
    wording = consent.current()
    ConsentRecord.objects.create(
        subscriber=subscriber,
        wording_version=wording.version,
        wording=wording.text,
        given_at=now,
        source_url="/subscribe/",
        topic_names=[topic.name for topic in topics],
        confirmed_at=now,
    )
    StatusChange.objects.create(
        subscriber=subscriber, status=Subscriber.Status.PENDING, changed_at=now, note="Signed up"
    )
    StatusChange.objects.create(
        subscriber=subscriber,
        status=Subscriber.Status.CONFIRMED,
        changed_at=now,
        note="Confirmed from the emailed link",
    )


def load_bounced_subscriber(topics):
    if Subscriber.objects.filter(email=BOUNCED_EMAIL).exists():
        return
    now = timezone.now()
    subscriber = Subscriber.objects.create(
        email=BOUNCED_EMAIL,
        status=Subscriber.Status.CONFIRMED,
        signed_up_at=now,
        confirmed_at=now,
    )
    subscriber.topics.set(topics[:1])
    StatusChange.objects.create(
        subscriber=subscriber,
        status=Subscriber.Status.CONFIRMED,
        changed_at=now,
        note="Confirmed from the emailed link",
    )
    suppression.suppress(email=BOUNCED_EMAIL, reason=BOUNCE_REASON, now=now)


def load_demo(home=None):
    with transaction.atomic():
        topics = load_topics()
        load_demo_subscriber(topics)
        load_bounced_subscriber(topics)
