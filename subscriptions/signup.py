"""The rules of the email sign-up, in one place.

Views, the Wagtail admin, commands and tasks call these functions; none repeats their rules.
Each write is one transaction that locks the subscriber's row, and the database keeps one
subscriber per address whatever its case, so simultaneous identical sign-ups end with one
subscriber and no error.

Emails are queued inside the same transaction: the task queue is a table in the same
database (django-tasks-db), so an email is queued if and only if the change that needs it
is committed. Nobody learns from these functions' callers whether an address subscribes:
the public replies are the same whatever the outcome returned here.

The public forms do not call these directly: they queue them (subscriptions/queued.py), so
what differs between a new, pending, confirmed or unsubscribed address (rows written, emails
chosen) happens in the background and neither the reply nor its timing depends on it.
"""

import datetime
import enum
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone

from lscp_site.email import validate_deliverable_address
from subscriptions import consent, suppression, tasks
from subscriptions.models import ConsentRecord, StatusChange, Subscriber
from subscriptions.signals import subscriber_erasing, subscriber_exporting
from subscriptions.tokens import LinkExpired, LinkGone, LinkInvalid, read_confirmation_token

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path, less the angle brackets
# However often the forms are sent, one address gets at most one sign-up email in this time,
# so nobody can use the forms to flood someone's inbox.
EMAIL_INTERVAL = datetime.timedelta(minutes=5)
MAX_SOURCE_LENGTH = 500

ERROR_EMAIL_MISSING = "Enter your email address"
ERROR_EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.org"
ERROR_EMAIL_TOO_LONG = f"Enter an email address of {MAX_EMAIL_LENGTH} characters or fewer"
ERROR_NO_TOPIC = "Choose at least one topic"

Status = Subscriber.Status

__all__ = [
    "LinkExpired",
    "LinkGone",
    "LinkInvalid",
    "NotSubscribed",
    "Outcome",
    "Result",
    "check_confirmation",
    "clean_email",
    "confirm",
    "erase_subscriber",
    "export_subscriber_data",
    "send_manage_link",
    "subscribe",
    "unsubscribe",
    "update_preferences",
]


class Outcome(enum.StrEnum):
    SUBSCRIBED = "subscribed"  # new address: pending, confirmation emailed
    STILL_PENDING = "still_pending"  # not yet confirmed: topics and consent updated
    RESUBSCRIBED = "resubscribed"  # had unsubscribed: pending again with fresh consent
    ALREADY_CONFIRMED = "already_confirmed"  # nothing changed: preferences link emailed
    CONFIRMED = "confirmed"
    UNSUBSCRIBED = "unsubscribed"
    NO_CHANGE = "no_change"


@dataclass(frozen=True)
class Result:
    subscriber: Subscriber
    outcome: Outcome
    emailed: bool = False


class NotSubscribed(Exception):
    """The change needs a confirmed subscriber."""


def clean_email(email):
    """The address trimmed, or ValidationError with the message to show beside the field."""
    email = (email or "").strip()
    if not email:
        raise ValidationError(ERROR_EMAIL_MISSING, code="required")
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValidationError(ERROR_EMAIL_TOO_LONG, code="max_length")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(ERROR_EMAIL_FORMAT, code="invalid") from None
    validate_deliverable_address(email)
    return email


def clean_source_url(source_url):
    """A path on this site for the consent record; anything else becomes '/subscribe/'."""
    source_url = (source_url or "").strip()
    if (
        not source_url.startswith("/")
        or source_url.startswith("//")
        or "\\" in source_url
        or len(source_url) > MAX_SOURCE_LENGTH
    ):
        return "/subscribe/"
    return source_url


def for_email(email):
    """Subscribers with this address, compared as the unique index compares them."""
    return Subscriber.objects.alias(email_key=Lower("email")).filter(
        email_key=Lower(Value(email.strip()))
    )


def _lock_or_create(email, now):
    subscriber = for_email(email).select_for_update().first()
    if subscriber is not None:
        return subscriber, False
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=email, signed_up_at=now), True
    except IntegrityError:
        # Someone else created it since our SELECT; their row is committed now.
        return for_email(email).select_for_update().get(), False


def _lock(subscriber):
    return Subscriber.objects.select_for_update().get(pk=subscriber.pk)


def _claim_email(subscriber, now):
    """True (and note the time) unless this subscriber was emailed within EMAIL_INTERVAL."""
    last = subscriber.last_emailed_at
    if last is not None and now - last < EMAIL_INTERVAL:
        return False
    subscriber.last_emailed_at = now
    subscriber.save(update_fields=["last_emailed_at"])
    return True


