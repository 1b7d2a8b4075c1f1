"""Sending through an email provider's batch API (django-anymail): one API call per batch,
each person's links and List-Unsubscribe merged in, each row marked from the provider's
answer for its address; the exactly-once ledger as with SMTP."""

import pytest
import requests
from anymail.exceptions import AnymailAPIError, AnymailRequestsAPIError
from anymail.message import AnymailRecipientStatus

from bench.fake_provider import FakeMailgun
from newsletter import sending
from newsletter.sending_models import Delivery, DeliveryEvent
from subscriptions.models import Subscriber
from tests.newsletter.sending_support import rich_issue, subscribers

pytestmark = pytest.mark.django_db

Status = Delivery.Status


@pytest.fixture
def issue(newsletter_index):
    return rich_issue(newsletter_index)


@pytest.fixture
def send(issue):
    def make():
        queued = sending.queue_send(issue=issue)
        sending.prepare(send_id=queued.pk)
        return queued

    return make


class AnswersBackend:
    """anymail's test backend answering each batch with chosen per-recipient statuses."""

    answers = {}
    calls = []

    @classmethod
    def reset(cls):
        cls.answers, cls.calls = {}, []


@pytest.fixture
def test_provider(settings, monkeypatch):
    from django.core import mail

    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    mail.outbox = []
    return mail


def statuses(message, answers):
    """What the provider answers for the message: 'sent' unless ``answers`` says otherwise."""
    return {
        "recipient_status": {
            address: AnymailRecipientStatus(
                message_id=f"pm-{address}", status=answers.get(address, "sent")
            )
            for address in message.to
        }
    }


def test_a_batch_goes_in_calls_of_at_most_the_providers_limit_and_every_row_is_marked(
    test_provider, send, settings
):
    settings.NEWSLETTER_PROVIDER_BATCHING = {"Test": {"merge_field": "{{{{{}}}}}", "limit": 2}}
    people = subscribers(5)
    queued = send()
    sending.run_delivery(send_id=queued.pk, chain=False)
    sizes = [len(message.to) for message in test_provider.outbox]
    assert sizes == [2, 2, 1]
    assert sorted(a for m in test_provider.outbox for a in m.to) == sorted(p.email for p in people)
    rows = Delivery.objects.filter(send=queued)
    assert {row.status for row in rows} == {Status.SENT}
    assert all(row.provider_message_id != "" for row in rows)
    queued.refresh_from_db()
    assert queued.finished_at is not None
    # Running again sends nothing more.
    sending.run_delivery(send_id=queued.pk, chain=False)
    assert len(test_provider.outbox) == 3


def test_rows_are_marked_from_the_providers_answer_for_each_address(
    test_provider, send, monkeypatch
):
    accepted, rejected, invalid, failing = subscribers(4)
    answers = {rejected.email: "rejected", invalid.email: "invalid", failing.email: "failed"}
    original = sending.MessageTemplate.batch_email

    def answering(self, **kwargs):
        message = original(self, **kwargs)
        message.anymail_test_response = statuses(message, answers)
        return message

    monkeypatch.setattr(sending.MessageTemplate, "batch_email", answering)
    queued = send()
    sending.deliver_batch(send_id=queued.pk)
    status = dict(Delivery.objects.values_list("subscriber__email", "status"))
    assert status == {
        accepted.email: Status.SENT,
        rejected.email: Status.FAILED,
        invalid.email: Status.FAILED,
        failing.email: Status.QUEUED,  # tried again later
    }
    assert Delivery.objects.get(subscriber=accepted).provider_message_id == f"pm-{accepted.email}"
    stopped = set(
        Subscriber.objects.filter(suppressed_at__isnull=False).values_list("email", flat=True)
    )
    assert stopped == {rejected.email, invalid.email}
    assert DeliveryEvent.objects.filter(send=queued, suppressed=True).count() == 2
    retry = Delivery.objects.get(subscriber=failing)
    assert retry.next_attempt_at is not None and retry.attempts == 1


