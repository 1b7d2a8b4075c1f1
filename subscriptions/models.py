"""Who gets the LSCP's email updates, on which topics, and the consent they gave.

The rules for changing these rows live in ``subscriptions/signup.py``; views, the admin,
commands and tasks all go through it. The database keeps the integrity: one subscriber per
email address whatever its case (a unique index on ``LOWER(email)``).
"""

import secrets

from django.db import models
from django.db.models.functions import Lower

from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable


def new_token():
    """An opaque, unguessable token for a subscriber's preferences and unsubscribe links."""
    return secrets.token_urlsafe(32)


class Topic(Orderable):
    """Something people can ask to be emailed about, such as training dates."""

    name = models.CharField(
        max_length=100,
        unique=True,
        help_text="What people tick when they sign up, for example 'Training and development "
        "opportunities'. Keep it short: it is shown beside a tick box in the footer of every "
        "page.",
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="A short name for the topic used by the site, for example 'training'. "
        "Do not change it once people have signed up.",
    )

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta(Orderable.Meta):
        verbose_name = "email topic"

    def __str__(self):
        return self.name


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(
        max_length=254, help_text="The address exactly as the person typed it, trimmed."
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    topics = models.ManyToManyField(Topic, blank=True, related_name="subscribers")
    token = models.CharField(
        max_length=64,
        unique=True,
        default=new_token,
        editable=False,
        help_text="The secret in this person's preferences and unsubscribe links.",
    )
    signed_up_at = models.DateTimeField(
        help_text="When the person last signed up; unconfirmed sign-ups are deleted 30 days "
        "after this."
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    last_emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a confirmation or preferences email was last queued for this person; "
        "limits how often the sign-up forms can email one address.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    suppressed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When email to this address was stopped because it bounced or the person "
        "reported our email as spam. Nothing more is sent to it until the person signs up and "
        "confirms again.",
    )
    suppression_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why email to this address was stopped, as the mail service reported it.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_unique_ignoring_case")
        ]
        indexes = [models.Index(fields=["status", "signed_up_at"])]
        ordering = ["-signed_up_at", "-pk"]
        permissions = [
            (
                "manage_subscribers",
                "Can see, export and erase email subscribers (personal data)",
            )
        ]

    def __str__(self):
        return self.email

    @property
    def is_confirmed(self):
        return self.status == self.Status.CONFIRMED

    @property
    def is_suppressed(self):
        return self.suppressed_at is not None

    @property
    def topic_list(self):
        """The topics' names, from the prefetched topics when there are some."""
        return ", ".join(topic.name for topic in self.topics.all())


class ConsentRecord(models.Model):
    """The evidence of one sign-up: the words agreed to, when, where and for which topics."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="consent_records"
    )
    wording_version = models.CharField(max_length=20)
    wording = models.TextField(help_text="The consent sentence shown beside the form.")
    given_at = models.DateTimeField()
    source_url = models.CharField(
        max_length=500, help_text="The page of this site the sign-up form was on."
    )
    topic_names = models.JSONField(
        default=list, help_text="The topics ticked, by name, as they were called then."
    )
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person confirmed from the emailed link."
    )

    class Meta:
        ordering = ["-given_at", "-pk"]
        get_latest_by = "given_at"

    def __str__(self):
        return f"Consent {self.wording_version} given {self.given_at:%Y-%m-%d %H:%M}"


class StatusChange(models.Model):
    """One step of a subscriber's history: signed up, confirmed, unsubscribed."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(max_length=20, choices=Subscriber.Status)
    changed_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.get_status_display()} at {self.changed_at:%Y-%m-%d %H:%M}"
