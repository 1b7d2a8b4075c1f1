"""The large generated site (bench/generate.py) and what pages cost on it.

Every page type is rendered with the page cache off, so each request runs the view, and its
queries are counted: a small fixed number, the same on a small and on a larger site.
"""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import Page

import pytest

from bench import generate as generator
from lscp_site.pagecache import invalidate_pages

# Small but many: every kind of content and block, more of each than a page shows at once.
MANY = {"issues": 30, "courses": 24, "sessions": 90, "events": 70, "subscribers": 40}
FEW = {"issues": 3, "courses": 3, "sessions": 6, "events": 4, "subscribers": 4}
# The most queries each page type may run with its fragments warm. Every page: Wagtail's
# routing (the site, the home page as its own type, then each page on the way as a plain page
# and as its own type; a child of a one-type index as its own type at once:
# lscp_site.models.ChildPagesOfOneType) and the page's view restrictions (its ancestors, then
# their restrictions). Site settings, sign-up topics and the content are in fragments.
MAX_QUERIES = {
    "home": 4,
    # Then the listing's private pages (Wagtail's public()) and its count.
    "newsletter index": 8,
    "year page": 8,
    "issue": 7,
    "training catalogue": 8,
    # And the first session to come, from which the listing changes.
    "training catalogue, dates to come": 9,
    "course": 7,
    "events": 8,
    "event": 7,
    # A view of its own: the results' private pages, their count and the sign-up topics.
    "search": 3,
}


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Every request runs the view: the page cache would answer repeats without a query."""
    settings.PAGE_CACHE_ENABLED = False


def build(sizes, seed=7):
    return generator.generate(seed=seed, pictures=2, **sizes)


def generated(model):
    return model.objects.filter(owner__username=generator.GENERATOR_USERNAME)


def richest_issue():
    """The generated issue with every kind of block: pictures, links, a diary, a spotlight."""
    from newsletter.models import NewsletterIssuePage

    def score(issue):
        kinds = {block["type"] for block in issue.body.raw_data}
        pictures = sum(
            1 for block in issue.body.raw_data if (block["value"] or {}).get("image") is not None
        )
        links = issue.body.raw_data and str(issue.body.raw_data).count('linktype=\\"page\\"')
        return (len(kinds), min(pictures, 1), min(links or 0, 1), len(issue.body.raw_data))

    return max(generated(NewsletterIssuePage), key=score)


def page_paths():
    from events.models import EventPage
    from training.models import CoursePage

    issue = richest_issue()
    course = max(generated(CoursePage), key=lambda course: course.sessions.count())
    event = generated(EventPage).filter(ends_at__gt=timezone.now()).order_by("start_date").first()
    return {
        "home": "/",
        "newsletter index": "/newsletter/",
        "year page": f"/newsletter/{issue.issue_date.year}/",
        "issue": issue.url,
        "training catalogue": "/training/",
        "training catalogue, dates to come": "/training/?upcoming=on",
        "course": course.url,
        "events": "/events/",
        "event": event.url,
        "search": "/search/?q=safeguarding",
    }


def count_queries(client, path):
    client.get(path)  # the first view makes picture renditions and fills shared caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries), response


# --- Query counts on the large content set ------------------------------------------------------


@pytest.mark.django_db
def test_every_page_type_runs_a_small_fixed_number_of_queries_on_a_large_site(client):
    build(MANY)
    counts = {name: count_queries(client, path)[0] for name, path in page_paths().items()}
    print(counts)  # noqa: T201 - shown with pytest -s, to set the limits
    over = {name: count for name, count in counts.items() if count > MAX_QUERIES[name]}
    assert not over, f"more queries than allowed {MAX_QUERIES}: {over}"


@pytest.mark.django_db
def test_listing_pages_run_the_same_queries_on_a_small_and_a_large_site(client):
    listings = ["/", "/newsletter/", "/training/", "/training/?upcoming=on", "/events/"]
    search = "/search/?q=safeguarding"
    build(FEW)
    few = {path: count_queries(client, path)[0] for path in listings}
    few_search = count_queries(client, search)[0]
    build(MANY)
    many = {path: count_queries(client, path)[0] for path in listings}
    assert many == few
    # Search describes its results in one query, however many kinds of page they are.
    assert count_queries(client, search)[0] == few_search <= MAX_QUERIES["search"]


@pytest.mark.django_db
def test_an_issue_costs_the_same_queries_with_3_or_20_linked_and_pictured_sections(client):
    from newsletter.models import NewsletterIssuePage

    build(FEW)
    index = Page.objects.get(url_path="/home-lscp/newsletter/")
    course, event = (
        Page.objects.filter(url_path__startswith=prefix, depth=4).first()
        for prefix in ("/home-lscp/training/", "/home-lscp/events/")
    )
    image = generator.get_image_model().objects.first()
    words = generator.Words(generator.random.Random(1))

    def issue(month, sections):
        body = [
            {
                "type": "section",
                "value": {
                    "heading": f"Section {number}",
                    "text": f'<p>See <a linktype="page" id="{course.pk}">the course</a> and '
                    f'<a linktype="page" id="{event.pk}">the event</a>.</p>',
                    "image": image.pk,
                    "image_alt": "A picture",
                    "calls_to_action": [
                        {
                            "type": "item",
                            "value": {"link_text": "Book", "page": course.pk},
                            "id": words.uuid(),
                        }
                    ],
                },
            }
            for number in range(sections)
        ]
        page = NewsletterIssuePage(
            title="Test issue",
            slug=f"test-{sections}",
            issue_date=month,
            summary="Testing.",
            body=body,
        )
        return generator.add_pages(
            index, [page], owner=None, published_at=timezone.now(), words=words
        )[0]

    small = issue(datetime.date(1990, 1, 1), 3)
    large = issue(datetime.date(1990, 2, 1), 20)
    small_count, _ = count_queries(client, small.url)
    large_count, response = count_queries(client, large.url)
    assert large_count == small_count
    # The first view after a publish renders the body afresh: Wagtail expands each
    # section's links to pages on its own (a query or two a section that links pages).
    cold = {}
    for page in (small, large):
        invalidate_pages()
        with CaptureQueriesContext(connection) as queries:
            client.get(page.url)
        cold[page.pk] = len(queries)
    print({"warm": large_count, "cold, 3 sections": cold[small.pk], "cold, 20": cold[large.pk]})  # noqa: T201
    html = response.content.decode()
    assert html.count("<picture>") == 20
    assert html.count(f'href="{course.url}"') == 40  # each section's text and its button


@pytest.mark.django_db
def test_an_automatic_diary_shows_the_first_15_dates_and_links_to_all_of_them(client):
    from events.models import EventCategory, EventPage
    from newsletter.models import NewsletterIssuePage

    build(FEW)
    words = generator.Words(generator.random.Random(2))
    start = datetime.date(2031, 3, 1)
    events = [
        EventPage(
            title=f"Briefing {number:02d}",
            slug=f"briefing-{number:02d}",
            start_date=start + datetime.timedelta(days=number),
            category=EventCategory.objects.first(),
            summary="A briefing.",
        )
        for number in range(25)
    ]
    for event in events:
        event.ends_at = event.compute_ends_at()
    generator.add_pages(
        Page.objects.get(url_path="/home-lscp/events/"),
        events,
        owner=None,
        published_at=timezone.now(),
        words=words,
    )
    diary = {"heading": "Dates", "mode": "automatic", "weeks": 8, "include_training": True}
    issue = generator.add_pages(
        Page.objects.get(url_path="/home-lscp/newsletter/"),
        [
            NewsletterIssuePage(
                title="March Newsletter",
                slug="march-2031",
                issue_date=start,
                summary="Dates.",
                body=[{"type": "diary", "value": {**diary, "events": []}, "id": words.uuid()}],
            )
        ],
        owner=None,
        published_at=timezone.now(),
        words=words,
    )[0]

    html = client.get(issue.url).content.decode()
    listed = re.findall(r">Briefing (\d\d)<", html)
    assert listed == [f"{number:02d}" for number in range(15)]
    assert '<a href="/events/">All dates for your diary</a>' in html