def test_an_api_error_puts_the_batch_back_for_a_retry_and_sends_nobody_twice(
    test_provider, send, monkeypatch
):
    people = subscribers(3)
    original = sending.MessageTemplate.batch_email
    failing = {"on": True}

    def answering(self, **kwargs):
        message = original(self, **kwargs)
        if failing["on"]:
            message.anymail_test_response = AnymailAPIError("503 Service Unavailable")
        return message

    monkeypatch.setattr(sending.MessageTemplate, "batch_email", answering)
    queued = send()
    result = sending.deliver_batch(send_id=queued.pk)
    assert result.sent == 0 and result.retrying == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.QUEUED}
    failing["on"] = False
    Delivery.objects.update(next_attempt_at=None)
    sending.run_delivery(send_id=queued.pk, chain=False)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.SENT}
    delivered = [a for m in test_provider.outbox[1:] for a in m.to]
    assert sorted(delivered) == sorted(p.email for p in people)


def timed_out_reply():
    """What anymail raises when the service took the call but its reply timed out."""
    error_type = type(
        "AnymailRequestsAPIError", (AnymailRequestsAPIError, requests.ReadTimeout), {}
    )
    return error_type("Error posting to https://api.example.org/v3/messages: Read timed out.")


def test_a_call_whose_reply_timed_out_is_recorded_as_uncertain_and_not_sent_again(
    test_provider, send, monkeypatch, settings
):
    settings.NEWSLETTER_PROVIDER_BATCHING = {"Test": {"merge_field": "{{{{{}}}}}", "limit": 2}}
    people = subscribers(5)
    original = sending.MessageTemplate.batch_email
    calls = []

    def answering(self, **kwargs):
        message = original(self, **kwargs)
        calls.append(message)
        if len(calls) == 1:
            message.anymail_test_response = timed_out_reply()
        return message

    monkeypatch.setattr(sending.MessageTemplate, "batch_email", answering)
    queued = send()
    sending.deliver_batch(send_id=queued.pk)
    Delivery.objects.update(next_attempt_at=None)
    sending.run_delivery(send_id=queued.pk, chain=False)

    given = [address for message in calls for address in message.to]
    assert sorted(given) == sorted(person.email for person in people)  # nobody twice
    rows = Delivery.objects.filter(send=queued)
    assert {row.status for row in rows} == {Status.SENT}
    uncertain = rows.filter(error=sending.PROVIDER_UNCERTAIN_NOTE)
    assert sorted(row.subscriber.email for row in uncertain) == sorted(calls[0].to)
    queued.refresh_from_db()
    assert queued.finished_at is not None


def test_through_a_fake_mailgun_one_api_call_per_batch_with_each_persons_token_and_headers(
    send, settings
):
    with FakeMailgun() as provider:
        settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
        settings.ANYMAIL = {
            **settings.ANYMAIL,
            "MAILGUN_API_KEY": FakeMailgun.api_key,
            "MAILGUN_API_URL": f"{provider.url}/v3",
            "MAILGUN_SENDER_DOMAIN": "mg.lscp.test",
        }
        settings.NEWSLETTER_SEND_BATCH_SIZE = 4
        people = subscribers(10)
        queued = send()
        sending.run_delivery(send_id=queued.pk, chain=False)
        stats = provider.stats()
    assert stats["calls"] == 3 and stats["largest_call"] == 4
    assert stats["recipients"] == 10 and stats["duplicates"] == 0
    assert stats["without_merge_values"] == 0 and stats["without_own_headers"] == 0
    rows = Delivery.objects.filter(send=queued)
    assert {row.status for row in rows} == {Status.SENT}
    assert {row.provider_message_id for row in rows} == {
        "<bench.1@mg.example.org>",
        "<bench.2@mg.example.org>",
        "<bench.3@mg.example.org>",
    }
    assert len(people) == 10


def test_plain_smtp_and_the_test_outbox_are_not_batched(settings):
    from django.core.mail import get_connection

    assert sending.provider_batching(sending.mail_connection()) is None  # locmem in tests
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert sending.provider_batching(sending.mail_connection()) is None
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_SERVER_TOKEN": "x"}
    # Postmark merges only into templates stored with it: one call per email.
    assert sending.provider_batching(get_connection()) is None
