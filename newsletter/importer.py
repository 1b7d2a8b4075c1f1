"""Import past issues from their plain-text form (see newsletter/parsing.py for the form).

``import_issue_file(path, issue_date=None, publish=False)`` reads one file and creates the
issue, or updates the issue already there for that month: importing a file again creates
no duplicate, and importing an unchanged file changes nothing (no new revision). Each file
is imported in one transaction, so a file with a problem leaves nothing half-written.

What the text becomes:
- the first line: the title; the month from --date, else from the title (and the text);
- "In this issue:" and its paragraph: the summary;
- each heading and its paragraphs: a section; email addresses and web addresses become
  links; lines starting with "- " become a list; "Book your place on X" becomes a call to
  action linking the course page titled X (if there is none, the training programme page,
  with a warning; if there is no training page either, it stays a paragraph);
- "Dates for your diary": each line becomes an event in the events app (matched by title
  and start date if it is already there, otherwise created and published), listed by a
  hand-picked diary block;
- the "Register for your copy" boilerplate: the sign-up prompt block.

Text from a file is escaped, and the HTML built from it passes through nh3 before it is
stored: rich text is output as stored, so nothing from a file may carry markup of its own.
"""

import datetime
import json
import re
import uuid
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

import nh3

from events.dates import format_when
from events.models import EventCategory, EventIndexPage, EventPage
from newsletter import parsing
from newsletter.blocks import DiaryMode
from newsletter.dates import issue_slug, month_label, start_of_month
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage
from training.models import CoursePage, TrainingIndexPage

