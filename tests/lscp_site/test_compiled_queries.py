"""Queries compiled once per process (lscp_site/compiled_queries.py) give what the ORM gives,
for any values, and refuse queries whose values they could not put back."""

import datetime
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page

import pytest

from bench import generate as generator
from lscp_site import compiled_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh():
    compiled_queries.forget()
    yield
    compiled_queries.forget()


@pytest.fixture
def site():
    generator.generate(seed=3, pictures=0, issues=4, courses=3, sessions=8, events=2, subscribers=0)


def pages_by_slug(slugs, depth):
    return Page.objects.filter(slug__in=slugs, depth__gt=depth).order_by("path")


def fetch_pages(slugs, depth):
    return compiled_queries.fetch("test: pages by slug", pages_by_slug, slugs, depth)


def test_the_same_pages_as_the_orm_for_any_values_compiled_once(site):
    slugs = list(Page.objects.filter(depth__gt=1).values_list("slug", flat=True))
    with mock.patch.object(
        compiled_queries, "_compile", wraps=compiled_queries._compile
    ) as compile_spy:
        for chosen in ([slugs[0], slugs[1]], [slugs[2], slugs[3]], [slugs[1], "no-such-page"]):
            for depth in (1, 2, 3):
                fetched = fetch_pages(chosen, depth)
                expected = list(pages_by_slug(chosen, depth))
                assert [(page.pk, type(page)) for page in fetched] == [
                    (page.pk, type(page)) for page in expected
                ]
                assert [page.title for page in fetched] == [page.title for page in expected]
        assert compile_spy.call_count == 1  # one shape: two slugs and a depth

        assert [page.pk for page in fetch_pages(slugs[:3], 1)] == [
            page.pk for page in pages_by_slug(slugs[:3], 1)
        ]
        assert compile_spy.call_count == 2  # three slugs is another shape


def test_one_query_and_the_models_own_values(site):
    from newsletter.models import NewsletterIssuePage

    issue = NewsletterIssuePage.objects.order_by("issue_date").first()
    with CaptureQueriesContext(connection) as queries:
        [found] = compiled_queries.fetch(
            "test: issue by month",
            lambda month: NewsletterIssuePage.objects.filter(issue_date=month).defer("body"),
            issue.issue_date,
        )
    assert len(queries) == 1
    assert found.pk == issue.pk and found.issue_date == issue.issue_date
    assert isinstance(found.issue_date, datetime.date)
    assert "body" in found.get_deferred_fields()
    # Loaded when read, as the ORM does.
    assert found.body.get_prep_value() == issue.body.get_prep_value()


def test_dates_compare_as_dates(site):
    from newsletter.models import NewsletterIssuePage

    months = sorted(NewsletterIssuePage.objects.values_list("issue_date", flat=True))

    def issues_before(month):
        return NewsletterIssuePage.objects.filter(issue_date__lt=month).order_by("issue_date")

    for month in months:
        fetched = compiled_queries.fetch("test: issues before", issues_before, month)
        assert [issue.issue_date for issue in fetched] == [
            issue.issue_date for issue in issues_before(month)
        ]


def test_a_lookup_that_changes_its_value_is_refused(site):
    with pytest.raises(ValueError, match="changed by its lookup"):
        compiled_queries.fetch(
            "test: startswith", lambda prefix: Page.objects.filter(path__startswith=prefix), "0001"
        )


def test_a_value_that_never_reaches_the_sql_is_refused(site):
    with pytest.raises(ValueError, match="do not reach the SQL"):
        compiled_queries.fetch("test: unused", lambda slug: Page.objects.all(), "home")


def test_values_of_other_kinds_are_refused():
    with pytest.raises(TypeError):
        compiled_queries.fetch("test: bool", lambda live: Page.objects.filter(live=live), True)
    with pytest.raises(TypeError, match="aware"):
        compiled_queries.fetch(
            "test: naive datetime",
            lambda moment: Page.objects.filter(first_published_at__lt=moment),
            datetime.datetime(2025, 1, 1),
        )


