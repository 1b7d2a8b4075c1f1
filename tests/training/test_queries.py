"""training.queries: the functions other apps call, and pages that cost the same to render
whether the catalogue holds one course or a hundred."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

import pytest

from lscp_site import pagecache
from lscp_site.models import SiteSettings
from tests.bulk import add_live_pages
from tests.training.factories import book, london, make_course, make_session
from training import booking as booking_rules
from training.models import Booking, BookingStatus, CourseFormat, CoursePage, CourseType, Session
from training.queries import next_sessions, next_sessions_by_course, upcoming_sessions

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(catalogue):
    first = make_course(
        catalogue,
        title="First",
        sessions=[
            make_session(start=london(2025, 2, 1, 10)),  # past
            make_session(start=london(2025, 3, 3, 9, 0)),  # started an hour ago
            make_session(start=london(2025, 4, 1, 10), capacity=1),
            make_session(start=london(2025, 6, 1, 10), capacity=3),
        ],
    )
    second = make_course(
        catalogue,
        title="Second",
        sessions=[
            make_session(start=london(2025, 3, 20, 10)),
            make_session(start=london(2025, 5, 1, 10), booking_closes_at=london(2025, 3, 1, 12)),
            make_session(start=london(2025, 7, 1, 10)),
            make_session(start=london(2025, 8, 1, 10)),
        ],
    )
    return first, second


def when(sessions):
    return [s.start.astimezone(london(2025, 1, 1).tzinfo).strftime("%d %b") for s in sessions]


def test_upcoming_sessions_are_soonest_first_with_places_and_course_loaded(
    courses, django_assert_num_queries
):
    first, _second = courses
    book(first.sessions.get(start=london(2025, 4, 1, 10)))

    # Wagtail's public() reads the view restrictions, then one query for the sessions.
    with django_assert_num_queries(2):
        sessions = upcoming_sessions()
        details = [(s.course.title, s.places_left, s.booking_state()) for s in sessions]

    assert when(sessions) == ["20 Mar", "01 Apr", "01 May", "01 Jun", "01 Jul", "01 Aug"]
    assert details[1] == ("First", 0, "full")
    assert details[2] == ("Second", 10, "closed")
    assert details[3] == ("First", 3, "open")


def test_next_sessions_are_the_soonest_across_courses_with_their_course_in_one_query(
    courses, django_assert_num_queries
):
    first, _second = courses
    book(first.sessions.get(start=london(2025, 4, 1, 10)))
    sessions = next_sessions(limit=3)  # a queryset: read when a template lists it

    with django_assert_num_queries(1):
        shown = [(s.course.title, s.places_left, s.booking_state()) for s in sessions]

    assert when(sessions) == ["20 Mar", "01 Apr", "01 May"]
    assert shown == [("Second", 10, "open"), ("First", 0, "full"), ("Second", 10, "closed")]
    assert when(next_sessions(limit=3, with_places_only=True)) == ["20 Mar", "01 Jun", "01 Jul"]


def test_upcoming_sessions_with_places_only_leaves_out_full_and_closed_ones(courses):
    sessions = upcoming_sessions(with_places_only=True, limit=3)
    assert when(sessions) == ["20 Mar", "01 Apr", "01 Jun"]

    first, _second = courses
    book(first.sessions.get(start=london(2025, 4, 1, 10)))
    assert when(upcoming_sessions(with_places_only=True, limit=3)) == ["20 Mar", "01 Jun", "01 Jul"]


def test_upcoming_sessions_between_dates_and_for_chosen_courses(courses):
    first, second = courses

    assert when(upcoming_sessions(start=datetime.date(2025, 3, 3))) == [
        "03 Mar",
        "20 Mar",
        "01 Apr",
        "01 May",
        "01 Jun",
        "01 Jul",
        "01 Aug",
    ]
    assert when(
        upcoming_sessions(start=datetime.date(2025, 5, 1), end=datetime.date(2025, 6, 30))
    ) == [
        "01 May",
        "01 Jun",
    ]
    assert when(upcoming_sessions(courses=[second])) == ["20 Mar", "01 May", "01 Jul", "01 Aug"]
    assert when(upcoming_sessions(courses=[first.pk])) == ["01 Apr", "01 Jun"]


def test_upcoming_sessions_leave_out_cancelled_sessions_and_unpublished_or_private_courses(
    catalogue, courses
):
    first, second = courses
    booking_rules.cancel_session(session=second.sessions.get(start=london(2025, 3, 20, 10)))
    first.unpublish()
    private = make_course(catalogue, sessions=[make_session(start=london(2025, 4, 5, 10))])
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    assert when(upcoming_sessions()) == ["01 May", "01 Jul", "01 Aug"]


def test_next_sessions_by_course_gives_each_course_its_next_few(catalogue, courses):
    first, second = courses
    empty = make_course(catalogue, title="No dates")

    with CaptureQueriesContext(connection) as queries:
        by_course = next_sessions_by_course([first, second, empty], per_course=2)

    assert len(queries) == 2  # the view restrictions (Wagtail's public()), the sessions
    assert when(by_course[first.pk]) == ["01 Apr", "01 Jun"]
    assert when(by_course[second.pk]) == ["20 Mar", "01 May"]
    assert by_course[empty.pk] == []
    assert by_course[second.pk][0].places_left == 10


def test_places_left_needs_the_counts_rather_than_a_query_per_session(session):
    plain = Session.objects.get(pk=session.pk)

    with pytest.raises(AttributeError):
        plain.places_left  # noqa: B018


# ---- constant queries per page ----


def build_catalogue(catalogue, *, courses, sessions_per_course):
    """``courses`` live courses with their sessions and some bookings, made in bulk."""
    first = CoursePage.objects.count()
    made = add_live_pages(
        catalogue,
        [
            CoursePage(
                title=f"Course {n:03}",
                slug=f"course-{n:03}",
                course_type=CourseType.TOPIC,
                format=CourseFormat.LIVE_WEBINAR,
                summary="A course for practitioners in Leeds.",
            )
            for n in range(first, first + courses)
        ],
    )
    sessions = Session.objects.bulk_create(
        Session(
            course=course,
            start=london(2025, 4, 1, 10) + datetime.timedelta(days=7 * n),
            end=london(2025, 4, 1, 11) + datetime.timedelta(days=7 * n),
            capacity=5,
            joining_details="x",
        )
        for course in made
        for n in range(sessions_per_course)
    )
    Booking.objects.bulk_create(
        Booking(
            session=session,
            name="Delegate",
            email=f"d{session.pk}@example.org",
            organisation="o",
            job_role="r",
            status=BookingStatus.CONFIRMED,
            privacy_agreed_at=london(2025, 3, 1),
        )
        for session in sessions[::2]
    )
    return made


def queries_for(client, path, *, fragments="warm"):
    """The queries of rendering ``path``, its fragments kept from a first view ("warm") or
    rendered afresh ("cold": a new content version, as after a publish)."""
    client.get(path)  # fills the caches every request shares (site root paths, fragments)
    if fragments == "cold":
        pagecache.invalidate_pages()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response


@pytest.fixture
def uncached(settings, db):
    """The page cache off: count the queries of rendering. The site's settings are saved
    first, as on a running site (their first read saves them, a change of content)."""
    SiteSettings.load()
    settings.PAGE_CACHE_ENABLED = False


@pytest.mark.usefixtures("uncached")
@pytest.mark.parametrize("fragments", ["cold", "warm"])
@pytest.mark.parametrize("path", ["/training/", "/training/?type=topic&upcoming=on", "/"])
def test_catalogue_and_home_cost_the_same_with_100_courses_and_500_sessions(
    client, catalogue, path, fragments
):
    build_catalogue(catalogue, courses=1, sessions_per_course=5)
    few, _ = queries_for(client, path, fragments=fragments)

    build_catalogue(catalogue, courses=99, sessions_per_course=5)
    many, response = queries_for(client, path, fragments=fragments)

    assert many == few
    assert Session.objects.count() == 500
    if path.startswith("/training/"):
        html = response.content.decode()
        assert "100 courses" in html
        assert html.count('class="card course-card"') == 20
        assert html.count("places left") >= 20


@pytest.mark.usefixtures("uncached")
@pytest.mark.parametrize("path", ["/training/", "/training/?type=topic&upcoming=on", "/"])
def test_kept_fragments_spare_the_listings_queries(client, catalogue, path):
    build_catalogue(catalogue, courses=30, sessions_per_course=3)

    cold, _ = queries_for(client, path, fragments="cold")
    warm, _ = queries_for(client, path, fragments="warm")

    # The cards' courses, sessions and audiences (or the next sessions) are not asked for.
    assert warm <= cold - (3 if path.startswith("/training/") else 1)


@pytest.mark.usefixtures("uncached")
@pytest.mark.parametrize("fragments", ["cold", "warm"])
def test_a_course_page_costs_the_same_with_500_sessions(client, catalogue, fragments):
    (small,) = build_catalogue(catalogue, courses=1, sessions_per_course=2)
    (big,) = build_catalogue(catalogue, courses=1, sessions_per_course=500)
    build_catalogue(catalogue, courses=98, sessions_per_course=0)
    few, _ = queries_for(client, small.url, fragments=fragments)

    many, response = queries_for(client, big.url, fragments=fragments)

    assert many == few
    assert response.content.decode().count('class="card session"') == 500


@pytest.mark.usefixtures("uncached")
def test_a_kept_course_page_asks_nothing_of_its_sessions_or_audiences(client, catalogue):
    (course,) = build_catalogue(catalogue, courses=1, sessions_per_course=3)

    cold, _ = queries_for(client, course.url, fragments="cold")
    warm, response = queries_for(client, course.url, fragments="warm")

    # Its sessions and audiences, the breadcrumbs' ancestors, the sign-up box's topics and
    # the site settings (the Quick leave and footer fragments).
    assert warm == cold - 5
    assert response.content.decode().count('class="card session"') == 3


@pytest.mark.usefixtures("uncached")
def test_the_booking_form_costs_the_same_on_a_busy_session(
    client, catalogue, django_assert_max_num_queries
):
    (quiet,) = build_catalogue(catalogue, courses=1, sessions_per_course=1)
    busy = make_course(
        catalogue, sessions=[make_session(start=london(2025, 4, 1, 10), capacity=500)]
    )
    busy_session = busy.sessions.get()
    for _ in range(50):
        book(busy_session)
    quiet_path = f"{quiet.url}book/{quiet.sessions.get().pk}/"
    few, _ = queries_for(client, quiet_path)
    busy_path = f"{busy.url}book/{busy_session.pk}/"
    client.get(busy_path)  # its fragments kept, as the quiet one's were

    with django_assert_max_num_queries(few):
        response = client.get(busy_path)

    assert "450 places left" in response.content.decode()
