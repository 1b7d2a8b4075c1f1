"""Demo content of the newsletter: the archive, the March 2025 issue built by the importer
from the seed text, an issue for the current month, and the review workflow.

Loading twice changes nothing: every step finds what it made before.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from events.models import EventPage
from newsletter import alerts
from newsletter.blocks import DiaryMode
from newsletter.dates import MONTH_NAMES, first_of_month, issue_slug
from newsletter.importer import import_issue_file
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage
from subscriptions.models import Topic
from training.queries import live_courses

SEED_ISSUE = Path(settings.BASE_DIR) / "home" / "demo_content" / "march-2025-newsletter.txt"
INDEX_TITLE = "Newsletter"
INDEX_INTRODUCTION = (
    "The LSCP's monthly newsletter for practitioners: training, new guidance, learning from "
    "reviews and dates for your diary. Every past issue is here, newest first."
)
WORKFLOW_NAME = "Review before publishing"
TASK_NAME = "Newsletter review"
REVIEWERS_GROUP = "Newsletter reviewers"
REVIEWER_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def load_index(home):
    index = NewsletterIndexPage.objects.first()
    if index is None:
        index = NewsletterIndexPage(
            title=INDEX_TITLE, slug="newsletter", introduction=INDEX_INTRODUCTION
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def load_review_workflow(index):
    """'Review before publishing': an issue goes live once a reviewer approves it."""
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    reviewers.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for codename in REVIEWER_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=reviewers,
            page=index,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(reviewers, *Group.objects.filter(name="Moderators"))
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return workflow


def load_current_issue(index, *, today=None):
    """This month's issue, so the diary and the training spotlight show what is coming."""
    issue_date = first_of_month(today or timezone.localdate())
    if NewsletterIssuePage.objects.filter(issue_date=issue_date).exists():
        return None
    month = MONTH_NAMES[issue_date.month - 1]
    courses = list(live_courses().order_by("title").values_list("pk", flat=True)[:2])
    guidance = Topic.objects.filter(slug="guidance").first()
    body = [
        {
            "type": "section",
            "value": {
                "heading": "Welcome to this month's newsletter",
                "text": "<p>This month we look ahead to the training sessions with places "
                "left and the dates coming up for practitioners in Leeds. If you would like to "
                "share news from your service in a future issue, email us at "
                '<a href="mailto:lscp.info@leeds.gov.uk">lscp.info@leeds.gov.uk</a>.</p>',
                "calls_to_action": [],
            },
        },
        {
            "type": "section",
            "value": {
                "heading": "Updated multi-agency escalation policy",
                "text": "<p>The LSCP escalation policy has been updated to make it clearer who "
                "to contact when you disagree with another agency's decision about a child. "
                "Please read it and share it with your team.</p>",
                "calls_to_action": [],
                # Marked as guidance: publishing it alerts the topic's subscribers.
                "topic": guidance.pk if guidance else None,
            },
        },
        {
            "type": "diary",
            "value": {
                "heading": "Dates for your diary",
                "mode": DiaryMode.AUTOMATIC,
                "weeks": 8,
                "include_training": True,
                "events": [],
            },
        },
        {"type": "signup_prompt", "value": None},
    ]
    if courses:
        body.insert(
            1,
            {
                "type": "training_spotlight",
                "value": {
                    "heading": "Training spotlight",
                    "introduction": "Places are still available on these courses.",
                    "courses": courses,
                    "sessions_per_course": 3,
                },
            },
        )
    issue = NewsletterIssuePage(
        title=f"{month} Newsletter",
        slug=issue_slug(issue_date),
        issue_date=issue_date,
        summary="Training with places left, dates for your diary in the coming weeks, and how "
        "to share your service's news in the newsletter.",
        body=body,
    )
    index.add_child(instance=issue)
    issue.save_revision().publish()
    return issue


def load_topic_news():
    """What the demo's courses and events make new in the email topics (they were published
    before the topics existed), for the weekly digest and alerts to show. Recorded once."""
    for page in [*live_courses(), *EventPage.objects.live()]:
        alerts.record_news_for_page(page=page)


def load_demo(home):
    index = load_index(home)
    import_issue_file(SEED_ISSUE, publish=True)
    load_current_issue(index)
    load_review_workflow(index)
    load_topic_news()
    return index
