"""Fifty identical sign-ups at the same moment, against PostgreSQL: one subscriber, no error."""

import threading

from django.core import mail
from django.db import connection, connections

import pytest

from subscriptions import demo, signup
from subscriptions.models import ConsentRecord, Subscriber

SIGN_UPS = 50
EMAIL = "sam.concurrent@example.org"

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite runs one writer at a time, so sign-ups cannot race there; "
        "this needs PostgreSQL (set DATABASE_URL).",
    ),
    # Each thread has its own database connection, so the rows must really be committed.
    pytest.mark.django_db(transaction=True),
]


def test_fifty_simultaneous_identical_sign_ups_make_one_subscriber_without_error():
    topics = demo.load_topics()
    start = threading.Barrier(SIGN_UPS)
    outcomes, errors = [], []

    def sign_up(number):
        try:
            start.wait(timeout=30)
            # Alternate the case: the database compares addresses ignoring it.
            email = EMAIL.upper() if number % 2 else EMAIL
            result = signup.subscribe(email=email, topics=topics, source_url="/")
            outcomes.append(result.outcome)
        except Exception as error:  # noqa: BLE001 - collected and reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(SIGN_UPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert signup.for_email(EMAIL).count() == 1
    assert outcomes.count(signup.Outcome.SUBSCRIBED) == 1
    assert outcomes.count(signup.Outcome.STILL_PENDING) == SIGN_UPS - 1
    assert ConsentRecord.objects.filter(subscriber__in=signup.for_email(EMAIL)).count() == (
        SIGN_UPS
    )
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    # However many arrive at once, the address gets one email.
    assert [[to.lower() for to in message.to] for message in mail.outbox] == [[EMAIL]]
