"""What the rest of the site asks of the newsletter: the published issues (the feeds) and
the latest issue (the home page)."""

from typing import NamedTuple

from newsletter.contents import ContentsEntry, issue_contents
from newsletter.listing import published
from newsletter.models import NewsletterIssuePage


def published_issues():
    """Live issues that anyone may read, newest first."""
    return published(NewsletterIssuePage.objects.all())


class LatestIssue(NamedTuple):
    issue: object
    contents: list[ContentsEntry]


def latest_issue():
    """The newest published issue with its contents list, for the home page; or None."""
    issue = published_issues().first()
    if issue is None:
        return None
    return LatestIssue(issue=issue, contents=issue_contents(issue.body))
