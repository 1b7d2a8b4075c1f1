"""The demo content, the review workflow and scheduled publishing of issues."""

import datetime
from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command

from wagtail.models import Page, Revision

import pytest
import time_machine

from lscp_site.schedule import publish_scheduled_pages
from newsletter.alert_models import TopicNews
from newsletter.demo import REVIEWERS_GROUP, WORKFLOW_NAME
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage
from tests.newsletter.factories import make_issue

TODAY = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.UTC)


def load_demo():
    call_command("load_demo", stdout=StringIO())
    return NewsletterIndexPage.objects.get()


@pytest.fixture
def demo(db):
    with time_machine.travel(TODAY, tick=False):
        return load_demo()


def test_demo_builds_the_march_2025_issue_with_the_importer(demo, client):
    from events.models import EventPage

    march = NewsletterIssuePage.objects.get(issue_date=datetime.date(2025, 3, 1))
    assert march.live and march.url == "/newsletter/march-2025/"
    kinds = [block.block_type for block in march.body]
    assert kinds == ["section"] * 4 + ["diary", "signup_prompt"]
    # The diary's dates are the events app's own demo events, not copies of them.
    assert EventPage.objects.filter(title="Mental Health Awareness Week").count() == 1
    page = client.get("/newsletter/march-2025/")
    assert "Twenty-two practitioners joined us" in page.text
    # A back issue came out in its month, not the day the demo was loaded.
    assert march.first_published_at == datetime.datetime(2025, 3, 1, 9, tzinfo=datetime.UTC)


def test_demo_has_an_issue_for_this_month_with_the_diary_and_training(demo, client):
    current = NewsletterIssuePage.objects.get(issue_date=datetime.date(2026, 11, 1))
    assert [block.block_type for block in current.body] == [
        "section",
        "training_spotlight",
        "section",
        "diary",
        "signup_prompt",
    ]
    assert client.get(current.url).status_code == 200


def test_demo_records_what_is_new_in_each_topic_for_alerts_and_the_digest(demo):
    kinds = {(news.topic.slug, news.kind) for news in TopicNews.objects.select_related("topic")}
    assert ("guidance", "guidance") in kinds  # the issue's section marked with its topic
    assert ("training", "session") in kinds
    assert ("events", "event") in kinds
    guidance = TopicNews.objects.get(kind="guidance")
    assert guidance.title == "Updated multi-agency escalation policy"


def test_loading_the_demo_again_changes_nothing(demo):
    pages = Page.objects.count()
    revisions = Revision.objects.count()
    news = TopicNews.objects.count()

    with time_machine.travel(TODAY, tick=False):
        call_command("load_demo", stdout=StringIO())

    assert Page.objects.count() == pages
    assert Revision.objects.count() == revisions
    assert TopicNews.objects.count() == news


def test_issues_go_through_review_before_publishing(demo, django_user_model):
    reviewers = Group.objects.get(name=REVIEWERS_GROUP)
    reviewer = django_user_model.objects.create_user("reviewer", password="x")
    reviewer.groups.add(reviewers)
    editor = django_user_model.objects.create_superuser("editor", password="x")
    issue = make_issue(demo, datetime.date(2026, 12, 1), live=False)

    workflow = issue.get_workflow()
    assert workflow.name == WORKFLOW_NAME
    task = workflow.tasks.get().specific
    assert set(task.groups.values_list("name", flat=True)) == {REVIEWERS_GROUP, "Moderators"}

    state = workflow.start(issue, editor)
    issue.refresh_from_db()
    assert not issue.live
    assert "approve" in [name for name, *_ in task.get_actions(issue, reviewer)]

    state.current_task_state.approve(user=reviewer)

    issue.refresh_from_db()
    assert issue.live


def test_reviewers_can_edit_and_publish_issues_only(demo, django_user_model):
    reviewer = django_user_model.objects.create_user("reviewer", password="x")
    reviewer.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
    issue = NewsletterIssuePage.objects.get(issue_date=datetime.date(2025, 3, 1))

    assert issue.permissions_for_user(reviewer).can_publish()
    assert demo.permissions_for_user(reviewer).can_add_subpage()
    assert not Page.objects.get(slug="privacy").permissions_for_user(reviewer).can_edit()


def test_an_issue_scheduled_to_go_live_is_published_by_the_scheduler(newsletter_index, client):
    issue = make_issue(newsletter_index, datetime.date(2025, 3, 1), live=False)
    go_live = datetime.datetime(2025, 3, 3, 8, 0, tzinfo=datetime.UTC)
    issue.go_live_at = go_live
    with time_machine.travel(go_live - datetime.timedelta(days=1)):
        issue.save_revision().publish()  # 'Publish' with a future go-live time schedules it
        issue.refresh_from_db()
        assert not issue.live
        publish_scheduled_pages()
        issue.refresh_from_db()
        assert not issue.live

    with time_machine.travel(go_live + datetime.timedelta(minutes=1)):
        publish_scheduled_pages()

    issue.refresh_from_db()
    assert issue.live
    assert client.get("/newsletter/march-2025/").status_code == 200
