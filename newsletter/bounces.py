"""What happens to an email after it leaves: recording bounces, complaints and deliveries,
and stopping email to addresses that do not work or do not want it.

Two sources feed it:

- the email service's reports, through django-anymail's tracking webhooks
  (``/anymail/<service>/tracking/``); ``receive_tracking_event`` is connected to
  ``anymail.signals.tracking`` in ``NewsletterConfig.ready``;
- the mail server refusing an address outright while a batch is sent over SMTP (a 5xx
  reply to RCPT TO), which ``newsletter/sending.py`` passes to ``record_refusal``.

Each report becomes one ``DeliveryEvent``, linked to the delivery (by the metadata each
email carries, else by the service's message id) and to the subscriber. A report posted
twice is recorded once (``DeliveryEvent.key`` is unique). The address is suppressed
(``subscriptions.suppression``) after a hard bounce, any spam complaint, a refusal because
the service already knows the address bounces or complained, or SOFT_BOUNCE_LIMIT soft
bounces within SOFT_BOUNCE_DAYS.
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Value
from django.db.models.functions import Lower, TruncDate
from django.utils import timezone

from anymail.signals import EventType, RejectReason

from newsletter.sending_models import Delivery, DeliveryEvent
from subscriptions import signup, suppression
from subscriptions.models import Subscriber

logger = logging.getLogger(__name__)

Kind = DeliveryEvent.Kind

# The metadata key each newsletter email carries with its delivery's id.
DELIVERY_METADATA_KEY = "lscp_delivery"

KINDS = {
    EventType.DELIVERED: Kind.DELIVERED,
    EventType.COMPLAINED: Kind.COMPLAINED,
    EventType.REJECTED: Kind.REJECTED,
    EventType.UNSUBSCRIBED: Kind.UNSUBSCRIBED,
}
# A refusal for one of these reasons means the service knows the address is bad or unwilling.
SUPPRESSING_REJECT_REASONS = {RejectReason.BOUNCED, RejectReason.SPAM, RejectReason.INVALID}


def soft_bounce_limit():
    return int(getattr(settings, "NEWSLETTER_SOFT_BOUNCE_LIMIT", 3))


def soft_bounce_window():
    return datetime.timedelta(days=int(getattr(settings, "NEWSLETTER_SOFT_BOUNCE_DAYS", 30)))


def receive_tracking_event(sender, event, esp_name, **kwargs):
    """anymail.signals.tracking's receiver: one webhook event."""
    record_tracking_event(event=event, esp_name=esp_name)


def is_soft_bounce(event):
    """A bounce that may not happen next time (mailbox full, server busy): Amazon SES's
    Transient and Undetermined bounces, Postmark's SoftBounce, or a 4xx reply."""
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    ses_bounce = esp_event.get("bounce")
    if isinstance(ses_bounce, dict) and "bounceType" in ses_bounce:
        return ses_bounce["bounceType"] != "Permanent"
    if "Type" in esp_event:  # Postmark
        return esp_event["Type"] == "SoftBounce"
    return str(event.mta_response or "").strip().startswith("4")


def event_kind(event):
    """The DeliveryEvent kind of an anymail tracking event, or None for what is not kept
    (opens, clicks, queued, deferred: the final outcome follows)."""
    if event.event_type == EventType.BOUNCED:
        return Kind.SOFT_BOUNCE if is_soft_bounce(event) else Kind.HARD_BOUNCE
    return KINDS.get(event.event_type)


def _subscriber_for(address):
    if not address:
        return None
    return (
        Subscriber.objects.alias(email_key=Lower("email"))
        .filter(email_key=Lower(Value(address.strip())))
        .first()
    )


def match_delivery(event):
    """The delivery an event is about: by the delivery id in its metadata, else by the
    service's message id; either way only if the recipient is that delivery's subscriber."""
    recipient = (event.recipient or "").strip().lower()
    candidates = Delivery.objects.select_related("subscriber")
    delivery_id = (event.metadata or {}).get(DELIVERY_METADATA_KEY)
    delivery = None
    if str(delivery_id or "").isdigit():
        delivery = candidates.filter(pk=int(delivery_id)).first()
    if delivery is None and event.message_id:
        delivery = (
            candidates.filter(provider_message_id=event.message_id)
            .alias(email_key=Lower("subscriber__email"))
            .filter(email_key=recipient)
            .first()
        )
    if delivery is not None and delivery.subscriber.email.lower() != recipient:
        return None
    return delivery


def _key(*parts):
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


def _reason(event):
    parts = [event.description or "", event.mta_response or ""]
    if event.reject_reason and not any(parts):
        parts.append(str(event.reject_reason))
    return " ".join(" ".join(part for part in parts if part).split())[:500]


