"""Sending an issue by email: one ``Send`` per time an editor sends it, one ``Delivery`` per
recipient. The rules that move these rows along live in ``newsletter/sending.py``.

The database keeps the promises: one delivery per issue and subscriber (so nobody can be
queued twice for the same issue, whichever send queued them), and at most one unfinished
send per issue.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.dispatch import receiver

from subscriptions.signals import subscriber_exporting


class Send(models.Model):
    """One "Send to subscribers" of an issue: who asked, to whom, and the email as sent.

    The email edition is rendered once, when the send is prepared, and kept here: every
    recipient gets the same words even if the issue is edited while it goes out, and a
    retry hours later sends what the others got.
    """

    issue = models.ForeignKey(
        "newsletter.NewsletterIssuePage", on_delete=models.CASCADE, related_name="sends"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField()
    topics = models.ManyToManyField(
        "subscriptions.Topic",
        blank=True,
        related_name="+",
        help_text="Only subscribers who chose any of these topics get this send. None: every "
        "confirmed subscriber.",
    )
    resend = models.BooleanField(
        default=False,
        help_text="A second send of the issue, to the subscribers who have not had it yet.",
    )
    subject = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True, help_text="The plain-text part, with link placeholders.")
    html = models.TextField(blank=True, help_text="The HTML part, with link placeholders.")
    recipient_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many deliveries the send queued; set once ready."
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        get_latest_by = "requested_at"
        constraints = [
            models.UniqueConstraint(
                fields=["issue"],
                condition=Q(finished_at__isnull=True),
                name="newsletter_send_one_unfinished_per_issue",
            )
        ]
        permissions = [
            ("send_issue", "Can send newsletter issues to subscribers and test addresses"),
        ]

    def __str__(self):
        return f"Send of {self.issue_id} at {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self):
        return self.finished_at is not None


class Delivery(models.Model):
    """One email of one send to one subscriber, and how it went.

    ``queued`` -> ``claimed`` (a worker holds it in a batch) -> ``sent`` or ``failed``;
    ``queued`` again (with ``next_attempt_at``) after a temporary failure; ``skipped`` when
    the person was no longer subscribed when their batch came up; ``cancelled`` when an
    editor stopped the send first.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        CLAIMED = "claimed", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (no longer subscribed)"
        CANCELLED = "cancelled", "Cancelled"

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="deliveries")
    # The issue again, so the database can keep one delivery per issue and subscriber.
    issue = models.ForeignKey(
        "newsletter.NewsletterIssuePage", on_delete=models.CASCADE, related_name="+"
    )
    # Erasing a subscriber erases their deliveries with them.
    subscriber = models.ForeignKey(
        "subscriptions.Subscriber",
        on_delete=models.CASCADE,
        related_name="newsletter_deliveries",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="Not before this time: set after a temporary failure."
    )
    claim = models.CharField(max_length=32, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    provider_message_id = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="The email service's id for this email, to match its later reports.",
    )

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletter_delivery_one_per_issue"
            )
        ]
        indexes = [
            models.Index(fields=["send", "status"], name="newsletter_delivery_progress"),
            models.Index(
                fields=["send", "id"],
                condition=Q(status="queued"),
                name="newsletter_delivery_queued",
            ),
            models.Index(fields=["claim"], name="newsletter_delivery_claim"),
            models.Index(
                fields=["provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="newsletter_delivery_provider",
            ),
        ]

    def __str__(self):
        return f"Delivery {self.pk} ({self.status})"


class DeliveryEvent(models.Model):
    """What became of an email after it left: delivered, bounced, reported as spam...

    Recorded from the email service's reports (django-anymail's tracking webhooks) and from
    the mail server's refusals at send time; ``newsletter/bounces.py`` records them.
    """

    class Kind(models.TextChoices):
        DELIVERED = "delivered", "Delivered"
        HARD_BOUNCE = "hard_bounce", "Bounced (address does not work)"
        SOFT_BOUNCE = "soft_bounce", "Bounced (for now)"
        COMPLAINED = "complained", "Reported as spam"
        REJECTED = "rejected", "Refused by the email service"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed at the email service"
        OTHER = "other", "Other"

    # Unique per report (the provider's event id and the recipient), so a report posted
    # twice is recorded once.
    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    provider = models.CharField(max_length=40, help_text="Which email service reported it.")
    occurred_at = models.DateTimeField()
    message_id = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    suppressed = models.BooleanField(
        default=False, help_text="Whether this report stopped email to the address."
    )
    delivery = models.ForeignKey(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    # Kept on the event so a send's history survives the deliveries' retention.
    send = models.ForeignKey(
        Send, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    subscriber = models.ForeignKey(
        "subscriptions.Subscriber",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="delivery_events",
    )

    class Meta:
        ordering = ["occurred_at", "pk"]
        indexes = [
            models.Index(fields=["send", "kind"], name="newsletter_event_send_kind"),
            models.Index(
                fields=["subscriber", "kind", "occurred_at"], name="newsletter_event_subscriber"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"


@receiver(subscriber_exporting, dispatch_uid="newsletter_deliveries_export")
def export_deliveries(sender, subscriber, **kwargs):
    """A subject access request lists the issues emailed to the person and how it went."""
    deliveries = (
        Delivery.objects.filter(subscriber=subscriber)
        .order_by("pk")
        .values("status", "sent_at", "issue__title", "issue__issue_date")
    )
    events = (
        DeliveryEvent.objects.filter(subscriber=subscriber)
        .order_by("occurred_at", "pk")
        .values("kind", "occurred_at", "provider", "reason")
    )
    return {
        "newsletter_delivery_events": [
            {
                "what": event["kind"],
                "at": event["occurred_at"].isoformat(),
                "reported_by": event["provider"],
                "reason": event["reason"],
            }
            for event in events
        ],
        "newsletter_deliveries": [
            {
                "issue": delivery["issue__title"],
                "issue_month": delivery["issue__issue_date"].isoformat(),
                "status": delivery["status"],
                "sent_at": delivery["sent_at"].isoformat() if delivery["sent_at"] else None,
            }
            for delivery in deliveries
        ],
    }
