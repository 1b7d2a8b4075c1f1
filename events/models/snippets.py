"""Categories of diary events, managed by editors as a snippet."""

from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.search import index
from wagtail.snippets.models import register_snippet


@register_snippet
class EventCategory(index.Indexed, models.Model):
    """A kind of date: Awareness day, Awareness week, LSCP event, Conference, Campaign."""

    name = models.CharField(
        max_length=80,
        unique=True,
        help_text="What kind of date this is, as practitioners would say it, for example "
        "'Awareness day' or 'LSCP event'. Shown on each event and in the diary's filter.",
    )
    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="The category's part of its web address and calendar feed, for example "
        "'awareness-days' gives /events/category/awareness-days/. Changing it breaks links "
        "and calendar subscriptions people already have.",
    )
    description = models.TextField(
        blank=True,
        help_text="Optional. One or two sentences shown at the top of this category's page "
        "of the diary.",
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = "event category"
        verbose_name_plural = "event categories"

    def __str__(self):
        return self.name
