"""Sign-up and booking answer the same whatever the address's state, and do the same work
while answering: the work that differs (rows, the email chosen) is a queued task.

Timing itself is measured by bench/reply_timing.py; these tests pin its cause: the same
queries, in number and text, for every state, with one task queued.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
from django_tasks_db.models import DBTaskResult

from subscriptions import consent
from subscriptions.models import Subscriber
from tests.subscriptions.factories import SubscriberFactory, seed_topics, sign_up
from tests.training.factories import book
from training.models import Booking

pytestmark = pytest.mark.django_db

QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def reply_to(client, method_path, data, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(method_path, data, **kwargs)
    followed = client.get(response["Location"])
    return {
        "status": response.status_code,
        "location": response["Location"],
        "page": followed.content,
        "queries": len(queries),
    }


@pytest.fixture
def addresses_in_every_state(db):
    topics = seed_topics()
    sign_up("pending@example.org", topics=topics)
    SubscriberFactory(email="confirmed@example.org", topics=topics)
    SubscriberFactory(email="gone@example.org", status=Subscriber.Status.UNSUBSCRIBED)
    return ["new@example.org", "pending@example.org", "confirmed@example.org", "gone@example.org"]


def test_sign_up_replies_and_works_alike_for_new_pending_confirmed_and_unsubscribed(
    client, home_page, settings, addresses_in_every_state
):
    settings.TASKS = QUEUED
    topic_ids = [topic.pk for topic in seed_topics()]
    before = (Subscriber.objects.count(), DBTaskResult.objects.count())

    replies = [
        reply_to(
            client,
            "/subscribe/",
            {
                "email": email,
                "topics": topic_ids,
                "consent_version": consent.CURRENT_VERSION,
                "source": "/newsletter/",
            },
            headers={"Sec-Fetch-Site": "same-origin"},
        )
        for email in addresses_in_every_state
    ]

    assert all(reply == replies[0] for reply in replies), replies
    assert replies[0]["status"] == 302
    # Nothing written while answering but the queued tasks, one per sign-up.
    assert Subscriber.objects.count() == before[0]
    assert DBTaskResult.objects.count() == before[1] + 4


def test_asking_for_a_link_replies_and_works_alike_whatever_the_address(
    client, home_page, settings, addresses_in_every_state
):
    settings.TASKS = QUEUED

    replies = [
        reply_to(
            client,
            "/subscribe/manage/",
            {"email": email},
            headers={"Sec-Fetch-Site": "same-origin"},
        )
        for email in addresses_in_every_state
    ]

    assert all(reply == replies[0] for reply in replies), replies


def test_booking_replies_and_works_alike_whether_or_not_the_address_has_booked(
    client, session, settings
):
    book(session, email="booked@example.org")
    settings.TASKS = QUEUED
    url = f"/training/child-exploitation-in-leeds/book/{session.pk}/"
    details = {
        "name": "Ann Smith",
        "organisation": "Leeds City Council",
        "job_role": "Social worker",
        "agree": "on",
    }

    booked = reply_to(client, url, {**details, "email": "Booked@example.org"})
    new = reply_to(client, url, {**details, "email": "new@example.org"})

    assert booked == new
    assert booked["status"] == 303
    assert Booking.objects.count() == 1
