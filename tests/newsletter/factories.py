"""Helpers that build newsletter pages (and the events and courses issues link to)."""

import datetime
import uuid

from django.utils import timezone

from events.dates import LONDON
from newsletter.dates import issue_slug
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage
from tests.bulk import add_live_pages


def make_index(home, **fields):
    index = NewsletterIndexPage(
        title=fields.pop("title", "Newsletter"), slug=fields.pop("slug", "newsletter"), **fields
    )
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def section(heading, text="<p>Practitioners should read this.</p>", **value):
    return {
        "type": "section",
        "value": {"heading": heading, "text": text, "calls_to_action": [], **value},
    }


def item(value):
    """A ListBlock item as stored."""
    return {"type": "item", "value": value, "id": str(uuid.uuid4())}


def make_issue(index, issue_date, *, title=None, summary=None, body=None, sections=2, live=True):
    """An issue under ``index``; ``sections`` plain sections unless ``body`` is given."""
    if body is None:
        body = [section(f"Section {number}") for number in range(1, sections + 1)]
    issue = NewsletterIssuePage(
        title=title or f"{issue_date:%B} Newsletter",
        slug=issue_slug(issue_date),
        issue_date=issue_date,
        summary=summary or f"What is in the {issue_date:%B %Y} issue.",
        body=body,
        live=live,
    )
    index.add_child(instance=issue)
    revision = issue.save_revision()
    if live:
        revision.publish()
        issue.refresh_from_db()
    return issue


def make_issues(index, count, *, first=datetime.date(2010, 1, 1), sections=1):
    """``count`` published issues, one a month from ``first``, written in bulk
    (tests/bulk.py: no revisions, not indexed for search)."""
    issues = []
    year, month = first.year, first.month
    for _ in range(count):
        issue_date = datetime.date(year, month, 1)
        issues.append(
            NewsletterIssuePage(
                title=f"{issue_date:%B} Newsletter",
                slug=issue_slug(issue_date),
                issue_date=issue_date,
                summary=f"What is in the {issue_date:%B %Y} issue.",
                body=[section(f"Section {number}") for number in range(1, sections + 1)],
            )
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return add_live_pages(index, issues)


# --- Events and training, built from their models' public fields -------------------------


def make_event_index(home):
    from events.models import EventIndexPage

    index = EventIndexPage(title="Dates for your diary", slug="events")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def make_category(name="Awareness day", slug="awareness-days"):
    from events.models import EventCategory

    category, _ = EventCategory.objects.get_or_create(name=name, defaults={"slug": slug})
    return category


def make_event(index, title, start_date, *, end_date=None, live=True, **fields):
    from events.models import EventPage

    event = EventPage(
        title=title,
        start_date=start_date,
        end_date=end_date,
        category=fields.pop("category", None) or make_category(),
        summary=fields.pop("summary", f"{title} for practitioners in Leeds."),
        live=live,
        **fields,
    )
    index.add_child(instance=event)
    if live:
        event.save_revision().publish()
    return event


def make_training_index(home):
    from training.models import TrainingIndexPage

    index = TrainingIndexPage(title="Training", slug="training")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def make_course(index, title, *, sessions=(), live=True):
    """A course with sessions given as (start datetime, capacity)."""
    from training.models import CoursePage, Session

    course = CoursePage(title=title, summary=f"What {title} covers and why it matters.", live=live)
    for start, capacity in sessions:
        course.sessions.add(
            Session(start=start, end=start + datetime.timedelta(hours=2), capacity=capacity)
        )
    index.add_child(instance=course)
    if live:
        course.save_revision().publish()
    return course


def london(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def now():
    return timezone.now()
