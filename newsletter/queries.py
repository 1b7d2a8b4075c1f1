"""What the rest of the site asks of the newsletter: the published issues (the feeds), the
latest issue (the home page) and the last sends' results (the admin dashboard)."""

from typing import NamedTuple

from django.db.models import Count, Q

from newsletter.contents import ContentsEntry, issue_contents
from newsletter.listing import published
from newsletter.models import NewsletterIssuePage
from newsletter.sending_models import Delivery, Send


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


def recent_sends(*, limit):
    """The last ``limit`` sends, newest first, each with its issue and its deliveries
    counted by outcome (``sent``, ``failed``, ``skipped``, ``waiting``: queued or being
    sent, ``cancelled``); one query."""
    last = Send.objects.order_by("-requested_at", "-pk").values("pk")[:limit]
    Status = Delivery.Status
    return list(
        Send.objects.filter(pk__in=last)
        .select_related("issue")
        .annotate(
            sent=Count("deliveries", filter=Q(deliveries__status=Status.SENT)),
            failed=Count("deliveries", filter=Q(deliveries__status=Status.FAILED)),
            skipped=Count("deliveries", filter=Q(deliveries__status=Status.SKIPPED)),
            waiting=Count(
                "deliveries", filter=Q(deliveries__status__in=[Status.QUEUED, Status.CLAIMED])
            ),
            cancelled=Count("deliveries", filter=Q(deliveries__status=Status.CANCELLED)),
        )
        .order_by("-requested_at", "-pk")
    )
