"""What a course gives people after the session: slides, documents and links, emailed to
those who attended (training.follow_up)."""

from django.core.exceptions import ValidationError
from django.db import models

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable


class CourseResource(Orderable):
    """One document or link sent to a course's attendees after their session."""

    course = ParentalKey("training.CoursePage", on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(
        max_length=255,
        help_text="What it is, as attendees will see it in the email: 'Slides from the "
        "session', 'Practice guidance (PDF)'.",
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A document from the library, such as the slides. Give a document or a link.",
    )
    link = models.URLField(
        blank=True,
        help_text="Or a web address, for something kept elsewhere.",
    )

    panels = [FieldPanel("title"), FieldPanel("document"), FieldPanel("link")]

    class Meta(Orderable.Meta):
        verbose_name = "resource for attendees"

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if not self.document_id and not self.link:
            raise ValidationError({"document": "Choose a document or give a link."})
        if self.document_id and self.link:
            raise ValidationError({"link": "Give a document or a link, not both."})
