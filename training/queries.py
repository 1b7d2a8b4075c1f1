"""What the catalogue, the home page and the newsletter ask of training.

Each function runs a fixed number of queries, however many courses and sessions there are:
places left come from annotations (SessionQuerySet.with_places), never a query per session.
"""

import datetime

from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from events.dates import LONDON
from lscp_site import compiled_queries
from lscp_site.pages import children_bounds, children_within, public


def _as_moment(value, *, end=False):
    """A date becomes the start of that day in Leeds (the start of the next day for an end,
    so the end date is included); an aware datetime is taken as it is."""
    if isinstance(value, datetime.datetime):
        return value
    if end:
        value += datetime.timedelta(days=1)
    return datetime.datetime.combine(value, datetime.time(0), tzinfo=LONDON)


def _course_ids(courses):
    return [getattr(course, "pk", course) for course in courses]


def live_courses():
    from training.models import CoursePage

    return public(CoursePage.objects.live())


def published_sessions():
    """Sessions of live, public courses with their places taken and their course loaded."""
    from training.models import Session

    return (
        Session.objects.filter(course__in=live_courses().values("pk"))
        .select_related("course")
        .with_places()
    )


def upcoming_sessions(*, start=None, end=None, limit=None, courses=None, with_places_only=False):
    """Sessions of live public courses, soonest first, each with ``places_left`` and
    ``course`` loaded. Cancelled sessions are left out.

    ``start``: a date or aware datetime; sessions starting at or after it (default: now, so
    sessions already under way are left out). ``end``: sessions starting on or before that
    date (included) or before that datetime. ``courses``: course pages, their ids or a
    queryset of them. ``with_places_only``: only sessions someone could book a confirmed
    place on now (places left, booking still open).
    """
    now = timezone.now()
    since = now if start is None else _as_moment(start)
    until = None if end is None else _as_moment(end, end=True)
    if courses is not None:
        return list(_upcoming(now, since, until, limit, courses, with_places_only))
    # The home page, the catalogue and every issue's diary ask this: compiled once. Each
    # value is given only when the query uses it.
    values = [since, *([] if until is None else [until]), *([now] if with_places_only else [])]

    def build(since, *rest):
        rest = list(rest)
        until_value = rest.pop(0) if until is not None else None
        now_value = rest.pop(0) if with_places_only else None
        return _upcoming(now_value, since, until_value, limit, None, with_places_only)

    return compiled_queries.fetch(
        ("training: upcoming sessions", limit, with_places_only, until is not None),
        build,
        *values,
    )


def _upcoming(now, since, until, limit, courses, with_places_only):
    sessions = published_sessions().filter(is_cancelled=False, start__gte=since)
    if until is not None:
        sessions = sessions.filter(start__lt=until)
    if courses is not None:
        sessions = sessions.filter(course__in=courses)
    if with_places_only:
        sessions = sessions.bookable(now)
    sessions = sessions.order_by("start", "pk")
    if limit is not None:
        sessions = sessions[:limit]
    return sessions


def audience_names_by_course(courses):
    """{course.pk: ["All practitioners", ...]} for the catalogue's cards, in one query
    compiled once: the names in alphabetical order (as audiences are listed everywhere), an
    entry (perhaps empty) for each course given. Django's prefetching of the audiences
    compiled its query on every request and made a model object per audience and two
    managers per card: 1.5 ms a catalogue page."""
    from training.models import CoursePage

    course_ids = _course_ids(courses)
    names = {course_id: [] for course_id in course_ids}
    if not course_ids:
        return names
    links = CoursePage.audiences.through.objects
    rows = compiled_queries.fetch(
        "training: audience names by course",
        lambda course_ids: (
            links.filter(coursepage_id__in=course_ids)
            .order_by("audience__name", "audience_id")
            .values_list("coursepage_id", "audience__name")
        ),
        sorted(set(course_ids)),
    )
    for course_id, name in rows:
        names[course_id].append(name)
    return names