def record_tracking_event(*, event, esp_name, now=None):
    """Record one tracking event and act on it. Returns the DeliveryEvent, or None when
    the event is not kept or was recorded before."""
    kind = event_kind(event)
    if kind is None or not event.recipient:
        return None
    now = now or timezone.now()
    occurred_at = event.timestamp or now
    # Some reports (Postmark's deliveries) have no id: their content identifies them.
    identity = event.event_id or f"{event.event_type}|{event.message_id}|{occurred_at.isoformat()}"
    key = _key(esp_name, identity, event.recipient.lower(), kind)
    delivery = match_delivery(event)
    subscriber = delivery.subscriber if delivery else _subscriber_for(event.recipient)
    try:
        with transaction.atomic():
            recorded = DeliveryEvent.objects.create(
                key=key,
                kind=kind,
                provider=esp_name,
                occurred_at=occurred_at,
                message_id=(event.message_id or "")[:255],
                reason=_reason(event),
                delivery=delivery,
                send_id=delivery.send_id if delivery else None,
                subscriber=subscriber,
            )
            if subscriber is not None:
                _act_on(recorded, subscriber=subscriber, event=event, now=now)
    except IntegrityError:  # the same report again
        return None
    return recorded


def _act_on(recorded, *, subscriber, event, now):
    reason = None
    if recorded.kind == Kind.HARD_BOUNCE:
        reason = f"The address bounced ({recorded.provider})"
    elif recorded.kind == Kind.COMPLAINED:
        reason = f"Reported our email as spam ({recorded.provider})"
    elif recorded.kind == Kind.REJECTED and event.reject_reason in SUPPRESSING_REJECT_REASONS:
        reason = f"Refused by {recorded.provider}: {event.reject_reason}"
    elif recorded.kind == Kind.SOFT_BOUNCE:
        recent = DeliveryEvent.objects.filter(
            subscriber=subscriber,
            kind=Kind.SOFT_BOUNCE,
            occurred_at__gte=recorded.occurred_at - soft_bounce_window(),
        ).count()
        if recent >= soft_bounce_limit():
            reason = f"Bounced {recent} times in {soft_bounce_window().days} days"
    elif recorded.kind == Kind.UNSUBSCRIBED:
        signup.unsubscribe(
            subscriber=subscriber, note=f"Unsubscribed through {recorded.provider}", now=now
        )
    if reason is None:
        return
    if recorded.reason:
        reason = f"{reason}: {recorded.reason}"
    suppressed = suppression.suppress(email=subscriber.email, reason=reason, now=now)
    if suppressed is not None:
        recorded.suppressed = True
        recorded.save(update_fields=["suppressed"])


def record_refusal(*, delivery_id, send_id, subscriber_id, address, reason, now=None):
    """The mail server refused an address for good while sending (SMTP 5xx to RCPT TO, or
    the email service's per-recipient answer): record it as a hard bounce and suppress."""
    now = now or timezone.now()
    with transaction.atomic():
        recorded, created = DeliveryEvent.objects.get_or_create(
            key=_key("send-time", delivery_id, now.isoformat()),
            defaults={
                "kind": Kind.HARD_BOUNCE,
                "provider": "mail server",
                "occurred_at": now,
                "reason": reason[:500],
                "delivery_id": delivery_id,
                "send_id": send_id,
                "subscriber_id": subscriber_id,
            },
        )
        if created and suppression.suppress(email=address, reason=reason, now=now):
            recorded.suppressed = True
            recorded.save(update_fields=["suppressed"])
    return recorded


# --- What became of a send (its history in the admin) -------------------------------------


@dataclass(frozen=True)
class Outcomes:
    sent: int = 0
    delivered: int = 0
    bounced: int = 0
    complained: int = 0
    suppressed: int = 0


BOUNCED_KINDS = (Kind.HARD_BOUNCE, Kind.SOFT_BOUNCE, Kind.REJECTED)


def _event_counts():
    return {
        "delivered": Count("pk", filter=Q(kind=Kind.DELIVERED)),
        "bounced": Count("pk", filter=Q(kind__in=BOUNCED_KINDS)),
        "complained": Count("pk", filter=Q(kind=Kind.COMPLAINED)),
        "suppressed": Count("pk", filter=Q(suppressed=True)),
    }


def outcomes(send_ids):
    """{send id: Outcomes} for these sends, in two queries however many recipients."""
    send_ids = list(send_ids)
    sent = dict(
        Delivery.objects.filter(send_id__in=send_ids, status=Delivery.Status.SENT)
        .values_list("send_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    events = {
        row.pop("send_id"): row
        for row in DeliveryEvent.objects.filter(send_id__in=send_ids)
        .values("send_id")
        .annotate(**_event_counts())
        .order_by()
    }
    return {
        send_id: Outcomes(sent=sent.get(send_id, 0), **events.get(send_id, {}))
        for send_id in send_ids
    }


def outcomes_by_day(send):
    """[(day, Outcomes without 'sent')] of a send's reports, day by day, in one query."""
    rows = (
        DeliveryEvent.objects.filter(send=send)
        .annotate(day=TruncDate("occurred_at"))
        .values("day")
        .annotate(**_event_counts())
        .order_by("day")
    )
    return [(row.pop("day"), Outcomes(**row)) for row in rows]
