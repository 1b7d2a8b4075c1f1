"""What the rest of the site asks of the newsletter: the published issues (the feeds), the
latest issue (the home page) and the last sends' results (the admin dashboard)."""

from typing import NamedTuple

from django.db.models import Count

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
    sent, ``cancelled``); two queries, the counts read from the (send, status) index."""
    sends = list(Send.objects.select_related("issue").order_by("-requested_at", "-pk")[:limit])
    counts = {
        (row["send_id"], row["status"]): row["total"]
        for row in Delivery.objects.filter(send__in=[send.pk for send in sends])
        .values("send_id", "status")
        .annotate(total=Count("pk"))
        .order_by()
    }
    Status = Delivery.Status
    for send in sends:
        send.sent = counts.get((send.pk, Status.SENT), 0)
        send.failed = counts.get((send.pk, Status.FAILED), 0)
        send.skipped = counts.get((send.pk, Status.SKIPPED), 0)
        send.waiting = counts.get((send.pk, Status.QUEUED), 0) + counts.get(
            (send.pk, Status.CLAIMED), 0
        )
        send.cancelled = counts.get((send.pk, Status.CANCELLED), 0)
    return sends
