import pytest

from subscriptions import demo
from subscriptions.models import ConsentRecord, Subscriber, Topic

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_four_topics_of_the_seed_in_order_and_a_fake_subscriber():
    demo.load_demo()

    assert list(Topic.objects.values_list("name", flat=True)) == [
        "Training and development opportunities",
        "Local protocols and guidance",
        "Learning from reviews and best practice",
        "Events, campaigns and national guidance",
    ]
    subscriber = Subscriber.objects.get(email=demo.DEMO_EMAIL)
    assert subscriber.email.endswith("@example.org")
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.topics.count() == 4
    assert not subscriber.is_suppressed
    bounced = Subscriber.objects.get(email=demo.BOUNCED_EMAIL)
    assert bounced.is_suppressed and "550 5.1.1" in bounced.suppression_reason


def test_loading_the_demo_twice_changes_nothing():
    demo.load_demo()
    before = (
        list(Topic.objects.values()),
        list(Subscriber.objects.values()),
        ConsentRecord.objects.count(),
    )

    demo.load_demo()

    assert before == (
        list(Topic.objects.values()),
        list(Subscriber.objects.values()),
        ConsentRecord.objects.count(),
    )