def next_sessions_by_course(courses, *, per_course=3):
    """{course.pk: [its next ``per_course`` sessions, soonest first]} in one query, with an
    entry (perhaps empty) for every course given. Same sessions as upcoming_sessions()."""
    course_ids = _course_ids(courses)
    by_course = {course_id: [] for course_id in course_ids}
    if not course_ids:
        return by_course
    # Course pages given are attached to their sessions as they are: loading each session's
    # course again would build a page object per session (the costliest part of the page).
    given = {course.pk: course for course in courses if hasattr(course, "pk")}
    attach_given = len(given) == len(course_ids)
    sessions = compiled_queries.fetch(
        ("training: next sessions by course", per_course, attach_given),
        lambda course_ids, now: (
            published_sessions()
            .select_related(None if attach_given else "course")
            .filter(course_id__in=course_ids, is_cancelled=False, start__gte=now)
            .annotate(
                position=Window(
                    RowNumber(), partition_by=F("course_id"), order_by=[F("start").asc(), F("pk")]
                )
            )
            .filter(position__lte=per_course)
            .order_by("course_id", "start", "pk")
        ),
        sorted(set(course_ids)),
        timezone.now(),
    )
    for session in sessions:
        if session.course_id in given:
            session.course = given[session.course_id]
        by_course[session.course_id].append(session)
    return by_course


def attach_counts(sessions):
    """Give sessions built in memory (a page preview) their counts, in one query."""
    from training.models import Session

    sessions = list(sessions)
    saved = [session.pk for session in sessions if session.pk]
    counts = {
        row["pk"]: row
        for row in Session.objects.filter(pk__in=saved)
        .with_counts()
        .values("pk", "confirmed_count", "waiting_count", "is_cancelled")
    }
    for session in sessions:
        row = counts.get(session.pk, {})
        session.confirmed_count = row.get("confirmed_count", 0)
        session.waiting_count = row.get("waiting_count", 0)
        session.is_cancelled = row.get("is_cancelled", False)
    return sessions


def sessions_for_course(course, *, preview=False):
    """A course's sessions, soonest first, with their counts: one query.

    In a preview the sessions are the editor's unsaved rows, so counts are looked up for
    the ones that already exist.
    """
    from training.models import Session

    if preview:
        sessions = attach_counts(course.sessions.all())
        sessions.sort(key=lambda session: (session.start, session.pk or 0))
    else:
        sessions = compiled_queries.fetch(
            "training: a course's sessions",
            lambda course_id: (
                Session.objects.filter(course=course_id).with_places().order_by("start", "pk")
            ),
            course.pk,
        )
    for session in sessions:
        session.course = course  # the page being shown: no query per session
    return sessions


def catalogue_courses(index, *, course_type="", format="", audience=None, upcoming_only=False):
    """The live courses under the catalogue page, filtered, core courses first: a listing
    for the paginator, counted and each page of it fetched with SQL compiled once
    (lscp_site/compiled_queries.py)."""
    # Only the filters chosen are values of the query; which ones is part of its shape.
    chosen = {
        name: value
        for name, value in (
            ("course_type", course_type),
            ("format", format),
            ("audience", getattr(audience, "pk", audience)),
        )
        if value
    }
    values = [*children_bounds(index.path, index.depth)]
    values += [timezone.now(), *chosen.values()]

    def build(after_path, last_path, depth, now, *filters):
        return _catalogue_courses(
            after_path,
            last_path,
            depth,
            now,
            upcoming_only,
            **dict(zip(chosen, filters, strict=True)),
        )

    return compiled_queries.Listing(
        ("training: catalogue courses", tuple(chosen), upcoming_only), build, *values
    )


# What a course card shows (training/components/course_card.html; its address from the
# slug, lscp_site.pages.child_url).
COURSE_CARD_FIELDS = ("title", "slug", "course_type", "format", "summary")


def _catalogue_courses(
    after_path, last_path, depth, now, upcoming_only, course_type="", format="", audience=None
):
    from training.models import Session

    courses = (
        children_within(live_courses(), after_path, last_path, depth)
        .only(*COURSE_CARD_FIELDS)
        .annotate(
            next_start=Subquery(
                Session.objects.filter(course=OuterRef("pk"), start__gte=now)
                .exclude(cancellation__isnull=False)
                .order_by("start")
                .values("start")[:1]
            )
        )
    )
    if course_type:
        courses = courses.filter(course_type=course_type)
    if format:
        courses = courses.filter(
            Q(format=format) | Exists(Session.objects.filter(course=OuterRef("pk"), format=format))
        )
    if audience is not None:
        courses = courses.filter(audiences=audience)
    if upcoming_only:
        courses = courses.filter(next_start__isnull=False)
    return courses.order_by("course_type", "title", "pk")


def paginate(queryset, request, *, per_page):
    """A page of results; a missing, wrong or too-high page number gives a real page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
