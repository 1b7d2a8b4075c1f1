"""Checks before an issue goes to thousands: pictures without alternative text, links that
do not say where they go, links that answer with an error, dates already past, empty
sections. Each problem names where it is and links to the editor at that block.

``content_problems(issue)`` reads only the issue and the database: the confirm step of
"Send to subscribers" and the editor's panel show them at once. Links to other sites are
checked by ``check_links_task`` in the background (a short time limit per link and for all
of them), its answer kept in the cache under the issue's revision; ``link_check(issue)``
returns what is known so far and queues the check if nobody has. Nothing here stops a send:
the editor sees the problems and may send anyway.
"""

import datetime
import re
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import asdict, dataclass
from html.parser import HTMLParser

from django.conf import settings
from django.core.cache import cache
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from wagtail.models import Page

from events.dates import format_when
from events.models import EventPage
from newsletter.blocks import DiaryMode

# Link text that says nothing out of context (WCAG 2.4.4), compared lower-cased and trimmed.
VAGUE_LINK_TEXT = {
    "click here",
    "here",
    "click",
    "link",
    "this link",
    "more",
    "read more",
    "more info",
    "more information",
    "find out more",
    "learn more",
    "this page",
    "website",
    "go",
}
CACHE_PREFIX = "newsletter:link-check"
USER_AGENT = "LSCP newsletter link check"


@dataclass(frozen=True)
class Problem:
    """One thing to look at before sending: what, where, and the editor's link to fix it."""

    kind: str
    message: str
    where: str
    fix_url: str


def link_timeout():
    return float(getattr(settings, "NEWSLETTER_LINK_CHECK_TIMEOUT", 5))


def link_budget():
    return float(getattr(settings, "NEWSLETTER_LINK_CHECK_LIMIT", 30))


def edit_url(issue, block_id=None):
    """The issue's editor, scrolled to the block (Wagtail's stream block anchor)."""
    url = reverse("wagtailadmin_pages:edit", args=[issue.pk])
    return f"{url}#block-{block_id}-section" if block_id else url


