from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Audience(index.Indexed, models.Model):
    """A group of practitioners a course is written for, used to filter the catalogue."""

    name = models.CharField(
        max_length=100,
        unique=True,
        help_text="As practitioners would describe themselves, for example 'Designated "
        "safeguarding leads' or 'Health practitioners'. Shown on course pages and in the "
        "catalogue's 'Who it is for' filter.",
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="The short name used in catalogue web addresses, for example "
        "'safeguarding-leads'. Keep it unchanged once published: links use it.",
    )

    panels = [FieldPanel("name"), FieldPanel("slug")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = "training audience"

    def __str__(self):
        return self.name
