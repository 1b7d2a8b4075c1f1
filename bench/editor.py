"""An editor at work beside the benchmark: a Django process of its own under the bench
settings (bench/pages.py starts it with the large site's environment), taking one command
a line on stdin and answering one JSON line on stdout.

    paths        the addresses bench/pages.py measures that depend on the content: the
                 generated issue with the most sections and the send-day mix of 26 pages
    invalidate   a new content version, as any publish sets (fragment caches cold)
    publish      the newest issue gets a new title through Wagtail: save_revision().publish()
    restore      the newest issue gets back the title it had when this process started
    quit

Publishing here is what the admin's "Publish" does, signals and all, so the page cache,
the fragment caches and the search index's queue see a real publish.
"""

import json
import os
import re
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SEARCHES = ["/search/?q=safeguarding", "/search/?q=neglect"]
EDIT_MARK = re.compile(r" \(send day, edit \d+\)$")


def section_count(issue):
    return sum(1 for block in issue.body.raw_data if block["type"] == "section")


def longest_issue(issues):
    """The issue with the most sections (then the most blocks): the costliest to render."""
    return max(
        issues, key=lambda issue: (section_count(issue), len(issue.body.raw_data)), default=None
    )


def spread(items, count):
    """``count`` items taken evenly through ``items``."""
    items = list(items)
    if len(items) <= count:
        return items
    step = len(items) / count
    return [items[int(number * step)] for number in range(count)]


def paths():
    from django.db.models import Count
    from django.utils import timezone

    from events.models import EventPage
    from newsletter.models import NewsletterIssuePage
    from training.models import CoursePage

    issues = NewsletterIssuePage.objects.live().order_by("-issue_date")
    longest = longest_issue(issues.filter(owner__username="content-generator"))
    courses = (
        CoursePage.objects.live().annotate(dates=Count("sessions")).order_by("-dates", "pk")[:5]
    )
    now = timezone.now()
    events = spread(EventPage.objects.live().filter(ends_at__gt=now).order_by("ends_at"), 3)
    events += spread(EventPage.objects.live().filter(ends_at__lte=now).order_by("-ends_at"), 2)
    newest = issues.first()
    year = f"/newsletter/{newest.issue_date.year}/" if newest else "/newsletter/"
    mix = (
        ["/", "/newsletter/", year]
        + [issue.url for issue in spread(issues, 8)]
        + ["/training/"]
        + [course.url for course in courses]
        + ["/events/", "/events/past/"]
        + [event.url for event in events]
        + SEARCHES
    )
    return {
        "generated_issue": longest.url if longest else "",
        "generated_issue_sections": section_count(longest) if longest else 0,
        "send_day": mix,
    }


def newest_issue():
    from newsletter.models import NewsletterIssuePage

    return NewsletterIssuePage.objects.live().order_by("-issue_date", "-pk").first()


def publish_title(title):
    issue = newest_issue()
    issue.title = title
    started = time.perf_counter()
    issue.save_revision().publish()
    return {"title": title, "url": issue.url, "seconds": time.perf_counter() - started}


def main():
    from lscp_site.pagecache import invalidate_pages

    original = EDIT_MARK.sub("", newest_issue().title)  # an interrupted run's edit
    published = 0
    for line in sys.stdin:
        command = line.strip()
        if command == "paths":
            answer = paths()
        elif command == "invalidate":
            invalidate_pages()
            answer = {"ok": True}
        elif command == "publish":
            published += 1
            answer = publish_title(f"{original} (send day, edit {published})")
        elif command == "restore":
            answer = publish_title(original)
        elif command == "quit":
            break
        else:
            answer = {"error": f"unknown command {command!r}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.pages_settings")
    import django

    django.setup()
    main()