ALLOWED_TAGS = {"p", "ul", "li", "a", "b", "i"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINKS = re.compile(
    r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)|(?P<url>https?://[^\s<>\"]+|www\.[^\s<>\"]+)"
)
BLOCK_ID_NAMESPACE = uuid.UUID("5c1e8a56-7d2b-4b7e-9a4f-2f1d3c6b8e01")


class IssueImportError(Exception):
    """An issue file that cannot be imported, naming the file and the line."""

    def __init__(self, message, *, line=None, source=""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.source = str(source)

    def __str__(self):
        where = ", ".join(
            part for part in (self.source, f"line {self.line}" if self.line else "") if part
        )
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ImportResult:
    issue: object
    created: bool = False
    changed: bool = False
    published: bool = False
    events_created: int = 0
    warnings: list[str] = field(default_factory=list)

    def describe(self):
        label = month_label(self.issue.issue_date)
        if self.created:
            action = "Created"
        elif self.changed:
            action = "Updated"
        else:
            action = "Unchanged:"
        state = "published" if self.issue.live else "draft"
        text = f"{action} the {label} issue “{self.issue.title}” ({state}) at {self.issue.url_path}"
        if self.events_created:
            text += (
                f"; {self.events_created} new diary event{'s' if self.events_created > 1 else ''}"
            )
        return text


# --- Text to HTML -------------------------------------------------------------------------


def sanitise(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
    )


def linkify(text):
    """Escaped text with email addresses as mailto links and web addresses as links."""
    html, position = [], 0
    for match in LINKS.finditer(text):
        found = match.group()
        if match["url"]:
            found = found.rstrip(".,;:!?)'’")
        html.append(escape(text[position : match.start()]))
        if match["email"]:
            html.append(f'<a href="mailto:{escape(found)}">{escape(found)}</a>')
        else:
            href = found if found.startswith("http") else f"https://{found}"
            html.append(f'<a href="{escape(href)}">{escape(found)}</a>')
        position = match.start() + len(found)
    html.append(escape(text[position:]))
    return "".join(html)


def section_html(parts):
    html = []
    for part in parts:
        if isinstance(part, parsing.TextParagraph):
            html.append(f"<p>{linkify(part.text)}</p>")
        elif isinstance(part, parsing.ListItems):
            items = "".join(f"<li>{linkify(item)}</li>" for item in part.items)
            html.append(f"<ul>{items}</ul>")
    return sanitise("".join(html))


# --- Finding and creating what the issue links to -----------------------------------------


def _normalise_title(text):
    text = re.sub(r"[‐‑‒–—―-]", "-", text)
    text = text.replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", text).strip().rstrip(".").lower()


class Links:
    """Looks up courses and diary events for one import, with few queries."""

    def __init__(self):
        courses = {}
        for course in CoursePage.objects.order_by("-live", "pk").only("id", "title", "live"):
            courses.setdefault(_normalise_title(course.title), course)
        self.courses = courses
        self.training_index = TrainingIndexPage.objects.order_by("-live", "pk").first()
        self._event_index = None

    def course(self, title):
        return self.courses.get(_normalise_title(title))

    def event_index(self, *, line):
        if self._event_index is None:
            self._event_index = EventIndexPage.objects.order_by("-live", "pk").first()
        if self._event_index is None:
            raise parsing.IssueParseError(
                "there is no 'Dates for your diary' page (the events listing) to add these "
                "dates to. Create it in the admin first.",
                line=line,
            )
        return self._event_index


def diary_category(title):
    """The event category for a date read from an issue: by what the title says it is."""
    lowered = title.lower()
    if re.search(r"\bweek\b", lowered):
        name = "Awareness week"
    elif re.search(r"\bday\b", lowered):
        name = "Awareness day"
    else:
        name = "Date for your diary"
    category = EventCategory.objects.filter(name__iexact=name).first()
    if category is None:
        slug, number = slugify(name) + "s", 2
        while EventCategory.objects.filter(slug=slug).exists():
            slug, number = f"{slugify(name)}s-{number}", number + 1
        category = EventCategory.objects.create(name=name, slug=slug)
    return category


def get_or_create_diary_event(*, title, start, end=None, index):
    """The event with this title starting on this day, or a new published one.

    The events app has no importing function of its own; this uses EventPage's public
    fields only. Returns (event, created).
    """
    wanted = _normalise_title(title)
    for event in EventPage.objects.filter(start_date=start).order_by("-live", "pk"):
        if _normalise_title(event.title) == wanted:
            return event, False
    base = f"{slugify(title)[:80].rstrip('-') or 'date'}-{start.year}"
    siblings = set(index.get_children().values_list("slug", flat=True))
    slug, number = base, 2
    while slug in siblings:
        slug, number = f"{base}-{number}", number + 1
    event = EventPage(
        title=title,
        slug=slug,
        start_date=start,
        end_date=end,
        category=diary_category(title),
        summary=f"{title}: {format_when(start, end)}."[:300],
    )
    index.add_child(instance=event)
    event.save_revision().publish()
    return event, True


# --- The body ----------------------------------------------------------------------------


def _block_id(issue_date, *parts):
    name = "/".join(str(part) for part in (f"{issue_date:%Y-%m}", *parts))
    return str(uuid.uuid5(BLOCK_ID_NAMESPACE, name))


def build_body(parsed, *, links, result):
    """The issue's body as stored (StreamField JSON), with stable block ids so that
    importing the same text again gives the same body."""
    body = []
    for position, block in enumerate(parsed.blocks):
        block_id = _block_id(parsed.issue_date, position)
        if isinstance(block, parsing.Section):
            actions = []
            for part in block.parts:
                if not isinstance(part, parsing.CallToAction):
                    continue
                target = links.course(part.course_title)
                if target is None:
                    target = links.training_index
                    if target is None:
                        result.warnings.append(
                            f"line {part.line}: no course titled “{part.course_title}” and "
                            "no training page; kept as text."
                        )
                        block.parts[block.parts.index(part)] = parsing.TextParagraph(
                            part.line, part.link_text + "."
                        )
                        continue
                    result.warnings.append(
                        f"line {part.line}: no course titled “{part.course_title}”; the call "
                        f"to action links to the “{target.title}” page instead."
                    )
                actions.append(
                    {
                        "type": "item",
                        "id": _block_id(parsed.issue_date, position, "action", len(actions)),
                        "value": {"link_text": part.link_text, "page": target.pk, "url": ""},
                    }
                )
            body.append(
                {
                    "type": "section",
                    "id": block_id,
                    "value": {
                        "heading": block.heading,
                        "text": section_html(block.parts),
                        "image": None,
                        "image_alt": "",
                        "image_decorative": False,
                        "calls_to_action": actions,
                    },
                }
            )
        elif isinstance(block, parsing.Diary):
            events = []
            for date in block.dates:
                event, created = get_or_create_diary_event(
                    title=date.title,
                    start=date.start,
                    end=date.end,
                    index=links.event_index(line=date.line),
                )
                result.events_created += created
                events.append(
                    {
                        "type": "item",
                        "id": _block_id(parsed.issue_date, position, "event", len(events)),
                        "value": event.pk,
                    }
                )
            body.append(
                {
                    "type": "diary",
                    "id": block_id,
                    "value": {
                        "heading": block.heading,
                        "mode": DiaryMode.CHOSEN,
                        "weeks": 8,
                        "include_training": True,
                        "events": events,
                    },
                }
            )
        elif isinstance(block, parsing.SignupPrompt):
            body.append({"type": "signup_prompt", "id": block_id, "value": None})
    return body


def _same_body(stream_value, body):
    stored = [dict(item) for item in stream_value.raw_data]
    return json.dumps(stored, sort_keys=True) == json.dumps(body, sort_keys=True)


# --- Saving ------------------------------------------------------------------------------


def _came_out_at(issue_date):
    """The start of a past issue's month; None for this month's or a later issue, which
    comes out when it is published."""
    moment = start_of_month(issue_date)
    next_month = start_of_month(moment.date() + datetime.timedelta(days=32))
    return moment if next_month <= timezone.now() else None


def save_issue(parsed, *, publish=False, index=None):
    """Create or update the issue for ``parsed.issue_date``; one transaction."""
    with transaction.atomic():
        index = index or NewsletterIndexPage.objects.first()
        if index is None:
            raise IssueImportError(
                "there is no newsletter archive page to add the issue to. Run "
                "`manage.py load_demo` or create the 'Newsletter' page in the admin first."
            )
        existing = (
            NewsletterIssuePage.objects.select_for_update()
            .filter(issue_date=parsed.issue_date)
            .first()
        )
        result = ImportResult(issue=existing)
        body = build_body(parsed, links=Links(), result=result)

        if existing is None:
            issue = NewsletterIssuePage(
                title=parsed.title,
                slug=issue_slug(parsed.issue_date),
                issue_date=parsed.issue_date,
                summary=parsed.summary,
                body=body,
                live=False,
                # A back issue came out in its own month, not on the day it was imported:
                # publishing keeps a first-published date it is given.
                first_published_at=_came_out_at(parsed.issue_date),
            )
            index.add_child(instance=issue)  # validates the page (Page.save runs full_clean)
            revision = issue.save_revision()
            result.created = result.changed = True
        else:
            draft = existing.get_latest_revision_as_object()
            unchanged = (
                draft.title == parsed.title
                and draft.summary == parsed.summary
                and _same_body(draft.body, body)
            )
            if unchanged:
                revision = existing.get_latest_revision()
                issue = existing
            else:
                draft.title = parsed.title
                draft.draft_title = parsed.title
                draft.summary = parsed.summary
                draft.body = body
                revision = draft.save_revision()  # validates the page first
                issue = draft
                result.changed = True
        if publish and (result.changed or not issue.live or issue.has_unpublished_changes):
            revision.publish()
            result.published = True
            issue.refresh_from_db()
        result.issue = issue
        return result


def import_issue_text(text, *, issue_date=None, publish=False, source=""):
    try:
        parsed = parsing.parse_issue(text, issue_date=issue_date)
        return save_issue(parsed, publish=publish)
    except parsing.IssueParseError as error:
        raise IssueImportError(error.message, line=error.line, source=source) from None
    except ValidationError as error:
        messages = "; ".join(
            f"{name}: {' '.join(errors)}" if name != "__all__" else " ".join(errors)
            for name, errors in error.message_dict.items()
        )
        raise IssueImportError(f"the issue is not valid: {messages}", source=source) from None
    except IssueImportError as error:
        error.source = error.source or str(source)
        raise


def import_issue_file(path, *, issue_date=None, publish=False):
    """Import one file; raises IssueImportError naming the file and line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise IssueImportError(f"cannot read the file ({error.strerror}).", source=path) from None
    try:
        text = parsing.read_text(data)
    except parsing.IssueParseError as error:
        raise IssueImportError(error.message, line=error.line, source=path) from None
    return import_issue_text(text, issue_date=issue_date, publish=publish, source=path)
