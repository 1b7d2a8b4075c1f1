"""How the newsletter lists its issues: the archive's issues and years, an issue's
neighbours. Functions of querysets that import no model: the archive and issue pages
(newsletter/models.py) hand them their issues, and newsletter/queries.py, what the rest of
the site asks, builds on them.

Each runs a fixed number of queries, however many issues there are. Pages render what they
get; nothing here builds HTML.
"""

from typing import NamedTuple

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear

# What an issue card and the issue pager show, and what Wagtail needs for an issue's address.
CARD_FIELDS = ("title", "slug", "url_path", "depth", "path", "issue_date", "summary")


def published(issues):
    """``issues`` (a queryset of issues) that are live and anyone may read, newest first."""
    return issues.live().public().order_by("-issue_date", "-pk")


class Archive(NamedTuple):
    issues: QuerySet
    years: QuerySet


def archive(issues, *, year=None):
    """What an archive of ``issues`` (its children) lists: ``issues``, published, newest
    first (of ``year`` only, if given), with only the columns a card shows; and ``years``,
    rows such as ``{"year": 2025, "issues": 11}``, newest year first, of every year that has
    issues (one aggregate query). Both are querysets, run when first read."""
    issues = published(issues)
    years = (
        issues.annotate(year=ExtractYear("issue_date"))
        .values("year")
        .annotate(issues=Count("pk"))
        .order_by("-year")
    )
    if year is not None:
        issues = issues.filter(issue_date__year=year)
    return Archive(issues=issues.only(*CARD_FIELDS), years=years)


class Neighbours(NamedTuple):
    previous: object
    next: object


def neighbours(issues, *, issue):
    """The ``issues`` published either side of ``issue`` in time under the same archive,
    each None at either end: two queries, whatever the archive's length."""
    siblings = published(issues).sibling_of(issue, inclusive=False).only(*CARD_FIELDS)
    earlier = siblings.filter(issue_date__lt=issue.issue_date).order_by("-issue_date", "-pk")
    later = siblings.filter(issue_date__gt=issue.issue_date).order_by("issue_date", "pk")
    return Neighbours(previous=earlier.first(), next=later.first())
