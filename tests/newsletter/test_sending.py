"""Sending an issue: who gets it, exactly once, in batches, with retries, and what the
issue's history and the progress say."""

import datetime
import smtplib

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from wagtail.models import PageLogEntry

import pytest
import time_machine

from newsletter import sending
from newsletter.sending_models import Delivery, Send
from subscriptions import signup
from tests.newsletter.sending_support import (
    RecordingBackend,
    rich_issue,
    sent_to,
    subscribers,
    topic,
)

pytestmark = pytest.mark.django_db

BACKEND = "tests.newsletter.sending_support.RecordingBackend"
Status = Delivery.Status


@pytest.fixture(autouse=True)
def recording_backend(settings):
    settings.EMAIL_BACKEND = BACKEND
    RecordingBackend.reset()
    yield RecordingBackend
    RecordingBackend.reset()


@pytest.fixture
def issue(newsletter_index):
    return rich_issue(newsletter_index)


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Tasks queued on commit run at once (the test settings' immediate backend)."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def send_all(run_tasks, issue, **kwargs):
    return run_tasks(sending.queue_send, issue=issue, **kwargs)


# --- Who gets it ---------------------------------------------------------------------------


def test_every_confirmed_subscriber_gets_it_once_and_nobody_else(run_tasks, issue):
    confirmed = subscribers(5)
    subscribers(2, status="pending", prefix="pending")
    subscribers(2, status="unsubscribed", prefix="gone")
    send = send_all(run_tasks, issue)
    assert sent_to() == {person.email: 1 for person in confirmed}
    send.refresh_from_db()
    assert send.recipient_count == 5 and send.finished_at is not None
    assert set(send.deliveries.values_list("status", flat=True)) == {Status.SENT}
    assert all(d.sent_at for d in send.deliveries.all())


def test_topic_filter_sends_only_to_those_who_chose_any_of_the_topics(run_tasks, issue):
    training = topic("Training and development opportunities", "training")
    diary = topic("Dates for your diary", "diary")
    other = topic("Learning from reviews", "reviews")
    wants_training = subscribers(2, topics=[training], prefix="training")
    wants_diary = subscribers(1, topics=[diary, other], prefix="diary")
    subscribers(2, topics=[other], prefix="other")
    send_all(run_tasks, issue, topics=[training, diary])
    assert set(sent_to()) == {p.email for p in wants_training + wants_diary}
    assert sending.audience(issue=issue, topics=[other]).count() == 3


def test_someone_who_unsubscribes_while_it_goes_out_is_skipped(issue, settings):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 2
    people = subscribers(4)
    send = sending.queue_send(issue=issue)
    sending.prepare(send_id=send.pk)
    # The first batch goes, then the last person unsubscribes before their batch.
    sending.deliver_batch(send_id=send.pk)
    signup.unsubscribe(subscriber=people[3])
    sending.run_delivery(send_id=send.pk, chain=False)
    assert sent_to() == {p.email: 1 for p in people[:3]}
    skipped = Delivery.objects.get(subscriber=people[3])
    assert skipped.status == Status.SKIPPED
    assert sending.progress(send).skipped == 1


def test_unpublished_issue_cannot_be_sent(newsletter_index):
    draft = rich_issue(newsletter_index, live=False)
    subscribers(1)
    with pytest.raises(sending.SendRefused, match="published"):
        sending.queue_send(issue=draft)
    with pytest.raises(sending.SendRefused, match="published"):
        sending.send_test(issue=draft, addresses=["editor@example.org"])
    assert not Send.objects.exists()


# --- Sending again -------------------------------------------------------------------------


def test_a_second_send_needs_the_explicit_choice_and_reaches_only_those_without_it(
    run_tasks, issue
):
    first = subscribers(3, prefix="first")
    # Refused for its content, not its address: the address is not suppressed.
    RecordingBackend.failures = {first[2].email: smtplib.SMTPDataError(554, b"Message rejected")}
    send_all(run_tasks, issue)
    assert sent_to() == {first[0].email: 1, first[1].email: 1}
    assert Delivery.objects.get(subscriber=first[2]).status == Status.FAILED

    with pytest.raises(sending.SendRefused, match="sent before"):
        sending.queue_send(issue=issue)

    newcomers = subscribers(2, prefix="new")
    assert sending.audience(issue=issue, resend=True).count() == 3
    send_all(run_tasks, issue, resend=True)
    # The newcomers and the one whose email failed; nobody twice.
    assert sent_to() == {p.email: 1 for p in first + newcomers}
    assert Delivery.objects.count() == 5  # still one per issue and subscriber


def test_running_delivery_again_sends_nothing_more(run_tasks, issue):
    subscribers(3)
    send = send_all(run_tasks, issue)
    assert len(RecordingBackend.sent) == 3
    sending.run_delivery(send_id=send.pk, chain=False)
    sending.deliver_send.call(send_id=send.pk)
    assert sending.resume(send_id=send.pk) is False
    assert len(RecordingBackend.sent) == 3


def test_two_sends_of_one_issue_cannot_run_at_once(issue):
    subscribers(1)
    sending.queue_send(issue=issue)  # not prepared yet: tasks wait for the commit
    with pytest.raises(sending.SendRefused, match="being sent now"):
        sending.queue_send(issue=issue, resend=True)


# --- Batches, connections, failures --------------------------------------------------------


def test_one_connection_per_batch(run_tasks, issue, settings):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 3
    subscribers(7)
    send_all(run_tasks, issue)
    assert len(RecordingBackend.sent) == 7
    assert RecordingBackend.opened == 3  # batches of 3, 3 and 1


def test_each_recipient_gets_their_own_links_and_headers(run_tasks, issue):
    people = subscribers(2)
    send_all(run_tasks, issue)
    for person in people:
        (message,) = [m for m in RecordingBackend.sent if m.to == [person.email]]
        assert f"/subscribe/unsubscribe/{person.token}/" in message.body
        assert f"/subscribe/preferences/{person.token}/" in message.alternatives[0].content
        assert person.token in message.extra_headers["List-Unsubscribe"]
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.extra_headers["List-Id"]
        assert message.extra_headers["Message-ID"] == (
            f"<newsletter-{issue.pk}-{person.pk}@lscp.test>"
        )
        other = people[1 - people.index(person)]
        assert other.token not in message.body + message.alternatives[0].content


def test_temporary_failure_is_retried_later_with_backoff(run_tasks, issue):
    people = subscribers(3)
    busy = people[1].email
    RecordingBackend.failures = {
        busy: smtplib.SMTPRecipientsRefused({busy: (451, b"Try again later")})
    }
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send = send_all(run_tasks, issue)
    row = Delivery.objects.get(subscriber=people[1])
    assert row.status == Status.QUEUED and row.attempts == 1
    assert row.next_attempt_at == start + sending.RETRY_DELAYS[0]
    assert "451 Try again later" in row.error
    counts = sending.progress(send, now=start)
    assert (counts.sent, counts.remaining, counts.waiting_retry) == (2, 1, 1)
    send.refresh_from_db()
    assert send.finished_at is None

    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        assert sending.resume(send_id=send.pk, only_if_stalled=True) is False  # not due yet
    with time_machine.travel(start + datetime.timedelta(minutes=2), tick=False):
        run_tasks(sending.resume_sends.call)
    assert sent_to() == {p.email: 1 for p in people}
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2 and row.error == ""
    send.refresh_from_db()
    assert send.finished_at is not None


def test_permanent_failure_is_marked_failed_with_the_error(run_tasks, issue):
    people = subscribers(2)
    RecordingBackend.failures = {
        people[0].email: smtplib.SMTPRecipientsRefused({people[0].email: (550, b"No such user")})
    }
    send = send_all(run_tasks, issue)
    row = Delivery.objects.get(subscriber=people[0])
    assert row.status == Status.FAILED and "550 No such user" in row.error
    assert sent_to() == {people[1].email: 1}
    assert sending.failure_reasons(send) == [(row.error, 1)]
    send.refresh_from_db()
    assert send.finished_at is not None


def test_a_failure_that_keeps_happening_ends_as_failed(run_tasks, issue):
    (person,) = subscribers(1)
    RecordingBackend.failures = {
        person.email: smtplib.SMTPRecipientsRefused({person.email: (452, b"Mailbox full")})
    }
    RecordingBackend.always = True
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        send = send_all(run_tasks, issue)
    for delay in sending.RETRY_DELAYS:
        moment += delay + datetime.timedelta(seconds=1)
        with time_machine.travel(moment, tick=False):
            sending.run_delivery(send_id=send.pk, chain=False)
    row = Delivery.objects.get(subscriber=person)
    assert row.status == Status.FAILED and row.attempts == sending.MAX_ATTEMPTS
    send.refresh_from_db()
    assert send.finished_at is not None
    assert not RecordingBackend.sent


def test_dropped_connection_puts_the_rest_of_the_batch_back(run_tasks, issue):
    people = subscribers(5)
    RecordingBackend.break_after = 2
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        send = send_all(run_tasks, issue)
    assert sent_to() == {p.email: 1 for p in people[:2]}
    assert sending.progress(send, now=moment).queued == 3
    with time_machine.travel(moment + datetime.timedelta(minutes=2), tick=False):
        sending.run_delivery(send_id=send.pk, chain=False)
    assert sent_to() == {p.email: 1 for p in people}


def test_claims_are_exclusive(issue):
    subscribers(5)
    send = sending.queue_send(issue=issue)
    sending.prepare(send_id=send.pk)
    first, claimed_first, _ = sending.claim_batch(send_id=send.pk, size=3)
    second, claimed_second, _ = sending.claim_batch(send_id=send.pk, size=3)
    assert (claimed_first, claimed_second) == (3, 2)
    ids_first = set(Delivery.objects.filter(claim=first).values_list("pk", flat=True))
    ids_second = set(Delivery.objects.filter(claim=second).values_list("pk", flat=True))
    assert len(ids_first) == 3 and len(ids_second) == 2 and not ids_first & ids_second
    assert sending.claim_batch(send_id=send.pk)[1] == 0


def test_a_batch_whose_worker_died_is_taken_back_after_the_lease(issue, settings):
    """A crash mid-batch: what was marked sent stays sent; the rest are sent after the
    lease; only the first unmarked row of the batch is flagged as possibly twice."""
    settings.NEWSLETTER_SEND_LEASE_SECONDS = 60
    people = subscribers(4)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send = sending.queue_send(issue=issue)
        sending.prepare(send_id=send.pk)
        token, claimed, _ = sending.claim_batch(send_id=send.pk)
        assert claimed == 4
        # The dead worker had sent (and marked) the first person only.
        first = Delivery.objects.get(subscriber=people[0])
        Delivery.objects.filter(pk=first.pk).update(status=Status.SENT, sent_at=start, claim="")
        # Within the lease nothing is taken back, nothing sent.
        sending.run_delivery(send_id=send.pk, chain=False)
        assert not RecordingBackend.sent
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        sending.run_delivery(send_id=send.pk, chain=False)
    assert sent_to() == {p.email: 1 for p in people[1:]}
    in_flight = Delivery.objects.get(subscriber=people[1])
    assert in_flight.attempts == 2  # counted once for the crash, once for this send
    assert in_flight.error == sending.UNCERTAIN_NOTE  # may have had it twice
    later = Delivery.objects.get(subscriber=people[2])
    assert later.attempts == 1
    send.refresh_from_db()
    assert send.finished_at is not None


def test_delivering_a_batch_takes_a_fixed_number_of_queries_plus_one_per_email(
    issue, settings, django_assert_max_num_queries
):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 50
    subscribers(50)
    send = sending.queue_send(issue=issue)
    sending.prepare(send_id=send.pk)
    # One UPDATE per email; the rest (claim, rows, edition, finishing, history) is fixed.
    with django_assert_max_num_queries(50 + 25):
        result = sending.deliver_batch(send_id=send.pk)
    assert result.sent == 50


def test_stopping_a_send_leaves_the_rest_unsent_and_a_later_send_reaches_them(
    run_tasks, issue, settings
):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 2
    people = subscribers(5)
    send = sending.queue_send(issue=issue)
    sending.prepare(send_id=send.pk)
    sending.deliver_batch(send_id=send.pk)
    assert sending.cancel(send=send) == 3
    sending.run_delivery(send_id=send.pk, chain=False)
    assert len(RecordingBackend.sent) == 2
    send.refresh_from_db()
    assert send.finished_at is not None and sending.progress(send).cancelled == 3
    send_all(run_tasks, issue, resend=True)
    assert sent_to() == {p.email: 1 for p in people}


# --- History and progress ------------------------------------------------------------------


def test_history_records_who_sent_when_and_to_how_many(run_tasks, issue, admin_user):
    subscribers(3)
    training = topic("Training and development opportunities", "training")
    subscribers(1, topics=[training], prefix="t")
    run_tasks(
        sending.send_test,
        issue=issue,
        addresses=["a@example.org", "b@example.org"],
        user=admin_user,
    )
    with time_machine.travel(datetime.datetime(2025, 3, 5, 9, tzinfo=datetime.UTC), tick=False):
        send_all(run_tasks, issue, user=admin_user)
    entries = {
        entry.action: entry
        for entry in PageLogEntry.objects.filter(page=issue, action__startswith="newsletter.")
    }
    test = entries["newsletter.send_test"]
    assert test.user == admin_user and test.data == {"recipients": 2}
    assert test.message == "Test email sent to 2 addresses"
    sent = entries["newsletter.send"]
    assert sent.user == admin_user
    assert sent.timestamp == datetime.datetime(2025, 3, 5, 9, tzinfo=datetime.UTC)
    assert sent.data["recipients"] == 4
    assert sent.message == "Sending to 4 subscribers"
    finished = entries["newsletter.send_finished"]
    assert finished.data["sent"] == 4
    assert finished.message == "Sending finished: sent to 4 subscribers"


def test_progress_counts_every_state(issue, settings):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 2
    subscribers(5)
    send = sending.queue_send(issue=issue)
    getting_ready = sending.progress(send)
    assert getting_ready.prepared is False
    # Nothing is counted yet: no percentage, not "100% done" with 0 recipients.
    assert getting_ready.percent is None
    assert getting_ready.state == "Getting ready: finding the subscribers to send to"
    sending.prepare(send_id=send.pk)
    sending.claim_batch(send_id=send.pk)
    counts = sending.progress(send)
    assert (counts.total, counts.queued, counts.sending, counts.sent) == (5, 3, 2, 0)
    assert counts.remaining == 5 and counts.percent == 0
    assert counts.state == "Sending: 0% done"
    sending.run_delivery(send_id=send.pk, chain=False)  # the claimed batch is not ours
    counts = sending.progress(send)
    assert (counts.sent, counts.sending, counts.remaining) == (3, 2, 2)
    assert counts.percent == 60
    assert counts.as_dict()["state"] == "Sending: 60% done"


def test_a_send_left_with_nobody_to_send_to_says_so(issue):
    (person,) = subscribers(1)
    send = sending.queue_send(issue=issue)
    person.delete()  # gone before the send was prepared
    sending.prepare(send_id=send.pk)

    counts = sending.progress(Send.objects.get(pk=send.pk))
    assert (counts.total, counts.finished, counts.percent) == (0, True, None)
    assert counts.state == "Finished: nobody to send to"


# --- Personal data -------------------------------------------------------------------------


def test_a_subject_access_request_lists_the_issues_sent_and_erasure_removes_them(run_tasks, issue):
    (person,) = subscribers(1)
    send_all(run_tasks, issue)
    data = signup.export_subscriber_data(subscriber=person)
    assert data["newsletter_deliveries"] == [
        {
            "issue": "March Newsletter",
            "issue_month": "2025-03-01",
            "status": "sent",
            "sent_at": Delivery.objects.get().sent_at.isoformat(),
        }
    ]
    signup.erase_subscriber(subscriber=person)
    assert not Delivery.objects.exists()


# --- Through the real task queue (django-tasks-db), in this process ------------------------


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_a_send_through_the_database_queue_chains_its_batches(issue, settings, monkeypatch):
    # The worker closes "old" connections between tasks: here that is the test's own one.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.NEWSLETTER_SEND_BATCH_SIZE = 2
    people = subscribers(5)
    send = sending.queue_send(issue=issue)
    assert not RecordingBackend.sent  # queued, not sent
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    assert sent_to() == {p.email: 1 for p in people}
    send.refresh_from_db()
    assert send.finished_at is not None
    assert RecordingBackend.opened == 3


def test_an_issue_unpublished_before_the_send_starts_is_not_sent(issue, run_tasks):
    subscribers(2)
    send = sending.queue_send(issue=issue)  # the task would run after the commit
    issue.unpublish()
    assert sending.prepare(send_id=send.pk) == 0
    send.refresh_from_db()
    assert send.finished_at is not None and send.cancelled_at is not None
    assert not RecordingBackend.sent and not Delivery.objects.exists()


def test_who_was_sent_what_is_forgotten_a_year_after_the_send(run_tasks, issue, settings):
    subscribers(2)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send = send_all(run_tasks, issue)
    assert Delivery.objects.count() == 2
    with time_machine.travel(start + datetime.timedelta(days=364), tick=False):
        assert sending.purge_old_deliveries() == 0
    with time_machine.travel(start + datetime.timedelta(days=366), tick=False):
        assert sending.purge_old_deliveries() == 2
    assert not Delivery.objects.exists()
    send.refresh_from_db()
    assert send.recipient_count == 2  # the totals stay
    assert settings.PURGES["deliveries"] == {
        "function": "newsletter.sending.purge_old_deliveries",
        "every": 24 * 60 * 60,
    }
    assert settings.PERIODIC_TASKS["newsletter.sending.resume_sends"] == 5 * 60


def test_a_provider_through_anymail_gets_a_batch_in_one_call_with_each_persons_links(
    run_tasks, issue, settings
):
    """anymail's test backend stands in for a provider with a batch API (Mailgun and
    others): one message for the batch, each person's token and headers merged in."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    people = subscribers(2)
    send = send_all(run_tasks, issue)
    from django.core import mail

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    params = message.anymail_test_params
    assert params["is_batch_send"] is True
    assert sorted(params["to"][i].addr_spec for i in range(2)) == sorted(p.email for p in people)
    assert params["subject"].startswith("March Newsletter 2025")
    assert params["html_body"].startswith("<!DOCTYPE html>")
    assert "/subscribe/unsubscribe/{{token}}/" in params["text_body"]
    for person in people:
        assert params["merge_data"][person.email] == {"token": person.token}
        headers = params["merge_headers"][person.email]
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert f"/subscribe/unsubscribe/{person.token}/" in headers["List-Unsubscribe"]
    assert params["extra_headers"]["List-Id"].startswith("LSCP newsletter")
    send.refresh_from_db()
    assert send.finished_at is not None
    assert set(send.deliveries.values_list("status", flat=True)) == {Status.SENT}


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_through_the_database_queue_a_retry_is_a_task_queued_for_when_it_falls_due(
    issue, monkeypatch
):
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    people = subscribers(2)
    busy = people[0].email
    RecordingBackend.failures = {busy: smtplib.SMTPRecipientsRefused({busy: (421, b"Busy")})}
    sending.queue_send(issue=issue)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    assert sent_to() == {people[1].email: 1}
    row = Delivery.objects.get(subscriber=people[0])
    assert row.status == Status.QUEUED and row.next_attempt_at
    waiting = DBTaskResult.objects.filter(
        task_path="newsletter.sending.deliver_send", status="READY"
    ).get()
    assert waiting.run_after == row.next_attempt_at