class _Links(HTMLParser):
    """(href, linktype, page id, text) of every <a> in stored rich text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            attrs = dict(attrs)
            self._open = [attrs.get("href") or "", attrs.get("linktype") or "", attrs.get("id"), ""]
        elif tag == "embed":
            attrs = dict(attrs)
            if attrs.get("embedtype") == "image":
                self.found.append(("", "image", attrs.get("id"), attrs.get("alt") or ""))

    def handle_data(self, data):
        if self._open is not None:
            self._open[3] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            self.found.append(tuple(self._open))
            self._open = None


def rich_text_links(source):
    parser = _Links()
    parser.feed(source or "")
    parser.close()
    return parser.found


@dataclass(frozen=True)
class Link:
    url: str  # a web address, or "" for a page of this site
    page_id: int | None
    text: str
    block_id: str
    where: str


def _section_links(block, where):
    value = block.value
    links = []
    for href, linktype, page_id, text in rich_text_links(getattr(value.get("text"), "source", "")):
        if linktype == "image":
            continue
        links.append(
            Link(
                url=href if not linktype else "",
                page_id=int(page_id) if linktype == "page" and str(page_id).isdigit() else None,
                text=" ".join(text.split()),
                block_id=block.id,
                where=where,
            )
        )
    for action in value.get("calls_to_action") or []:
        page = action.get("page")
        links.append(
            Link(
                url="" if page is not None else (action.get("url") or ""),
                page_id=page.pk if page is not None else None,
                text=action.get("link_text") or "",
                block_id=block.id,
                where=where,
            )
        )
    return links


def _where(block, number):
    heading = (block.value.get("heading") or "").strip() if hasattr(block.value, "get") else ""
    return f"Section {number}: “{heading}”" if heading else f"Block {number}"


def issue_links(issue):
    links = []
    for number, block in enumerate(issue.body, start=1):
        if block.block_type == "section":
            links.extend(_section_links(block, _where(block, number)))
    return links


def content_problems(issue, *, now=None):
    """Every problem found without the network, in the order of the issue."""
    now = now or timezone.now()
    problems = []
    events = {}
    for number, block in enumerate(issue.body, start=1):
        where = _where(block, number)
        fix = edit_url(issue, block.id)
        if block.block_type == "section":
            problems.extend(_section_problems(block, where=where, fix=fix))
        elif block.block_type == "diary":
            value = block.value
            if value.get("mode") == DiaryMode.CHOSEN:
                for page in value.get("events") or []:
                    if page is not None:
                        events.setdefault(page.pk, (where, fix))
            else:
                context = block.block.get_context(value, parent_context={"issue": issue})
                if not context["diary_items"]:
                    problems.append(
                        Problem(
                            "empty_section",
                            "“Dates for your diary” lists nothing: no events or sessions fall "
                            "in its weeks.",
                            where,
                            fix,
                        )
                    )
    for link in issue_links(issue):
        if link.page_id is not None:
            events.setdefault(link.page_id, (link.where, edit_url(issue, link.block_id)))
    problems.extend(_linked_page_problems(events, now=now))
    return problems


def _section_problems(block, *, where, fix):
    value = block.value
    problems = []
    text = value.get("text")
    source = getattr(text, "source", "") or ""
    if not strip_tags(source).strip() and not value.get("calls_to_action"):
        problems.append(Problem("empty_section", "This section has no text.", where, fix))
    if (
        value.get("image") is not None
        and not (value.get("image_alt") or "").strip()
        and not value.get("image_decorative")
    ):
        problems.append(
            Problem(
                "alt_text",
                "The picture has no description (alt text) for people who cannot see it.",
                where,
                fix,
            )
        )
    for _href, linktype, _id, alt in rich_text_links(source):
        if linktype == "image" and not alt.strip():
            problems.append(
                Problem("alt_text", "A picture in the text has no description.", where, fix)
            )
    for link in _section_links(block, where):
        if link.text.strip().lower().strip(".:!") in VAGUE_LINK_TEXT:
            problems.append(
                Problem(
                    "link_text",
                    f"The link “{link.text}” does not say where it goes. Use words that make "
                    "sense on their own, such as “Read the escalation policy”.",
                    where,
                    fix,
                )
            )
    return problems


def _linked_page_problems(pages, *, now):
    """Linked or listed pages that are gone, unpublished, or events already over."""
    if not pages:
        return []
    found = {page.pk: page for page in Page.objects.filter(pk__in=list(pages)).specific()}
    problems = []
    for page_id, (where, fix) in pages.items():
        page = found.get(page_id)
        if page is None or not page.live:
            problems.append(
                Problem(
                    "broken_link",
                    "A link points to a page that is deleted or not published.",
                    where,
                    fix,
                )
            )
        elif isinstance(page, EventPage) and page.ends_at and page.ends_at < now:
            problems.append(
                Problem(
                    "past_date",
                    f"The event “{page.title}” ({format_when(page.starts, page.ends)}) is "
                    "already over.",
                    where,
                    fix,
                )
            )
    return problems


# --- Links to other sites, checked in the background ----------------------------------------


def _cache_key(issue, revision_id):
    return f"{CACHE_PREFIX}:{issue.pk}:{revision_id or 0}"


def web_links(issue):
    """The distinct http(s) addresses an issue links to, with where each first appears."""
    seen = {}
    for link in issue_links(issue):
        if re.match(r"^https?://", link.url) and link.url not in seen:
            seen[link.url] = link
    return list(seen.values())


def link_check(issue, *, revision_id, start=True):
    """What is known about the web links of the issue as saved in ``revision_id`` (the live
    one on the confirm step, the latest in the editor): {"finished": bool, "problems":
    [Problem], "checked": int}. Queues the check, once per revision, when nothing is known."""
    if not getattr(settings, "NEWSLETTER_LINK_CHECK", True):
        return None
    key = _cache_key(issue, revision_id)
    waiting = {"finished": False, "problems": [], "checked": 0}
    known = cache.get(key)
    if known is None:
        if not start:
            return waiting
        # add() is atomic: of two editors opening the page at once, one queues the check.
        if cache.add(key, waiting):
            check_links_task.enqueue(issue_id=issue.pk, revision_id=revision_id)
        known = cache.get(key) or waiting
    return {**known, "problems": [Problem(**problem) for problem in known["problems"]]}


def link_status(url, *, timeout):
    """The HTTP status an address answers with (HEAD, then GET if HEAD is refused), or a
    string saying why there was no answer."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in (403, 405, 501):
                continue
            return error.code
        except (urllib.error.URLError, OSError, ValueError) as error:
            return f"no answer ({getattr(error, 'reason', error)})"
    return None


def check_links(*, issue, revision_id, now=None):
    """Check the issue's web links at once (the task); returns and caches the result."""
    links = web_links(issue)
    problems = []
    checked = 0
    pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="link-check")
    futures = {pool.submit(link_status, link.url, timeout=link_timeout()): link for link in links}
    try:
        for future in as_completed(futures, timeout=link_budget()):
            link = futures[future]
            status = future.result()
            checked += 1
            if isinstance(status, int) and status < 400:
                continue
            answer = f"answers {status}" if isinstance(status, int) else status
            problems.append(
                Problem(
                    "broken_link",
                    f"The link “{link.text or link.url}” to {link.url} {answer}.",
                    link.where,
                    edit_url(issue, link.block_id),
                )
            )
    except FuturesTimeout:
        problems.append(
            Problem(
                "unchecked_links",
                f"{len(links) - checked} of {len(links)} links could not be checked in time.",
                "Links to other sites",
                edit_url(issue),
            )
        )
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    result = {
        "finished": True,
        "problems": [asdict(problem) for problem in problems],
        "checked": checked,
        "checked_at": (now or timezone.now()).isoformat(),
    }
    cache.set(
        _cache_key(issue, revision_id), result, timeout=datetime.timedelta(days=1).total_seconds()
    )
    return result


@task
def check_links_task(*, issue_id, revision_id=None):
    """Check an issue's web links (the version saved as ``revision_id``)."""
    # Through Page, not the issue model: the issue's editor panel imports this module.
    issue = Page.objects.filter(pk=issue_id).specific().first()
    if issue is None:
        return None
    revision = issue.revisions.filter(pk=revision_id).first() if revision_id else None
    if revision is not None:
        issue = revision.as_object()
    return len(check_links(issue=issue, revision_id=revision_id)["problems"])