def test_related_rows_annotations_prefetching_and_datetimes_as_the_orm_gives_them(site):
    """Sessions with their course (select_related), places taken (annotations, converted as
    the ORM converts them) and audiences (prefetch_related), after a moment."""
    from django.db.models import Prefetch

    from training.models import Audience, Session

    def sessions_after(moment, course_ids):
        return (
            Session.objects.filter(start__gte=moment, course__in=course_ids)
            .select_related("course")
            .prefetch_related(Prefetch("course__audiences", queryset=Audience.objects.all()))
            .with_places()
            .order_by("start", "pk")
        )

    def described(sessions):
        return [
            (
                session.pk,
                session.start,
                session.course.title,
                session.confirmed_count,
                session.is_cancelled,
                type(session.is_cancelled),
                [audience.pk for audience in session.course.audiences.all()],
            )
            for session in sessions
        ]

    sessions = list(Session.objects.order_by("start"))
    course_ids = sorted({session.course_id for session in sessions})
    for moment in (sessions[0].start, sessions[-2].start, sessions[-1].start):
        with CaptureQueriesContext(connection) as queries:
            fetched = compiled_queries.fetch(
                "test: sessions after", sessions_after, moment, course_ids
            )
        expected = described(sessions_after(moment, course_ids))
        assert expected  # sessions start after each moment
        assert described(fetched) == expected
        assert len(queries) <= 2  # the sessions with their courses; the audiences


def test_a_listing_pages_through_the_same_rows_as_the_orm(site):
    from django.core.paginator import Paginator

    def pages_below(depth):
        return Page.objects.filter(depth__gt=depth).order_by("path")

    for depth in (1, 2):
        listing = compiled_queries.Listing("test: pages below", pages_below, depth)
        expected = Paginator(pages_below(depth), 3)
        paginator = Paginator(listing, 3)
        assert paginator.count == expected.count > 6
        for number in expected.page_range:
            assert [page.pk for page in paginator.page(number)] == [
                page.pk for page in expected.page(number)
            ]


def test_counts_agree_with_the_orm_in_one_query(site):
    def live_pages_below(depth, title_word):
        # A join (the page's content type) and values: as the readers' listings are built.
        return Page.objects.filter(
            depth__gt=depth, live=True, content_type__app_label=title_word
        ).order_by("-path")

    for depth, app_label in [(1, "lscp_site"), (2, "newsletter"), (1, "nothing-here")]:
        expected = live_pages_below(depth, app_label).count()
        with CaptureQueriesContext(connection) as queries:
            counted = compiled_queries.count(
                "test: live pages below", live_pages_below, depth, app_label
            )
        assert counted == expected
        assert len(queries) == 1
    assert live_pages_below(1, "newsletter").count() > 1  # the counts above were not all 0


def test_a_count_leaves_out_values_only_the_columns_needed(site):
    from django.db.models import Value

    def annotated(depth, label):
        return Page.objects.filter(depth__gt=depth).annotate(label=Value(label))

    assert compiled_queries.count("test: annotated", annotated, 1, "x") == (
        Page.objects.filter(depth__gt=1).count()
    )


def test_a_query_that_can_select_nothing_runs_none(site):
    with CaptureQueriesContext(connection) as queries:
        assert compiled_queries.fetch("test: none", lambda depth: pages_by_slug([], depth), 1) == []
        listing = compiled_queries.Listing(
            "test: empty page", lambda depth: pages_by_slug(["x"], depth), 1
        )
        assert listing[0:0] == []
        assert compiled_queries.count("test: none", lambda depth: pages_by_slug([], depth), 1) == 0
    assert len(queries) == 0


def test_a_query_compiled_in_one_thread_runs_on_another_threads_connection():
    """Threaded servers (runserver, the browser tests' live server) share compiled queries
    between threads; each thread's database connection is its own. (The other thread sees
    only committed rows: Wagtail's root page, made by its migrations.)"""
    import threading

    from django.db import connections

    def roots():
        return compiled_queries.fetch(
            "test: roots", lambda depth: Page.objects.filter(depth=depth), 1
        )

    expected = [page.pk for page in roots()]
    found, errors = [], []

    def in_another_thread():
        try:
            found.extend(page.pk for page in roots())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=in_another_thread)
    thread.start()
    thread.join()
    assert errors == [] and expected and found == expected