def _record_status(subscriber, status, now, note):
    StatusChange.objects.create(subscriber=subscriber, status=status, changed_at=now, note=note)


def subscribe(*, email, topics, source_url, consent_version=None, now=None):
    """Sign ``email`` up for ``topics`` (Topic objects) with the consent shown on a page.

    New, pending or unsubscribed addresses become pending with a new consent record and a
    confirmation email. A confirmed address changes nothing and is emailed a link to its
    preferences instead: a form anyone can fill in must not change someone's choices.
    Raises ValidationError for a bad address or no topic.
    """
    email = clean_email(email)
    topics = list(topics)
    if not topics:
        raise ValidationError({"topics": ERROR_NO_TOPIC})
    wording = consent.wording_for(consent_version)
    now = now or timezone.now()

    with transaction.atomic():
        subscriber, created = _lock_or_create(email, now)
        if subscriber.status == Status.CONFIRMED and not subscriber.is_suppressed:
            emailed = _claim_email(subscriber, now)
            if emailed:
                tasks.send_preferences_email.enqueue(subscriber_id=subscriber.pk)
            return Result(subscriber, Outcome.ALREADY_CONFIRMED, emailed)

        if created:
            outcome = Outcome.SUBSCRIBED
            _record_status(subscriber, Status.PENDING, now, "Signed up")
        elif subscriber.status == Status.UNSUBSCRIBED:
            outcome = Outcome.RESUBSCRIBED
            subscriber.status = Status.PENDING
            subscriber.confirmed_at = None
            subscriber.unsubscribed_at = None
            _record_status(subscriber, Status.PENDING, now, "Signed up again")
        elif subscriber.status == Status.CONFIRMED:
            # Email to the address was stopped (it bounced, or someone complained): the
            # person confirms again from the emailed link to show it works.
            outcome = Outcome.RESUBSCRIBED
            subscriber.status = Status.PENDING
            subscriber.confirmed_at = None
            _record_status(subscriber, Status.PENDING, now, "Signed up again after email stopped")
        else:
            outcome = Outcome.STILL_PENDING
        subscriber.signed_up_at = now
        subscriber.save(update_fields=["status", "signed_up_at", "confirmed_at", "unsubscribed_at"])
        subscriber.topics.set(topics)
        record = ConsentRecord.objects.create(
            subscriber=subscriber,
            wording_version=wording.version,
            wording=wording.text,
            given_at=now,
            source_url=clean_source_url(source_url),
            topic_names=[topic.name for topic in topics],
        )
        emailed = _claim_email(subscriber, now)
        if emailed:
            tasks.send_confirmation_email.enqueue(subscriber_id=subscriber.pk, consent_id=record.pk)
        return Result(subscriber, outcome, emailed)


def check_confirmation(*, token):
    """The (subscriber, consent record) a confirmation link is for, changing nothing.

    Raises LinkExpired, LinkInvalid, or LinkGone when the sign-up was since deleted.
    """
    subscriber_id, consent_id = read_confirmation_token(token)
    record = (
        ConsentRecord.objects.select_related("subscriber")
        .filter(pk=consent_id, subscriber_id=subscriber_id)
        .first()
    )
    if record is None:
        raise LinkGone("no such sign-up")
    return record.subscriber, record


def confirm(*, token, now=None):
    """Confirm the sign-up a link is for. Confirming twice is harmless.

    An address that unsubscribed after the link was sent stays unsubscribed.
    Raises LinkExpired, LinkInvalid or LinkGone like ``check_confirmation``.
    """
    subscriber_id, consent_id = read_confirmation_token(token)
    now = now or timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        record = ConsentRecord.objects.filter(pk=consent_id, subscriber_id=subscriber_id).first()
        if subscriber is None or record is None:
            raise LinkGone("no such sign-up")
        if subscriber.status == Status.CONFIRMED:
            return Result(subscriber, Outcome.ALREADY_CONFIRMED)
        if subscriber.status == Status.UNSUBSCRIBED:
            return Result(subscriber, Outcome.UNSUBSCRIBED)
        subscriber.status = Status.CONFIRMED
        subscriber.confirmed_at = now
        subscriber.save(update_fields=["status", "confirmed_at"])
        suppression.lift(subscriber, now=now)
        record.confirmed_at = now
        record.save(update_fields=["confirmed_at"])
        _record_status(subscriber, Status.CONFIRMED, now, "Confirmed from the emailed link")
        return Result(subscriber, Outcome.CONFIRMED)


