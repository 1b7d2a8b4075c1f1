"""What the site asks of the newsletter: the archive, an issue's neighbours, the latest issue.

Each function runs a fixed number of queries, however many issues or sections there are.
Note that ``.public()`` itself runs one query (for the private sections of the site).
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, prefetch_related_objects

from wagtail.images import get_image_model

from newsletter.contents import ContentsEntry, issue_contents

# The renditions the section template asks for (see newsletter_section.html).
SECTION_IMAGE_SPECS = ("width-480", "width-800")


def _issue_model():
    from newsletter.models import NewsletterIssuePage

    return NewsletterIssuePage


def published_issues():
    """Live, public issues, newest first."""
    return _issue_model().objects.live().public().order_by("-issue_date", "-pk")


def archive_issues(*, index, year=None):
    issues = published_issues().child_of(index)
    if year is not None:
        issues = issues.filter(issue_date__year=year)
    return issues.defer("body")


def archive_years(*, index):
    """The years that have issues, newest first: [2025, 2024, ...]."""
    dates = published_issues().child_of(index).dates("issue_date", "year", order="DESC")
    return [day.year for day in dates]


def neighbours(issue):
    """(previous issue, next issue) in time, each None at either end of the archive."""
    issues = published_issues().exclude(pk=issue.pk).defer("body")
    previous_issue = issues.filter(issue_date__lt=issue.issue_date).first()
    next_issue = issues.filter(issue_date__gt=issue.issue_date).order_by("issue_date").first()
    return previous_issue, next_issue


@dataclass(frozen=True)
class LatestIssue:
    issue: object
    contents: list[ContentsEntry] = field(default_factory=list)


def latest_issue():
    """The newest published issue with its contents list, for the home page; or None."""
    issue = published_issues().first()
    if issue is None:
        return None
    return LatestIssue(issue=issue, contents=issue_contents(issue.body))


def prefetch_section_images(blocks):
    """Load the renditions of every section's image in one query (not one per image)."""
    images = [
        block.value["image"]
        for block in blocks
        if block.block_type == "section" and block.value.get("image") is not None
    ]
    if images:
        rendition_model = get_image_model().get_rendition_model()
        prefetch_related_objects(
            images,
            Prefetch(
                "renditions",
                queryset=rendition_model.objects.filter(filter_spec__in=SECTION_IMAGE_SPECS),
            ),
        )
