"""Sending an issue to its subscribers: queue, prepare, deliver, resume. The rules live here;
the admin views and ``manage.py send_issue`` call them, and the tasks at the end of this module
(the worker's side) carry them on. The tasks live here because sending queues them and they
call sending: one module, no import cycle.

The journey
-----------
1. ``queue_send`` (an editor confirmed "Send to subscribers"): a ``Send`` row, a line in
   the issue's history, and the ``prepare_send`` task queued once that is committed.
2. ``prepare``: renders the email edition once and keeps it on the send, then creates one
   ``Delivery`` per recipient in chunks (``bulk_create(ignore_conflicts=True)`` against the
   unique constraint on issue and subscriber, so nobody is queued twice for an issue), then
   queues ``deliver_send``.
3. ``deliver_batch``: claims up to BATCH_SIZE deliveries, sends them over one SMTP
   connection, marks each one sent, failed or queued again for a retry.

Exactly once, and what a crash can and cannot do
------------------------------------------------
*Claiming.* A batch is claimed in one transaction: the rows are picked with
``SELECT ... FOR UPDATE SKIP LOCKED`` (on PostgreSQL; SQLite serialises writers anyway)
among ``queued`` rows that are due, then set to ``claimed`` with a fresh random claim token
and the time. Two workers never hold the same row. People who are no longer confirmed
subscribers (they unsubscribed while the send was going out) are marked ``skipped`` in the
same transaction, so they are not emailed. With the database task backend the next
``deliver_send`` task is queued in that same transaction: the chain of batches survives the
worker dying at any point after it.

*Sending.* Rows are sent in primary-key order, each in its own SMTP transaction on the
batch's one connection, and each row is marked ``sent`` (with the time) by a conditional
UPDATE (``WHERE claim = <our token> AND status = 'claimed'``) committed right after the
server accepted that message and before the next message's content is sent. (Over SMTP
the next message's envelope, MAIL FROM and RCPT TO, which deliver nothing, is exchanged
while that UPDATE runs, so the mail server and the database work at the same time.)
A permanent refusal (SMTP 5xx) marks the row ``failed`` with the error; a temporary one
(4xx, a dropped connection) puts it back to ``queued`` with ``next_attempt_at`` further
off each time (RETRY_DELAYS), and after MAX_ATTEMPTS it is ``failed``. When the
connection breaks, the rest of the batch is put back to ``queued`` untouched.

*Crashing.* If the worker is killed (kill -9, power cut) part-way through a batch, every
message it finished is already marked ``sent`` and will never be sent again, and the rows
it had not reached are still ``claimed`` by the dead worker. A claim is a lease: the worker
renews ``claimed_at`` every HEARTBEAT_SECONDS, and rows whose claim is older than
LEASE_SECONDS are taken back (``release_stale_claims``) and sent by the next batch, so
nobody is missed. Re-running or resuming a send only ever claims ``queued`` rows, so
nobody who was marked sent gets it again.

*The one-message window.* SMTP cannot be made exactly-once from the sending side: there is
a moment between the server accepting a message (its "250" after the data) and our
UPDATE being committed (on PostgreSQL without waiting for the disk: see
``_quick_commits``). If the worker dies in that moment, the server has the message but
the row still says ``claimed``. Because rows are sent in order and each is marked before
the next one's content is sent, only ONE row per crashed batch can be in that state: the
lowest-numbered row still claimed. It is sent again when the claim is taken back (its
note says so), so a crash costs at most one duplicate email, to one person, and never a
missed one; and every copy of one issue to one subscriber carries the same Message-ID
(``email_edition.message_id``), which Gmail and other services use to show it once. A
crash anywhere else (while the message is being built or transferred, before the
server's reply) loses nothing and duplicates nothing.
"""

import datetime
import logging
import smtplib
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import Case, Count, F, IntegerField, Min, Value, When
from django.tasks import task
from django.utils import timezone
from django.utils.deprecation import RemovedInDjango2028Warning

from wagtail.log_actions import log

import requests
import urllib3
from anymail.exceptions import AnymailRecipientsRefused

from newsletter import bounces
from newsletter.email_edition import (
    EXAMPLE_TOKEN,
    Edition,
    MessageTemplate,
    NewsletterSMTPBackend,
    message_id,
    render_edition,
    site_host,
)
from newsletter.models import NewsletterIssuePage
from newsletter.sending_models import Delivery, DeliveryEvent, Send
from subscriptions.models import Subscriber
from subscriptions.queries import confirmed_subscribers

logger = logging.getLogger(__name__)

Status = Delivery.Status

SEND_PERMISSION = "newsletter.send_issue"
MAX_TEST_ADDRESSES = 10
CREATE_CHUNK_SIZE = 2000
HEARTBEAT_SECONDS = 20
MAX_ATTEMPTS = 5
# Wait before attempt 2, 3, 4 and 5 after a temporary failure.
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
)
UNCERTAIN_NOTE = (
    "The worker stopped while this email was being sent, so it is being sent again: this "
    "person may get it twice."
)
PROVIDER_UNCERTAIN_NOTE = (
    "The email service took this email but did not answer in time, so it may have gone: it "
    "is not sent again, so that nobody gets it twice. The service's delivery reports will "
    "show whether it arrived."
)
LOG_SEND = "newsletter.send"
LOG_SEND_TEST = "newsletter.send_test"
LOG_SEND_FINISHED = "newsletter.send_finished"
LOG_SEND_CANCELLED = "newsletter.send_cancelled"


def batch_size():
    return int(getattr(settings, "NEWSLETTER_SEND_BATCH_SIZE", 500))


def lease():
    """How long a claimed batch may go without a heartbeat before others take it back."""
    return datetime.timedelta(seconds=int(getattr(settings, "NEWSLETTER_SEND_LEASE_SECONDS", 300)))


