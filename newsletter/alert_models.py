"""What is new in each email topic, for topic alerts and the weekly digest
(``newsletter/alerts.py``).

A ``TopicNews`` row is written once per new thing (a course session, an event, an issue
section marked with a topic) when it is published; the unique constraint on topic and
source keeps a republished page from counting as new again. A ``DigestWeek`` row marks a
week's digest as done, with or without anything in it, so it is never sent twice.
"""

from django.db import models
from django.db.models import Q


class TopicNews(models.Model):
    """One new thing in one email topic, as the alert and the digest list it."""

    class Kind(models.TextChoices):
        SESSION = "session", "Course date"
        EVENT = "event", "Event"
        GUIDANCE = "guidance", "Guidance"

    topic = models.ForeignKey("subscriptions.Topic", on_delete=models.CASCADE, related_name="news")
    kind = models.CharField(max_length=10, choices=Kind)
    # What it is, so it is recorded once: "session:12", "event:34", "section:<block id>".
    source = models.CharField(max_length=100)
    title = models.CharField(max_length=255)
    when = models.CharField(
        max_length=100, blank=True, help_text="Its date as the site writes dates, if it has one."
    )
    url = models.CharField(max_length=500, help_text="Where to read more, on this site.")
    published_at = models.DateTimeField()
    alerted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the 'as it happens' alert covering it went (or was found to have "
        "nobody to go to).",
    )
    alert = models.ForeignKey(
        "newsletter.Send", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "topic news"
        ordering = ["published_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "source"], name="newsletter_topicnews_once")
        ]
        indexes = [
            models.Index(
                fields=["topic", "published_at"],
                condition=Q(alerted_at__isnull=True),
                name="newsletter_topicnews_pending",
            ),
            models.Index(fields=["published_at"], name="newsletter_topicnews_published"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


class DigestWeek(models.Model):
    """The weekly digest of one week: sent (or found empty) once."""

    week_of = models.DateField(unique=True, help_text="The day the digest was due.")
    started_at = models.DateTimeField()
    news_count = models.PositiveIntegerField(default=0)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week_of"]
        get_latest_by = "week_of"

    def __str__(self):
        return f"Weekly digest of {self.week_of:%Y-%m-%d}"
