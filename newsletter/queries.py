"""What the site asks of the newsletter: the archive's issues and years, an issue's
neighbours, the latest issue.

Each function returns a queryset or plain data and runs a fixed number of queries, however
many issues there are. Pages render what they get; nothing here builds HTML.
"""

from typing import NamedTuple

from django.apps import apps
from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear

from newsletter.contents import ContentsEntry, issue_contents

# What an issue card and the issue pager show, and what Wagtail needs for an issue's address.
CARD_FIELDS = ("title", "slug", "url_path", "depth", "path", "issue_date", "summary")


def _issues():
    # Looked up through the app registry: newsletter.models asks this module for its
    # listings, so importing the models here would be a circle.
    return apps.get_model("newsletter", "NewsletterIssuePage").objects


def published_issues():
    """Live issues that anyone may read, newest first."""
    return _issues().live().public().order_by("-issue_date", "-pk")


class Archive(NamedTuple):
    issues: QuerySet
    years: QuerySet


def archive(*, index, year=None):
    """What the archive ``index`` lists: ``issues``, newest first (of ``year`` only, if
    given), with only the columns a card shows; and ``years``, rows such as
    ``{"year": 2025, "issues": 11}``, newest year first, of every year that has issues (one
    aggregate query). Both are querysets, run when first read."""
    issues = published_issues().child_of(index)
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


def neighbours(*, issue):
    """The issues published either side of ``issue`` in time under the same archive, each
    None at either end: two queries, whatever the archive's length."""
    siblings = published_issues().sibling_of(issue, inclusive=False).only(*CARD_FIELDS)
    earlier = siblings.filter(issue_date__lt=issue.issue_date).order_by("-issue_date", "-pk")
    later = siblings.filter(issue_date__gt=issue.issue_date).order_by("issue_date", "pk")
    return Neighbours(previous=earlier.first(), next=later.first())


class LatestIssue(NamedTuple):
    issue: object
    contents: list[ContentsEntry]


def latest_issue():
    """The newest published issue with its contents list, for the home page; or None."""
    issue = published_issues().first()
    if issue is None:
        return None
    return LatestIssue(issue=issue, contents=issue_contents(issue.body))