class SendRefused(Exception):
    """Why an issue cannot be sent now, in words for the editor."""


# --- Who gets it ---------------------------------------------------------------------------


def audience(*, issue, topics=None, resend=False):
    """Confirmed subscribers who would get this send: those who chose any of ``topics`` (all
    when none), and on a second send only those not yet sent this issue."""
    topics = list(topics or [])
    subscribers = confirmed_subscribers(topics=topics or None)
    if resend:
        had_it = Delivery.objects.filter(issue=issue, status=Status.SENT).values("subscriber_id")
        subscribers = subscribers.exclude(pk__in=had_it)
    return subscribers


def has_been_sent(issue):
    return Send.objects.filter(issue=issue).exists()


def unfinished_send(issue):
    return Send.objects.filter(issue=issue, finished_at__isnull=True).first()


def check_can_send(*, issue, resend=False):
    """Raise SendRefused unless this issue can be sent to subscribers now."""
    if not issue.live:
        raise SendRefused("Only a published issue can be sent. Publish it first.")
    if unfinished_send(issue) is not None:
        raise SendRefused(
            "This issue is being sent now. Wait for that send to finish (or stop it) before "
            "sending it again."
        )
    if has_been_sent(issue) and not resend:
        raise SendRefused(
            "This issue has been sent before. To send it to the subscribers who have not had "
            "it yet, choose 'Send again to those who have not had it'."
        )


def queue_send(*, issue, user=None, topics=(), resend=False, now=None):
    """Start sending ``issue`` to its confirmed subscribers; returns the Send.

    Raises SendRefused if the issue is not published, is being sent, or was sent before
    and ``resend`` is not set, or if nobody would get it.
    """
    now = now or timezone.now()
    topics = list(topics)
    with transaction.atomic():
        check_can_send(issue=issue, resend=resend)
        recipients = audience(issue=issue, topics=topics, resend=resend).count()
        if not recipients:
            raise SendRefused("Nobody would get this send: no confirmed subscriber is left.")
        try:
            with transaction.atomic():
                send = Send.objects.create(
                    issue=issue, requested_by=user, requested_at=now, resend=resend
                )
        except IntegrityError as error:  # someone pressed Send at the same moment
            raise SendRefused("This issue is being sent now.") from error
        send.topics.set(topics)
        log(
            instance=issue,
            action=LOG_SEND,
            user=user,
            data={
                "send_id": send.pk,
                "recipients": recipients,
                "topics": [topic.name for topic in topics],
                "resend": resend,
            },
        )
        _enqueue_with_commit("prepare_send", send_id=send.pk)
    return send


# --- Preparing -----------------------------------------------------------------------------


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def prepare(*, send_id, now=None):
    """Render the edition and create the deliveries of a send. Idempotent: a send already
    prepared is left as it is. Returns the number of deliveries the send has."""
    with transaction.atomic():
        send = (
            Send.objects.select_for_update(of=("self",))
            .select_related("issue")
            .filter(pk=send_id)
            .first()
        )
        if send is None or send.prepared_at is not None or send.finished_at is not None:
            return send.recipient_count if send else 0
        issue = send.issue
        if not issue.live:  # unpublished since the editor pressed Send: nothing goes out
            send.recipient_count = 0
            send.prepared_at = send.finished_at = send.cancelled_at = timezone.now()
            send.save()
            return 0
        edition = render_edition(issue)
        send.subject, send.text, send.html = edition.subject, edition.text, edition.html
        topics = list(send.topics.all())
        subscribers = audience(issue=issue, topics=topics, resend=send.resend)
        create_deliveries(send=send, subscribers=subscribers)
        if send.resend:
            # Those an earlier send failed, skipped or stopped before: theirs again, once.
            Delivery.objects.filter(
                issue=issue,
                status__in=[Status.FAILED, Status.SKIPPED, Status.CANCELLED],
                subscriber__in=subscribers,
            ).exclude(send=send).update(
                send=send,
                status=Status.QUEUED,
                attempts=0,
                next_attempt_at=None,
                claim="",
                claimed_at=None,
                error="",
            )
        send.recipient_count = send.deliveries.count()
        send.prepared_at = timezone.now() if now is None else now
        if not send.recipient_count:
            send.finished_at = send.prepared_at
        send.save()
        if send.recipient_count:
            _enqueue_with_commit("deliver_send", send_id=send.pk)
    return send.recipient_count


def start_delivery(*, send):
    """Deliver a send whose email and deliveries are already in place (a topic alert or a
    weekly digest): queued with the current transaction, like an issue's send."""
    _enqueue_with_commit("deliver_send", send_id=send.pk)


def create_deliveries(*, send, subscribers):
    """One queued delivery of ``send`` per subscriber in ``subscribers`` (a queryset), none
    for anyone who already has one for the issue (the unique constraint decides).

    One INSERT ... SELECT in the database: 100,000 rows in about a second, where creating
    them through bulk_create in chunks took 15 to 20 seconds and a model instance each.
    """
    rows = subscribers.order_by("pk").annotate(
        new_send=Value(send.pk),
        new_issue=Value(send.issue_id, output_field=IntegerField()),
        new_status=Value(Status.QUEUED),
        new_attempts=Value(0),
        new_text=Value(""),
    )
    select = rows.values_list(
        "new_send",
        "new_issue",
        "pk",
        "new_status",
        "new_attempts",
        "new_text",
        "new_text",
        "new_text",
    )
    sql, params = select.query.sql_with_params()
    table = Delivery._meta.db_table
    columns = (
        "send_id, issue_id, subscriber_id, status, attempts, claim, error, provider_message_id"
    )
    if db_connection.vendor == "postgresql":
        statement = f"INSERT INTO {table} ({columns}) {sql} ON CONFLICT DO NOTHING"
    elif db_connection.vendor == "sqlite":
        statement = f"INSERT OR IGNORE INTO {table} ({columns}) {sql}"
    else:  # any other database: through the ORM, in chunks
        ids = subscribers.values_list("pk", flat=True).iterator(chunk_size=CREATE_CHUNK_SIZE)
        for chunk in _chunks(ids, CREATE_CHUNK_SIZE):
            Delivery.objects.bulk_create(
                [Delivery(send=send, issue_id=send.issue_id, subscriber_id=pk) for pk in chunk],
                ignore_conflicts=True,
            )
        return
    with db_connection.cursor() as cursor:
        cursor.execute(statement, params)