def update_preferences(*, subscriber, topics):
    """Replace a confirmed subscriber's topics. At least one topic: no topic is unsubscribe.

    Raises NotSubscribed unless the subscriber is confirmed, ValidationError for no topic.
    """
    topics = list(topics)
    if not topics:
        raise ValidationError({"topics": ERROR_NO_TOPIC})
    with transaction.atomic():
        subscriber = _lock(subscriber)
        if subscriber.status != Status.CONFIRMED:
            raise NotSubscribed(subscriber.status)
        subscriber.topics.set(topics)
        return Result(subscriber, Outcome.CONFIRMED)


def unsubscribe(*, subscriber, note="Unsubscribed", now=None):
    """Stop all email to this subscriber at once. Unsubscribing twice changes nothing.

    The row stays, marked unsubscribed, so the address is never emailed by mistake.
    """
    now = now or timezone.now()
    with transaction.atomic():
        subscriber = _lock(subscriber)
        if subscriber.status == Status.UNSUBSCRIBED:
            return Result(subscriber, Outcome.NO_CHANGE)
        subscriber.status = Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = now
        subscriber.save(update_fields=["status", "unsubscribed_at"])
        _record_status(subscriber, Status.UNSUBSCRIBED, now, note)
        return Result(subscriber, Outcome.UNSUBSCRIBED)


def send_manage_link(*, email, now=None):
    """Email a way back in to whoever owns ``email``, if it is on the list.

    Confirmed: a link to their preferences. Pending: a fresh confirmation link. Unknown or
    unsubscribed: nothing. Returns the Result, or None when nothing was sent.
    Raises ValidationError for a malformed address.
    """
    email = clean_email(email)
    now = now or timezone.now()
    with transaction.atomic():
        subscriber = for_email(email).select_for_update().first()
        if subscriber is None or subscriber.status == Status.UNSUBSCRIBED:
            return None
        if subscriber.is_suppressed:  # the way back is signing up again
            return None
        record = None
        if subscriber.status == Status.PENDING:
            record = subscriber.consent_records.order_by("-given_at", "-pk").first()
            if record is None:  # pending without a sign-up: nothing to confirm
                return None
        if not _claim_email(subscriber, now):
            return None
        if record is None:
            tasks.send_preferences_email.enqueue(subscriber_id=subscriber.pk)
            return Result(subscriber, Outcome.ALREADY_CONFIRMED, emailed=True)
        tasks.send_confirmation_email.enqueue(subscriber_id=subscriber.pk, consent_id=record.pk)
        return Result(subscriber, Outcome.STILL_PENDING, emailed=True)


def _iso(value):
    return value.isoformat() if value else None


def export_subscriber_data(*, subscriber):
    """Everything the site keeps about one person, as JSON-ready data (a subject access request).

    The secret token in their links is left out: it is a key, not information about them.
    Other apps add their sections through ``signals.subscriber_exporting``.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.prefetch_related(
            "topics", "consent_records", "status_changes"
        ).get(pk=subscriber.pk)
        data = {
            "exported_at": _iso(timezone.now()),
            "subscriber": {
                "email": subscriber.email,
                "status": subscriber.status,
                "topics": [topic.name for topic in subscriber.topics.all()],
                "signed_up_at": _iso(subscriber.signed_up_at),
                "confirmed_at": _iso(subscriber.confirmed_at),
                "unsubscribed_at": _iso(subscriber.unsubscribed_at),
                "last_emailed_at": _iso(subscriber.last_emailed_at),
                "created_at": _iso(subscriber.created_at),
                "email_stopped_at": _iso(subscriber.suppressed_at),
                "email_stopped_because": subscriber.suppression_reason,
            },
            "consent_records": [
                {
                    "wording_version": record.wording_version,
                    "wording": record.wording,
                    "given_at": _iso(record.given_at),
                    "source_url": record.source_url,
                    "topics": record.topic_names,
                    "confirmed_at": _iso(record.confirmed_at),
                }
                for record in subscriber.consent_records.all()
            ],
            "status_history": [
                {
                    "status": change.status,
                    "changed_at": _iso(change.changed_at),
                    "note": change.note,
                }
                for change in subscriber.status_changes.all()
            ],
        }
        for _receiver, sections in subscriber_exporting.send(Subscriber, subscriber=subscriber):
            data.update(sections or {})
    return data


def erase_subscriber(*, subscriber):
    """Erase a person everywhere: the subscriber, their consent records and history, and
    whatever other apps keep (``signals.subscriber_erasing``). Returns rows deleted by model.
    """
    with transaction.atomic():
        subscriber = _lock(subscriber)
        subscriber_erasing.send(Subscriber, subscriber=subscriber)
        _, per_model = subscriber.delete()
    return per_model
