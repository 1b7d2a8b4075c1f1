"""What the catalogue, the home page and the newsletter ask of training.

Each function returns data (model objects, querysets of them), never HTML, and runs a fixed
number of queries however many courses and sessions there are: places left come from
annotations (SessionQuerySet.with_places), a listing's sessions and audiences are
prefetched. Listings are returned unevaluated, so a page that keeps their rendering in a
``{% cachefragment %}`` asks for nothing while the fragment is kept.
"""

import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from events.dates import LONDON
from lscp_site import pagecache
from training.models.bookings import Attendance, Booking, BookingStatus
from training.models.pages import CoursePage
from training.models.sessions import Session

# How many of its next sessions a course's card in the catalogue lists.
DATES_PER_COURSE = 3


def _as_moment(value, *, end=False):
    """A date becomes the start of that day in Leeds (the start of the next day for an end,
    so the end date is included); an aware datetime is taken as it is."""
    if isinstance(value, datetime.datetime):
        return value
    if end:
        value += datetime.timedelta(days=1)
    return datetime.datetime.combine(value, datetime.time(0), tzinfo=LONDON)


def live_courses():
    """Published courses outside any private section."""
    return CoursePage.objects.live().public()


def published_sessions():
    """Sessions of live, public courses with their places taken and their course loaded."""
    return Session.objects.filter(course__in=live_courses()).select_related("course").with_places()


def _upcoming(*, start=None, end=None, limit=None, courses=None, with_places_only=False):
    now = timezone.now()
    sessions = published_sessions()
    if start is None:
        sessions = sessions.coming_up(now)
    else:
        sessions = sessions.filter(start__gte=_as_moment(start), cancellation__isnull=True)
    if end is not None:
        sessions = sessions.filter(start__lt=_as_moment(end, end=True))
    if courses is not None:
        sessions = sessions.filter(course__in=courses)
    if with_places_only:
        sessions = sessions.bookable(now)
    sessions = sessions.order_by("start", "pk")
    return sessions[:limit] if limit is not None else sessions


def upcoming_sessions(*, start=None, end=None, limit=None, courses=None, with_places_only=False):
    """Sessions of live public courses, soonest first, each with ``places_left`` and
    ``course`` loaded, as a list. Cancelled sessions are left out.

    ``start``: a date or aware datetime; sessions starting at or after it (default: those
    not started yet). ``end``: sessions starting on or before that date (included) or before
    that datetime. ``courses``: course pages, their ids or a queryset of them.
    ``with_places_only``: only sessions someone could book a confirmed place on now (places
    left, booking still open).
    """
    return list(
        _upcoming(
            start=start,
            end=end,
            limit=limit,
            courses=courses,
            with_places_only=with_places_only,
        )
    )


def next_sessions(*, limit, with_places_only=False):
    """The next ``limit`` sessions across courses, soonest first, with their course loaded
    (``templates/training/components/next_sessions.html`` lists them). A queryset, so a
    page that keeps the list in a fragment runs it only when the fragment is rendered;
    each session's state tells the page cache when it changes (the ``session_state``
    template tag), which is also when the list changes."""
    return _upcoming(limit=limit, with_places_only=with_places_only)


def _first_coming_up(*, now, per_course):
    """Each course's next ``per_course`` sessions from ``now``, with their places: the
    queryset of a Prefetch (one query for every course of a listing)."""
    return (
        Session.objects.with_places()
        .coming_up(now)
        .annotate(
            position=Window(
                RowNumber(), partition_by=F("course_id"), order_by=[F("start").asc(), F("pk")]
            )
        )
        .filter(position__lte=per_course)
        .order_by("start", "pk")
    )


def next_sessions_by_course(courses, *, per_course=3):
    """{course.pk: [its next ``per_course`` sessions, soonest first]} in one query (and the
    view restrictions' query of Wagtail's ``public()``), with an entry, perhaps empty, for
    every course given (pages or ids). The pages given are attached to their sessions."""
    courses = list(courses)
    course_ids = [getattr(course, "pk", course) for course in courses]
    by_course = {course_id: [] for course_id in course_ids}
    if not course_ids:
        return by_course
    given = {course.pk: course for course in courses if isinstance(course, CoursePage)}
    sessions = _first_coming_up(now=timezone.now(), per_course=per_course).filter(
        course__in=live_courses().filter(pk__in=course_ids)
    )
    if len(given) < len(course_ids):
        sessions = sessions.select_related("course")
    for session in sessions:
        if session.course_id in given:
            session.course = given[session.course_id]
        by_course[session.course_id].append(session)
    return by_course


def catalogue_courses(*, index, course_type="", format="", audience=None, upcoming_only=False):
    """The live, public courses under the catalogue page ``index``, filtered, core courses
    first then by title: a queryset for the paginator (:func:`course_cards` loads what the
    cards of one page show).

    ``upcoming_only`` keeps courses with a session to come. That listing changes with the
    clock: when the first session of a listed course starts, that course may leave it and
    the later pages move up, so the page cache is told that moment.
    """
    now = timezone.now()
    courses = live_courses().child_of(index)
    if course_type:
        courses = courses.filter(course_type=course_type)
    if format:
        courses = courses.filter(
            Q(format=format) | Exists(Session.objects.filter(course=OuterRef("pk"), format=format))
        )
    if audience is not None:
        courses = courses.filter(audiences=audience)
    if upcoming_only:
        coming_up = Session.objects.coming_up(now)
        courses = courses.filter(Exists(coming_up.filter(course=OuterRef("pk"))))
        first_start = coming_up.filter(course__in=courses.values("pk")).aggregate(
            first=Min("start")
        )["first"]
        pagecache.shown_until(first_start)
    return courses.order_by("course_type", "title", "pk")


def course_cards(page):
    """The courses of ``page`` (a page of :func:`catalogue_courses`) with what their cards
    show: their audiences and next sessions (``dates_coming_up``), in two more queries.
    Called where the cards are rendered, inside the catalogue's cached fragment."""
    courses = list(page.object_list)
    prefetch_related_objects(
        courses,
        "audiences",
        Prefetch(
            "sessions",
            queryset=_first_coming_up(now=timezone.now(), per_course=DATES_PER_COURSE),
            to_attr="dates_coming_up",
        ),
    )
    return courses


def sessions_coming_up_with_counts(*, limit, now=None):
    """The next ``limit`` sessions not yet started and not cancelled, of any course (live
    or not: the business unit runs them all), soonest first, each with ``confirmed_count``,
    ``waiting_count`` and its course; one query."""
    return list(
        Session.objects.coming_up(now or timezone.now())
        .with_counts()
        .select_related("course")
        .order_by("start", "pk")[:limit]
    )


def attendance_by_course(*, limit, now=None):
    """For the ``limit`` courses whose sessions ended most recently: their confirmed places
    on ended sessions marked attended, marked as no-shows, and not marked, by course title;
    one query. [{"course_id", "title", "attended", "no_show", "not_recorded"}]."""
    latest_first = (
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED, session__end__lte=now or timezone.now()
        )
        .values(course_id=F("session__course_id"), title=F("session__course__title"))
        .annotate(
            attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
            no_show=Count("pk", filter=Q(attendance=Attendance.NO_SHOW)),
            not_recorded=Count("pk", filter=Q(attendance=Attendance.NOT_RECORDED)),
            last_ended=Max("session__end"),
        )
        .order_by("-last_ended", "course_id")[:limit]
    )
    return sorted(latest_first, key=lambda row: (row["title"], row["course_id"]))


def attended_bookings():
    """Bookings of people who attended their session (BookingQuerySet.attended)."""
    return Booking.objects.attended()