# --- Delivering ----------------------------------------------------------------------------


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0
    claim_lost: bool = False


def _retry_at(attempts, now):
    """When to try again after ``attempts`` attempts, or None when it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


@dataclass(frozen=True)
class Failure:
    temporary: bool
    connection_broken: bool
    error: str


def classify(error):
    """How bad a sending error is: 4xx and network trouble are temporary, 5xx permanent."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        code = codes[0] if codes else 550
        text = "; ".join(f"{c} {m.decode(errors='replace')}" for c, m in error.recipients.values())
        return Failure(400 <= code < 500, False, f"Refused by the mail server: {text}")
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Failure(True, True, f"The mail server disconnected: {error}")
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
        # Our own address or login: nothing to do with this recipient, every message fails.
        return Failure(True, True, f"The mail server refused our sender or login: {error}")
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        message = error.smtp_error
        if isinstance(message, bytes):
            message = message.decode(errors="replace")
        return Failure(
            400 <= code < 500, code == 421, f"Refused by the mail server: {code} {message}"
        )
    if isinstance(error, ValueError):  # Django's check of the address
        return Failure(False, False, f"The email address cannot be used: {error}")
    if isinstance(error, OSError):  # refused, reset, timed out
        return Failure(True, True, f"Could not reach the mail server: {error}")
    if isinstance(error, AnymailRecipientsRefused):
        return Failure(False, False, f"Refused by the email service: {error}")
    return Failure(True, False, f"{type(error).__name__}: {error}")


def provider_may_have_sent(error):
    """True when an email service's call failed after it was given the request: its reply
    timed out, or the connection broke while waiting for it. The service may have sent the
    batch, so trying again could send it twice (not so when it could not be reached)."""
    if isinstance(error, requests.ReadTimeout):
        return True
    return isinstance(error, requests.ConnectionError) and any(
        isinstance(arg, urllib3.exceptions.ProtocolError) for arg in error.args
    )


def release_stale_claims(*, send_id, now=None):
    """Take back batches whose worker stopped renewing its claim; see the module docstring.

    The lowest-numbered row of each such batch may have been accepted by the mail server
    just before the worker died: it goes back with a note (and counts an attempt).
    Returns how many rows were taken back.
    """
    now = now or timezone.now()
    stale = Delivery.objects.filter(
        send_id=send_id, status=Status.CLAIMED, claimed_at__lt=now - lease()
    )
    released = 0
    for claim, first_pk in (
        stale.values("claim").annotate(first=Min("pk")).values_list("claim", "first").order_by()
    ):
        held = Delivery.objects.filter(claim=claim, status=Status.CLAIMED)
        held.filter(pk=first_pk).update(
            status=Status.QUEUED,
            claim="",
            claimed_at=None,
            attempts=F("attempts") + 1,
            error=UNCERTAIN_NOTE,
        )
        released += 1 + held.update(status=Status.QUEUED, claim="", claimed_at=None)
        logger.warning(
            "Newsletter send %s: took back batch %s from a stopped worker", send_id, claim
        )
    return released


