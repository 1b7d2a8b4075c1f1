"""Page routing in one query (lscp_site/routing.py) gives exactly what Wagtail's own walk
gives, for every kind of address, in fewer queries."""

import datetime

from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page

import pytest

from lscp_site import generate as generator
from lscp_site import routing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def site():
    generator.generate(seed=5, pictures=1, issues=2, courses=2, sessions=3, events=3, subscribers=1)
    return Page.objects.get(depth=2)  # the home page


def _route_with(route_for_request, path):
    """(page id, page class, args, kwargs) of the route found, or "404"."""
    request = RequestFactory().get(f"/{path}")
    try:
        result = route_for_request(request, path)
    except Http404:
        return "404"
    return "404" if result is None else _comparable(result)


def wagtail_route(path):
    """Wagtail's own answer."""
    return _route_with(Page.route_for_request, path)


def lean_route(path):
    return _route_with(routing.route_for_request, path)


def _comparable(result):
    page, args, kwargs = result
    # Routable pages pass (view, args, kwargs): compare the view by name, not the bound method.
    args = tuple(getattr(arg, "__name__", arg) for arg in args)
    return page.pk, type(page), args, kwargs


def addresses(home):
    from events.models import EventPage
    from newsletter.models import NewsletterIssuePage
    from training.models import CoursePage

    issue = NewsletterIssuePage.objects.live().first()
    course = CoursePage.objects.live().first()
    session = course.sessions.first()
    event = EventPage.objects.live().first()
    year = issue.issue_date.year
    return [
        "",
        "privacy/",
        "newsletter/",
        f"newsletter/{year}/",  # a routable page's own sub-URL
        "newsletter/1999/",  # matches the year route; the view itself says 404
        issue.url.lstrip("/"),
        f"{issue.url.lstrip('/')}no-such-page/",
        "training/",
        course.url.lstrip("/"),
        f"{course.url.lstrip('/')}book/{session.pk}/",
        "events/",
        "events/past/",
        f"events/category/{event.category.slug}/",
        event.url.lstrip("/"),
        "no-such-page/",
        "no/such/page/",
        "newsletter/no-such-issue/",
    ]


def test_every_kind_of_address_routes_as_wagtail_routes_it(site):
    for path in addresses(site):
        assert lean_route(path) == wagtail_route(path), path


def test_pages_not_live_are_404_but_their_live_children_are_served_as_in_wagtail(site):
    from newsletter.models import NewsletterIndexPage

    index = NewsletterIndexPage.objects.get()
    issue = index.get_children().live().first()
    issue_path = issue.url.lstrip("/")
    index.unpublish()
    for path in ("newsletter/", issue_path, "newsletter/2025/"):
        assert lean_route(path) == wagtail_route(path), path
    assert lean_route("newsletter/") == "404"
    assert lean_route(issue_path)[0] == issue.pk  # Wagtail serves it too

    issue.refresh_from_db()
    issue.unpublish()
    assert lean_route(issue_path) == wagtail_route(issue_path) == "404"


def test_a_page_whose_slug_is_a_routable_sub_url_is_shadowed_as_in_wagtail(site):
    """An event slugged "past" sits under /events/, whose own route /events/past/ wins."""
    from events.models import EventCategory, EventIndexPage, EventPage

    index = EventIndexPage.objects.get()
    index.add_child(
        instance=EventPage(
            title="Past",
            slug="past",
            category=EventCategory.objects.first(),
            start_date=datetime.date(2026, 1, 5),
            summary="A date slugged like the listing of past dates.",
        )
    )
    assert lean_route("events/past/") == wagtail_route("events/past/")
    assert lean_route("events/past/")[0] == index.pk


def test_a_renamed_section_routes_at_its_new_address_only(site):
    from newsletter.models import NewsletterIndexPage

    index = NewsletterIndexPage.objects.get()
    issue = index.get_children().live().first()
    index.slug = "bulletin"
    index.save_revision().publish()
    new_issue_path = f"bulletin/{issue.slug}/"

    assert lean_route(new_issue_path) == wagtail_route(new_issue_path)
    assert lean_route(new_issue_path)[0] == issue.pk
    assert lean_route(f"newsletter/{issue.slug}/") == "404"


def test_an_issue_is_found_in_three_queries_not_six(site):
    from newsletter.models import NewsletterIssuePage

    path = NewsletterIssuePage.objects.live().first().url.lstrip("/")
    lean_route(path)  # Wagtail's cache of site root paths is filled on first use
    with CaptureQueriesContext(connection) as lean:
        lean_route(path)
    with CaptureQueriesContext(connection) as wagtail:
        wagtail_route(path)

    # The site, the pages on the way, the issue's own row.
    assert len(lean) == 3
    assert len(wagtail) == 6


def test_the_served_issue_shows_its_section_in_the_breadcrumbs_without_a_query_for_it(client, site):
    from newsletter.models import NewsletterIssuePage

    issue = NewsletterIssuePage.objects.live().first()
    response = client.get(issue.url)

    assert response.status_code == 200
    assert response.context["archive"].title == "Newsletter"
    assert b'href="/newsletter/"' in response.content


def test_public_pages_are_those_wagtail_calls_public_in_one_query(site):
    """lscp_site.pages.public() filters inside the query it is given; Wagtail's .public()
    first loads every restriction on the site."""
    from wagtail.models import PageViewRestriction

    from events.models import EventPage
    from lscp_site.pages import public
    from newsletter.models import NewsletterIndexPage

    PageViewRestriction.objects.create(
        page=NewsletterIndexPage.objects.get(), restriction_type=PageViewRestriction.LOGIN
    )
    PageViewRestriction.objects.create(
        page=EventPage.objects.first(), restriction_type=PageViewRestriction.PASSWORD, password="x"
    )

    def ids(pages):
        return set(pages.values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        kept = ids(public(Page.objects.all()))
    assert len(queries) == 1
    assert kept == ids(Page.objects.public())
    hidden = ids(Page.objects.all()) - kept
    # The index, its issues and the one event.
    assert len(hidden) == 1 + NewsletterIndexPage.objects.get().get_children().count() + 1


def test_children_by_tree_path_range_are_the_children_wagtail_finds(site):
    from lscp_site.pages import children_bounds, children_matching, children_within

    parents = Page.objects.filter(numchild__gt=0)
    assert parents.count() > 3
    for page in parents:
        expected = set(page.get_children().values_list("pk", flat=True))
        found = children_within(Page.objects.all(), *children_bounds(page.path, page.depth))
        assert set(found.values_list("pk", flat=True)) == expected, page.url_path
        matched = children_matching(Page.objects.all(), page.path, page.depth + 1)
        assert set(matched.values_list("pk", flat=True)) == expected, page.url_path