def claim_batch(*, send_id, size=None, now=None, chain=False):
    """Claim up to ``size`` due deliveries of a send; returns (claim token, number claimed,
    number skipped). With ``chain``, the next deliver_send task is queued in the same
    transaction as the claim."""
    now = now or timezone.now()
    size = size or batch_size()
    token = uuid.uuid4().hex
    with transaction.atomic():
        release_stale_claims(send_id=send_id, now=now)
        due = (
            Delivery.objects.filter(send_id=send_id, status=Status.QUEUED)
            .exclude(next_attempt_at__gt=now)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        ids = list(due[:size])
        if not ids:
            return token, 0, 0
        claimed = Delivery.objects.filter(pk__in=ids, status=Status.QUEUED).update(
            status=Status.CLAIMED, claim=token, claimed_at=now
        )
        skipped = Delivery.objects.filter(
            claim=token, status=Status.CLAIMED, subscriber__suppressed_at__isnull=False
        ).update(
            status=Status.SKIPPED,
            claim="",
            error="Email to this address was stopped: it bounced or was reported as spam.",
        )
        skipped += (
            Delivery.objects.filter(claim=token, status=Status.CLAIMED)
            .exclude(subscriber__status=Subscriber.Status.CONFIRMED)
            .update(
                status=Status.SKIPPED,
                claim="",
                error="No longer subscribed when their turn came.",
            )
        )
        if chain:
            _enqueue("deliver_send", send_id=send_id)
    return token, claimed, skipped


def _load_template(send_id):
    send = Send.objects.only("subject", "text", "html", "issue_id", "kind").get(pk=send_id)
    edition = Edition(subject=send.subject, preheader="", text=send.text, html=send.html)
    return send, MessageTemplate(edition)


def deliver_batch(*, send_id, chain=False, mailer=None, clock=timezone.now):
    """Claim one batch of a send and send it; see the module docstring. Returns BatchResult."""
    result = BatchResult()
    send = Send.objects.filter(pk=send_id).only("finished_at", "cancelled_at").first()
    if send is None or send.finished_at is not None or send.cancelled_at is not None:
        return result
    token, result.claimed, result.skipped = claim_batch(send_id=send_id, now=clock(), chain=chain)
    if not result.claimed:
        return result
    result.claimed -= result.skipped
    rows = list(
        Delivery.objects.filter(claim=token, status=Status.CLAIMED)
        .order_by("pk")
        .values_list(
            "pk", "attempts", "error", "subscriber_id", "subscriber__email", "subscriber__token"
        )
    )
    send, template = _load_template(send_id)
    mailer = mailer or mail_connection()
    batching = provider_batching(mailer)
    try:
        mailer.open()
    except Exception as error:  # noqa: BLE001 - whatever stops us connecting, retry later
        failure = classify(error)
        _put_back(token, failure=failure, now=clock(), count_attempt=True, result=result)
        logger.warning("Newsletter send %s: %s", send_id, failure.error)
        return result
    batch = _Batch(send_id=send_id, token=token, result=result, clock=clock)
    try:
        with _quick_commits(), db_connection.cursor() as cursor:
            batch.cursor = cursor
            rows = [_Row(*values) for values in rows]
            if batching is not None:
                _send_through_provider(
                    batch, mailer, rows, send=send, template=template, batching=batching
                )
            else:
                _send_each(batch, mailer, rows, send=send, template=template)
    finally:
        try:
            mailer.close()
        except Exception:  # noqa: BLE001 - the batch is recorded; a failed QUIT changes nothing
            logger.warning("Newsletter send %s: closing the connection failed", send_id)
    finish_if_done(send_id=send_id, now=clock())
    return result


def _send_each(batch, mailer, rows, *, send, template):
    """One message per recipient: over SMTP (overlapped) or any other backend."""
    messages = (
        (
            row,
            template.email_for(
                to=row.address,
                token=row.token,
                message_id_value=message_id(
                    issue_id=send.issue_id,
                    subscriber_id=row.subscriber_id,
                    send_id=None if send.issue_id else send.pk,
                ),
            ),
        )
        for row in rows
    )
    if isinstance(mailer, NewsletterSMTPBackend):
        _send_overlapped(batch, mailer, messages)
    else:
        _send_one_by_one(batch, mailer, messages)


# --- Through an email service's batch API ---------------------------------------------------


@dataclass(frozen=True)
class ProviderBatching:
    """How an email service takes a batch in one API call: how a merge field is written in
    the message's text (``{}`` is the field's name) and the most recipients per call."""

    merge_field: str
    limit: int


# Email services (django-anymail's esp_name) that merge per-recipient values into a message
# written inline, with the most recipients their batch API takes per call. Others (Postmark
# and Amazon SES merge only into templates stored at the service) are sent one email per
# call. NEWSLETTER_PROVIDER_BATCHING adds or changes entries:
# {"SparkPost": {"merge_field": "{{{{{}}}}}", "limit": 1000}}.
PROVIDER_BATCHING = {
    "Mailgun": ProviderBatching(merge_field="%recipient.{}%", limit=1000),
    "Test": ProviderBatching(merge_field="{{{{{}}}}}", limit=500),  # anymail's test backend
}
PROVIDER_SENT = {"sent", "queued", "unknown"}
PROVIDER_REFUSED = {"rejected", "invalid"}


def provider_batching(mailer):
    """The ProviderBatching of ``mailer`` when it is an email service that sends a batch in
    one API call, else None (SMTP, the test outbox, services without inline merging)."""
    esp_name = getattr(mailer, "esp_name", None)
    if esp_name is None:
        return None
    configured = {
        name: ProviderBatching(**spec)
        for name, spec in getattr(settings, "NEWSLETTER_PROVIDER_BATCHING", {}).items()
    }
    return {**PROVIDER_BATCHING, **configured}.get(esp_name)


def _send_through_provider(batch, mailer, rows, *, send, template, batching):
    """The batch as one API call per ``batching.limit`` recipients; each row marked from the
    service's answer for its address.

    The one-message window of SMTP is here one call wide: if the worker dies after the
    service accepted a call and before its rows are marked, those rows are sent again when
    the claim is taken back (with the same Message-ID each). A call whose reply is lost
    (timed out, or the connection broke after the request went) is not retried: its rows
    are marked sent with PROVIDER_UNCERTAIN_NOTE, and the rest of the batch put back.
    """
    for number, chunk in enumerate(_chunks(rows, batching.limit)):
        try:
            batch.heartbeat()
        except _ClaimLost:
            batch.lost()
            return
        message = template.batch_email(
            recipients=[
                (
                    row.address,
                    row.token,
                    message_id(
                        issue_id=send.issue_id,
                        subscriber_id=row.subscriber_id,
                        send_id=None if send.issue_id else send.pk,
                    ),
                    {bounces.DELIVERY_METADATA_KEY: str(row.pk)},
                )
                for row in chunk
            ],
            merge_field=batching.merge_field,
        )
        try:
            mailer.send_messages([message])
        except AnymailRecipientsRefused:
            pass  # every address refused: the answer per address is on the message
        except Exception as error:  # noqa: BLE001 - classified
            failure = classify(error)
            if provider_may_have_sent(error):
                # As with SMTP's one uncertain email, but a call wide: recorded, not resent.
                try:
                    batch.mark_uncertain(chunk)
                except _ClaimLost:
                    batch.lost()
                    return
            else:
                for row in chunk:
                    batch.failed(row, error, put_back=False)
            if number * batching.limit + len(chunk) < len(rows):
                _put_back(
                    batch.token,
                    failure=failure,
                    now=batch.clock(),
                    count_attempt=False,
                    result=batch.result,
                )
            logger.warning("Newsletter send %s: %s", batch.send_id, failure.error)
            return
        answers = {
            address.lower(): status
            for address, status in (message.anymail_status.recipients or {}).items()
        }
        try:
            batch.mark_from_provider(chunk, answers)
        except _ClaimLost:
            batch.lost()
            return


@dataclass(frozen=True)
class _Row:
    pk: int
    attempts: int
    error: str
    subscriber_id: int
    address: str
    token: str


class _ClaimLost(Exception):
    """Our claim on the batch was taken back (we were too slow): the rest is not ours."""


@dataclass
class _Batch:
    """The bookkeeping of one batch being sent: marks, failures, the claim's heartbeat."""

    send_id: int
    token: str
    result: BatchResult
    clock: object
    cursor: object = None
    last_heartbeat: object = None

    def heartbeat(self):
        now = self.clock()
        if self.last_heartbeat is None:
            self.last_heartbeat = now
        elif (now - self.last_heartbeat).total_seconds() >= HEARTBEAT_SECONDS:
            held = Delivery.objects.filter(claim=self.token, status=Status.CLAIMED)
            if not held.update(claimed_at=now):
                raise _ClaimLost
            self.last_heartbeat = now

    def mark_sent(self, row):
        """Committed before the next email's content goes: see "The one-message window"."""
        # A note that this person may have had it twice stays; an old error goes.
        self.cursor.execute(
            MARK_SENT,
            [
                Status.SENT,
                db_connection.ops.adapt_datetimefield_value(self.clock()),
                row.attempts + 1,
                UNCERTAIN_NOTE if row.error == UNCERTAIN_NOTE else "",
                row.pk,
                self.token,
                Status.CLAIMED,
            ],
        )
        if self.cursor.rowcount != 1:
            raise _ClaimLost
        self.result.sent += 1

    def failed(self, row, error, *, put_back=True):
        """Record a failed email; True when the connection is broken (stop the batch).

        An address the mail server refuses for good (a 5xx reply to RCPT TO) is suppressed:
        newsletter/bounces.py records it as a hard bounce."""
        failure = classify(error)
        _record_failure(row.pk, self.token, row.attempts, failure, self.clock(), self.result)
        if isinstance(error, smtplib.SMTPRecipientsRefused) and not failure.temporary:
            self.refused(row, failure.error)
        if failure.connection_broken and put_back:
            _put_back(
                self.token,
                failure=failure,
                now=self.clock(),
                count_attempt=False,
                result=self.result,
            )
        return failure.connection_broken

    def refused(self, row, reason):
        bounces.record_refusal(
            delivery_id=row.pk,
            send_id=self.send_id,
            subscriber_id=row.subscriber_id,
            address=row.address,
            reason=reason,
            now=self.clock(),
        )

    def mark_uncertain(self, rows):
        """Mark a provider call's rows as sent with PROVIDER_UNCERTAIN_NOTE: the service was
        given them and its answer was lost. Raises _ClaimLost if rows were taken back."""
        marked = Delivery.objects.filter(
            pk__in=[row.pk for row in rows], claim=self.token, status=Status.CLAIMED
        ).update(
            status=Status.SENT,
            sent_at=self.clock(),
            claim="",
            attempts=F("attempts") + 1,
            error=PROVIDER_UNCERTAIN_NOTE,
        )
        self.result.sent += marked
        if marked != len(rows):
            raise _ClaimLost

    def mark_from_provider(self, rows, answers):
        """Mark each row of a provider batch from the service's answer for its address:
        accepted -> sent (with the service's message id, to match its later reports);
        refused -> failed and the address suppressed; failed -> tried again later.
        Raises _ClaimLost if someone took rows of the batch back meanwhile."""
        now = self.clock()
        accepted = {}
        for row in rows:
            answer = answers.get(row.address.lower())
            status = getattr(answer, "status", None) or "unknown"
            if status in PROVIDER_SENT:
                provider_id = getattr(answer, "message_id", None)
                provider_id = "" if provider_id is None else str(provider_id)
                accepted.setdefault(provider_id, []).append(row)
            elif status in PROVIDER_REFUSED:
                reason = f"Refused by the email service: {status}"
                failure = Failure(False, False, reason)
                _record_failure(row.pk, self.token, row.attempts, failure, now, self.result)
                self.refused(row, reason)
            else:
                failure = Failure(True, False, f"The email service could not send it: {status}")
                _record_failure(row.pk, self.token, row.attempts, failure, now, self.result)
        marked = 0
        with transaction.atomic():
            for provider_id, group in accepted.items():
                marked += Delivery.objects.filter(
                    pk__in=[row.pk for row in group], claim=self.token, status=Status.CLAIMED
                ).update(
                    status=Status.SENT,
                    sent_at=now,
                    claim="",
                    attempts=F("attempts") + 1,
                    provider_message_id=provider_id[:255],
                    # A note that this person may have had it twice stays; an old error goes.
                    error=Case(
                        When(error=UNCERTAIN_NOTE, then=Value(UNCERTAIN_NOTE)), default=Value("")
                    ),
                )
        self.result.sent += marked
        if marked != sum(len(group) for group in accepted.values()):
            raise _ClaimLost

    def lost(self):
        self.result.claim_lost = True
        logger.error("Newsletter send %s: lost the claim on batch %s", self.send_id, self.token)


def _send_one_by_one(batch, mailer, messages):
    """Any email backend (django-anymail's providers, the test outbox): send, then mark."""
    try:
        for row, message in messages:
            batch.heartbeat()
            try:
                mailer.send_messages([message])
            except Exception as error:  # noqa: BLE001 - classified
                if batch.failed(row, error):
                    return
                continue
            batch.mark_sent(row)
            status = getattr(message, "anymail_status", None)  # django-anymail's answer
            if status is not None and status.message_id is not None:
                Delivery.objects.filter(pk=row.pk).update(
                    provider_message_id=str(status.message_id)[:255]
                )
    except _ClaimLost:
        batch.lost()


def _send_overlapped(batch, mailer, messages):
    """SMTP: while the previous email's mark is written to the database, this email's
    envelope (MAIL FROM, RCPT TO: nothing is delivered by these) is exchanged on another
    thread; its content (DATA) is sent only once that mark is committed. The database and
    the mail server work at the same time, and still at most one email at a time is
    accepted but not yet marked."""
    accepted = None  # the email the server accepted that is not marked yet
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsletter-smtp") as envelope:
        try:
            for row, message in messages:
                batch.heartbeat()
                started = envelope.submit(mailer.begin, message)
                try:
                    if accepted is not None:
                        batch.mark_sent(accepted)
                        accepted = None
                finally:
                    # Never leave the other thread talking to the server on its own.
                    begun = _outcome(started)
                if isinstance(begun, Exception):
                    if batch.failed(row, begun):
                        return
                    continue
                try:
                    mailer.finish(begun)
                except Exception as error:  # noqa: BLE001 - classified
                    if batch.failed(row, error):
                        return
                    continue
                accepted = row
            if accepted is not None:
                batch.mark_sent(accepted)
        except _ClaimLost:
            batch.lost()


def _outcome(future):
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - handed back to be classified
        return error


# The one write per email, in SQL: the ORM would build the same UPDATE afresh each time.
# The table name is the model's; every value is a parameter.
MARK_SENT = (
    f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, claim = '', "  # noqa: S608
    "attempts = %s, error = %s WHERE id = %s AND claim = %s AND status = %s"
)


@contextmanager
def _quick_commits():
    """On PostgreSQL, the "sent" marks of a batch are committed without waiting for the disk
    (synchronous_commit = off for this connection while the batch runs).

    What it changes: a COMMIT returns once PostgreSQL has the change, not once it is on
    disk (a few milliseconds per email on a slow disk, most of the time a batch takes).
    What it does not change: if the worker dies, every mark it committed is kept; the
    one-message window above is the same. What it risks: if PostgreSQL itself (or the
    machine) crashes, the marks of the last fraction of a second (at most three times
    wal_writer_delay, 0.6 s by default) can be lost, and those emails are sent again after
    the lease, with the same Message-ID. NEWSLETTER_SEND_SYNCHRONOUS_COMMIT = True keeps
    every mark on disk before the next email, at that cost in speed.
    """
    quick = db_connection.vendor == "postgresql" and not getattr(
        settings, "NEWSLETTER_SEND_SYNCHRONOUS_COMMIT", False
    )
    if quick:
        with db_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        if quick:
            try:
                with db_connection.cursor() as cursor:
                    cursor.execute("RESET synchronous_commit")
            except Exception:  # noqa: BLE001 - a broken connection is closed anyway
                logger.warning("Could not reset synchronous_commit")


def _record_failure(pk, token, attempts, failure, now, result):
    attempts += 1
    retry_at = _retry_at(attempts, now) if failure.temporary else None
    row = Delivery.objects.filter(pk=pk, claim=token, status=Status.CLAIMED)
    if retry_at is None:
        row.update(status=Status.FAILED, claim="", attempts=attempts, error=failure.error)
        result.failed += 1
    else:
        row.update(
            status=Status.QUEUED,
            claim="",
            claimed_at=None,
            attempts=attempts,
            next_attempt_at=retry_at,
            error=failure.error,
        )
        result.retrying += 1


def _put_back(token, *, failure, now, count_attempt, result):
    """The rest of a batch back in the queue after the connection failed. Counting an
    attempt (we could not connect at all) makes a mail server that stays down end, after
    MAX_ATTEMPTS, in failures an editor can see rather than retries for ever."""
    held = Delivery.objects.filter(claim=token, status=Status.CLAIMED)
    if count_attempt:
        for pk, attempts in held.values_list("pk", "attempts"):
            _record_failure(pk, token, attempts, failure, now, result)
        return
    result.retrying += held.update(
        status=Status.QUEUED,
        claim="",
        claimed_at=None,
        next_attempt_at=now + RETRY_DELAYS[0],
        error=failure.error,
    )


def next_wake(*, send_id, now=None):
    """When there may next be something to claim: a retry falling due or a claim expiring.
    None when nothing is left."""
    now = now or timezone.now()
    waiting = Delivery.objects.filter(send_id=send_id, status=Status.QUEUED)
    if waiting.exclude(next_attempt_at__gt=now).exists():
        return now
    times = []
    retry = waiting.aggregate(at=Min("next_attempt_at"))["at"]
    if retry:
        times.append(retry)
    claimed = Delivery.objects.filter(send_id=send_id, status=Status.CLAIMED).aggregate(
        at=Min("claimed_at")
    )["at"]
    if claimed:
        times.append(claimed + lease() + datetime.timedelta(seconds=1))
    return min(times) if times else None


def finish_if_done(*, send_id, now=None):
    """Mark the send finished when no delivery is queued or being sent. True if it is."""
    now = now or timezone.now()
    if Delivery.objects.filter(
        send_id=send_id, status__in=[Status.QUEUED, Status.CLAIMED]
    ).exists():
        return False
    with transaction.atomic():
        finished = Send.objects.filter(
            pk=send_id, finished_at__isnull=True, prepared_at__isnull=False
        ).update(finished_at=now)
        send = Send.objects.select_related("issue").get(pk=send_id) if finished else None
        if send is not None and send.issue is not None:
            counts = progress(send)
            log(
                instance=send.issue,
                action=LOG_SEND_FINISHED,
                data={
                    "send_id": send_id,
                    "sent": counts.sent,
                    "failed": counts.failed,
                    "skipped": counts.skipped,
                    "cancelled": counts.cancelled,
                },
            )
    return True


def run_delivery(*, send_id, chain):
    """What the deliver_send task does. Chaining (the database task backend): one batch,
    the next task queued with the claim, or a later wake-up when nothing is due yet.
    Without it (tasks run at once): batches until nothing is due."""
    if chain:
        result = deliver_batch(send_id=send_id, chain=True)
        nothing_claimed = not result.claimed and not result.skipped
        if nothing_claimed and not finish_if_done(send_id=send_id):
            wake = next_wake(send_id=send_id)
            if wake is not None:
                _enqueue("deliver_send", send_id=send_id, run_after=wake)
        return result
    total = BatchResult()
    while True:
        result = deliver_batch(send_id=send_id)
        for name in ("claimed", "sent", "failed", "retrying", "skipped"):
            setattr(total, name, getattr(total, name) + getattr(result, name))
        if not (result.claimed or result.skipped):
            finish_if_done(send_id=send_id)
            return total


def resume(*, send_id, only_if_stalled=False, now=None):
    """Carry on with a send that stopped (a worker was killed, retries are due): take back
    stale claims and queue delivery again. Sends only what is not yet sent. With
    ``only_if_stalled`` (the periodic check), leaves alone a send that is making progress or
    has nothing due yet. Returns whether a task was queued."""
    now = now or timezone.now()
    send = Send.objects.filter(pk=send_id).first()
    if send is None or send.finished_at is not None:
        return False
    if send.prepared_at is None:
        if only_if_stalled and send.requested_at > now - lease():
            return False
        _enqueue("prepare_send", send_id=send_id)
        return True
    released = release_stale_claims(send_id=send_id, now=now)
    if finish_if_done(send_id=send_id, now=now):
        return False
    if only_if_stalled and not released:
        # A batch being sent now (its claim is live) means the chain of tasks is alive.
        active = Delivery.objects.filter(send_id=send_id, status=Status.CLAIMED).exists()
        wake = next_wake(send_id=send_id, now=now)
        if active or wake is None or wake > now:
            return False
    _enqueue("deliver_send", send_id=send_id)
    return True


def cancel(*, send, user=None, now=None):
    """Stop a send: whoever has not been sent it yet will not be (a later send can reach
    them). Batches already being sent finish. Returns how many deliveries were cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        send = Send.objects.select_for_update(of=("self",)).select_related("issue").get(pk=send.pk)
        if send.finished_at is not None or send.cancelled_at is not None:
            return 0
        cancelled = send.deliveries.filter(status=Status.QUEUED).update(
            status=Status.CANCELLED, error="The send was stopped by an editor."
        )
        send.cancelled_at, send.cancelled_by = now, user
        if send.prepared_at is None:
            send.finished_at = now
        send.save(update_fields=["cancelled_at", "cancelled_by", "finished_at"])
        if send.issue is not None:
            log(
                instance=send.issue,
                action=LOG_SEND_CANCELLED,
                user=user,
                data={"send_id": send.pk, "cancelled": cancelled},
            )
    finish_if_done(send_id=send.pk, now=now)
    return cancelled


# --- Personal data ------------------------------------------------------------------------


def purge_old_deliveries(*, now=None, days=None):
    """Forget who was sent what once a send finished more than ``days`` ago, and the email
    services' reports older than that (the
    NEWSLETTER_DELIVERY_RETENTION_DAYS setting, a year by default). The send itself and the
    issue's history keep the totals; after this, sending that issue again would reach
    everyone. Returns how many deliveries were deleted."""
    now = now or timezone.now()
    if days is None:
        days = int(getattr(settings, "NEWSLETTER_DELIVERY_RETENTION_DAYS", 365))
    cutoff = now - datetime.timedelta(days=days)
    deleted, _ = Delivery.objects.filter(send__finished_at__lt=cutoff).delete()
    # The email services' reports (bounces, complaints) name people too: kept as long.
    events, _ = DeliveryEvent.objects.filter(occurred_at__lt=cutoff).delete()
    return deleted + events


# --- Progress ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    total: int
    queued: int
    sending: int
    sent: int
    failed: int
    skipped: int
    cancelled: int
    waiting_retry: int
    prepared: bool
    finished: bool
    stopped: bool = False

    @property
    def remaining(self):
        return self.queued + self.sending

    @property
    def done(self):
        return self.total - self.remaining

    @property
    def percent(self):
        """How much of the send is done, 0 to 100; None while the recipients are still
        being found, and for a send that had nobody to send to, when there is no amount."""
        if not self.prepared or not self.total:
            return None
        return int(100 * self.done / self.total)

    @property
    def state(self):
        """What the progress page says, in words."""
        if self.finished and not self.total:
            return "Stopped: nothing was sent" if self.stopped else "Finished: nobody to send to"
        if self.finished:
            word = "Stopped" if self.stopped else "Finished"
            return f"{word}: {self.percent}% done"
        if not self.prepared:
            return "Getting ready: finding the subscribers to send to"
        return f"Sending: {self.percent}% done"

    def as_dict(self):
        return {
            "total": self.total,
            "queued": self.queued,
            "sending": self.sending,
            "sent": self.sent,
            "failed": self.failed,
            "skipped": self.skipped,
            "cancelled": self.cancelled,
            "waiting_retry": self.waiting_retry,
            "remaining": self.remaining,
            "percent": self.percent,
            "prepared": self.prepared,
            "finished": self.finished,
            "stopped": self.stopped,
            "state": self.state,
        }


def progress(send, *, now=None):
    """How a send is going, in two queries however many recipients it has."""
    now = now or timezone.now()
    counts = dict(send.deliveries.values_list("status").annotate(n=Count("pk")).order_by())
    waiting = send.deliveries.filter(status=Status.QUEUED, next_attempt_at__gt=now).count()
    return Progress(
        total=sum(counts.values()),
        queued=counts.get(Status.QUEUED, 0),
        sending=counts.get(Status.CLAIMED, 0),
        sent=counts.get(Status.SENT, 0),
        failed=counts.get(Status.FAILED, 0),
        skipped=counts.get(Status.SKIPPED, 0),
        cancelled=counts.get(Status.CANCELLED, 0),
        waiting_retry=waiting,
        # Deliveries exist only once the send is prepared, whatever the row in hand says.
        prepared=send.prepared_at is not None or bool(counts),
        finished=send.finished_at is not None,
        stopped=send.cancelled_at is not None,
    )


def failure_reasons(send, *, limit=5):
    """The commonest errors of a send's failed deliveries, without anyone's address."""
    return list(
        send.deliveries.filter(status=Status.FAILED)
        .values_list("error")
        .annotate(n=Count("pk"))
        .order_by("-n")[:limit]
    )


# --- Test emails ---------------------------------------------------------------------------


def clean_test_addresses(raw):
    """Addresses typed by an editor (commas, spaces or lines between them), checked.

    Raises ValidationError with a message for the field.
    """
    addresses = []
    for part in raw.replace(",", " ").replace(";", " ").split():
        address = part.strip()
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                f"“{address}” is not an email address. Enter addresses like name@example.org."
            ) from None
        if address.lower() not in {a.lower() for a in addresses}:
            addresses.append(address)
    if not addresses:
        raise ValidationError("Enter at least one email address to send the test to.")
    if len(addresses) > MAX_TEST_ADDRESSES:
        raise ValidationError(f"Enter at most {MAX_TEST_ADDRESSES} addresses.")
    return addresses


def send_test(*, issue, addresses, user=None, queue=True):
    """Send a test email of the issue to ``addresses`` (already cleaned) and note it in the
    issue's history: through the task queue, or at once with ``queue=False`` (the command).
    Raises SendRefused unless the issue is published. Returns how many addresses."""
    if not issue.live:
        raise SendRefused("Only a published issue can be sent. Publish it first.")
    with transaction.atomic():
        log(
            instance=issue,
            action=LOG_SEND_TEST,
            user=user,
            data={"recipients": len(addresses)},
        )
        if queue:
            _enqueue_with_commit("send_test_email", issue_id=issue.pk, addresses=list(addresses))
    if not queue:
        deliver_test(issue_id=issue.pk, addresses=list(addresses))
    return len(addresses)


def deliver_test(*, issue_id, addresses):
    """Send the test emails (the task). The links in them are those of the subscriber with
    that address if there is one, else example links that lead nowhere."""
    issue = NewsletterIssuePage.objects.live().filter(pk=issue_id).first()
    if issue is None:
        return 0
    edition = render_edition(issue)
    edition = replace(edition, subject=f"[Test] {edition.subject}")
    template = MessageTemplate(edition)
    tokens = {
        email.lower(): token
        for email, token in Subscriber.objects.filter(
            email__in=addresses, status=Subscriber.Status.CONFIRMED
        ).values_list("email", "token")
    }
    messages = [
        template.email_for(
            to=address,
            token=tokens.get(address.lower(), EXAMPLE_TOKEN),
            message_id_value=f"<newsletter-test-{uuid.uuid4().hex}@{site_host()}>",
        )
        for address in addresses
    ]
    return mail_connection().send_messages(messages)


def mail_connection():
    """The configured email backend, not yet opened. Django 6.1 deprecates get_connection()
    for MAILERS, which the site does not use yet (see lscp_site/settings/base.py: under
    MAILERS, Wagtail's own emails lose the SMTP login)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RemovedInDjango2028Warning)
        if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
            return NewsletterSMTPBackend()
        return get_connection()


# --- Tasks ---------------------------------------------------------------------------------


def _enqueue(task_name, *, run_after=None, **kwargs):
    task = TASKS[task_name]
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return None  # resume_sends (every few minutes) picks it up
        task = task.using(run_after=run_after)
    return task.enqueue(**kwargs)


def _enqueue_with_commit(task_name, **kwargs):
    """Queue a task so that it exists if and only if the current transaction commits.

    With the database task backend the queue is a table in the same database: queued now,
    it is committed (or rolled back) with the rows it is about. Backends that run tasks at
    once (the tests, a development machine) run it once the transaction has committed.
    """
    if chaining():
        _enqueue(task_name, **kwargs)
    else:
        transaction.on_commit(lambda: _enqueue(task_name, **kwargs))


def chaining():
    """Whether deliver_send should hand each batch to a new task (a real queue) or loop."""
    return deliver_send.get_backend().supports_defer


def unfinished_sends():
    return Send.objects.filter(finished_at__isnull=True).order_by("pk")


# --- The worker's side ---------------------------------------------------------------------
# Sending tasks run at a lower priority than the site's one-off emails (sign-up
# confirmations, booking emails), so a long send never holds those up: the worker takes them
# between two batches. Tasks take ids and read the rows when they run.

SENDING_PRIORITY = -10


@task(priority=SENDING_PRIORITY)
def prepare_send(*, send_id):
    """Render the edition and queue one delivery per recipient; then start delivering."""
    return prepare(send_id=send_id)


@task(priority=SENDING_PRIORITY)
def deliver_send(*, send_id):
    """Send one batch (or, when tasks run at once, every batch) of a send."""
    result = run_delivery(send_id=send_id, chain=chaining())
    return {"claimed": result.claimed, "sent": result.sent, "failed": result.failed}


@task
def send_test_email(*, issue_id, addresses):
    return deliver_test(issue_id=issue_id, addresses=addresses)


@task
def resume_sends():
    """Run every few minutes (settings.PERIODIC_TASKS): carries on any send that stopped (a
    worker was killed mid-batch, retries fell due while tasks ran at once). Harmless when all
    is well: a delivery task that finds nothing to claim ends at once."""
    resumed = 0
    for send in unfinished_sends():
        resumed += resume(send_id=send.pk, only_if_stalled=True)
    return resumed


# The tasks _enqueue queues, by the names used in this module.
TASKS = {
    "prepare_send": prepare_send,
    "deliver_send": deliver_send,
    "send_test_email": send_test_email,
}
