"""What the catalogue, the home page and the newsletter ask of training.

Each function runs a fixed number of queries, however many courses and sessions there are:
places left come from annotations (SessionQuerySet.with_places), never a query per session.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Exists, F, Min, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from events.dates import LONDON
from lscp_site import compiled_queries, pagecache
from lscp_site.pages import child_url, children_bounds, children_within, public, with_ids


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


def next_sessions_html(listing, *, limit, with_places_only=False, request=None):
    """The next ``limit`` sessions across courses as ``training/components/next_sessions.html``
    shows them ("" for none), for the page ``listing`` names (its id and address, as in
    ``lscp_site.cards.remembered``). Rendered once per change and read back until one of them
    closes for booking or starts (a place booked or freed is a change of its own): the home
    page and the catalogue show this box to every reader, and it was a query and a dozen
    template lookups a session on each view."""

    def render():
        sessions = upcoming_sessions(limit=limit, with_places_only=with_places_only)
        if not sessions:
            return "", None
        html = render_to_string(
            "training/components/next_sessions.html", {"sessions": sessions, "request": request}
        )
        now = timezone.now()
        moments = [
            moment
            for session in sessions
            for moment in (session.closes_at, session.start)
            if moment > now
        ]
        return mark_safe(html), min(moments, default=None)  # noqa: S308 - a template's output

    return pagecache.remembered_until(
        f"training:next-sessions:{listing}:{limit}:{with_places_only}", render
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
        lambda course_ids, now: _next_sessions(course_ids, now, per_course).select_related(
            None if attach_given else "course"
        ),
        sorted(set(course_ids)),
        timezone.now(),
    )
    for session in sessions:
        if session.course_id in given:
            session.course = given[session.course_id]
        by_course[session.course_id].append(session)
    return by_course


def _next_sessions(course_ids, now, per_course, sessions=None):
    if sessions is None:
        sessions = published_sessions()
    return (
        sessions.filter(course_id__in=course_ids, is_cancelled=False, start__gte=now)
        .annotate(
            position=Window(
                RowNumber(), partition_by=F("course_id"), order_by=[F("start").asc(), F("pk")]
            )
        )
        .filter(position__lte=per_course)
        .order_by("course_id", "start", "pk")
    )


@dataclass(frozen=True)
class SessionLine:
    """A session as a catalogue card lists it (templates/cards/course_cards.jinja): when,
    face to face or online, and what someone can do about it now."""

    start: datetime.datetime
    end: datetime.datetime
    venue: str
    state: str  # a SessionState
    places_left: int
    # When the passing of time next changes the line: booking closes, or (once closed) the
    # session starts and leaves the course's next dates.
    changes_at: datetime.datetime


SESSION_LINE_COLUMNS = (
    "course_id",
    "start",
    "end",
    "venue",
    "capacity",
    "booking_closes_at",
    "confirmed_count",
    "is_cancelled",
)


def next_session_lines_by_course(course_ids, *, per_course=3):
    """As :func:`next_sessions_by_course`, as ``SessionLine``s built from rows: no session
    or course objects (the catalogue's 60 sessions were a third of its cost). The courses
    are ones a listing of live, public courses found (the catalogue's), so they are not
    checked again."""
    from training.models import Session
    from training.models.pages import session_state

    by_course = {course_id: [] for course_id in course_ids}
    if not course_ids:
        return by_course
    now = timezone.now()
    rows = compiled_queries.fetch(
        ("training: next session lines by course", per_course),
        lambda course_ids, now: _next_sessions(
            course_ids, now, per_course, Session.objects.with_places()
        ).values(*SESSION_LINE_COLUMNS),
        sorted(set(course_ids)),
        now,
    )
    for row in rows:
        places_left = max(row["capacity"] - row["confirmed_count"], 0)
        closes_at = row["booking_closes_at"] or row["start"]
        by_course[row["course_id"]].append(
            SessionLine(
                start=row["start"],
                end=row["end"],
                venue=row["venue"],
                places_left=places_left,
                state=session_state(
                    is_cancelled=row["is_cancelled"],
                    closes_at=closes_at,
                    places_left=places_left,
                    now=now,
                ),
                changes_at=closes_at if now < closes_at else row["start"],
            )
        )
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
    for the paginator of rows of ``COURSE_CARD_FIELDS`` (``course_cards`` makes them cards).

    Which courses a choice of type, format and audience lists, and in what order, changes
    only when a course does, so it is worked out once per change (``pagecache.remembered``:
    the courses' ids) and each page fetches its own courses by id. "Only courses with dates
    coming up" depends on the time: that listing is counted and fetched each time, with SQL
    compiled once (lscp_site/compiled_queries.py)."""
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
    # "Only courses with dates coming up" is the one filter that asks the time.
    now = [timezone.now()] if upcoming_only else []
    values = [*children_bounds(index.path, index.depth), *now, *chosen.values()]

    def build(after_path, last_path, depth, *rest):
        rest = list(rest)
        since = rest.pop(0) if upcoming_only else None
        return _catalogue_courses(
            after_path, last_path, depth, since, **dict(zip(chosen, rest, strict=True))
        )

    shape = ("training: catalogue courses", tuple(chosen), upcoming_only)
    if upcoming_only:
        listing = compiled_queries.Listing(shape, build, *values)
        # A course leaves this listing when its last session to come starts, and the pages
        # after it move up: no sooner than the first of those sessions starts.
        pagecache.shown_until(_first_start_from(listing.queryset, now[0]))
        return listing
    course_ids = pagecache.remembered(
        f"training:catalogue:{index.pk}:{index.path}:{urlencode(sorted(chosen.items()))}",
        lambda: compiled_queries.fetch(
            (*shape, "ids"), lambda *values: build(*values).values_list("pk", flat=True), *values
        ),
    )
    return compiled_queries.RowsInOrder(
        ("training: catalogue courses by id",), course_ids, _course_rows
    )


def _first_start_from(courses, since):
    """When the first session of ``courses`` (a queryset of them) to start at ``since`` or
    later starts, or None; cancelled sessions are left out, as the listing leaves them."""
    from training.models import Session

    return (
        Session.objects.filter(course__in=courses.values("pk"), start__gte=since)
        .exclude(cancellation__isnull=False)
        .aggregate(first=Min("start"))["first"]
    )


def _course_rows(ids):
    from training.models import CoursePage

    return with_ids(CoursePage.objects.all(), ids).values(*COURSE_CARD_FIELDS)


@dataclass(frozen=True)
class CourseCard:
    """A course as a catalogue card shows it (templates/cards/course_cards.jinja), built
    from a row of ``COURSE_CARD_FIELDS`` with its audiences and next sessions."""

    title: str
    url: str
    course_type_label: str
    format: str
    format_label: str
    summary: str
    audiences: str  # "Schools, Health", as Django's join filter writes them
    next_sessions: list


COURSE_CARD_FIELDS = ("pk", "title", "slug", "course_type", "format", "summary")


def course_cards(rows, catalogue_url, *, per_course=3):
    """``CourseCard``s for rows of ``catalogue_courses``, whose page's address is
    ``catalogue_url``: two queries (audiences, next sessions) for all of them."""
    from training.models.pages import CourseFormat, CourseType

    rows = list(rows)
    course_ids = [row["pk"] for row in rows]
    sessions = next_session_lines_by_course(course_ids, per_course=per_course)
    audiences = audience_names_by_course(course_ids)
    # As get_FOO_display(): a value without a label shows as it is.
    course_types, formats = dict(CourseType.choices), dict(CourseFormat.choices)
    return [
        CourseCard(
            title=row["title"],
            url=child_url(catalogue_url, row["slug"]),
            course_type_label=str(course_types.get(row["course_type"], row["course_type"])),
            format=row["format"],
            format_label=str(formats.get(row["format"], row["format"])),
            summary=row["summary"],
            audiences=", ".join(audiences[row["pk"]]),
            next_sessions=sessions[row["pk"]],
        )
        for row in rows
    ]


def _catalogue_courses(
    after_path, last_path, depth, upcoming_since, course_type="", format="", audience=None
):
    """``upcoming_since``: a moment, to keep only courses with a session from then on that
    is not cancelled; None for every course."""
    from training.models import Session

    courses = children_within(live_courses(), after_path, last_path, depth)
    if course_type:
        courses = courses.filter(course_type=course_type)
    if format:
        courses = courses.filter(
            Q(format=format) | Exists(Session.objects.filter(course=OuterRef("pk"), format=format))
        )
    if audience is not None:
        courses = courses.filter(audiences=audience)
    if upcoming_since is not None:
        courses = courses.filter(
            Exists(
                Session.objects.filter(course=OuterRef("pk"), start__gte=upcoming_since).exclude(
                    cancellation__isnull=False
                )
            )
        )
    return courses.order_by("course_type", "title", "pk").values(*COURSE_CARD_FIELDS)


def cards_change_at(cards):
    """The first moment the passing of time changes any of ``cards`` (CourseCards), or None:
    a session closing for booking, or starting and leaving its course's next dates (the
    next one, if any, then shows). Bookings, cancellations and edits are changes of their
    own (lscp_site/pagecache.py)."""
    return min((line.changes_at for card in cards for line in card.next_sessions), default=None)


def paginate(queryset, request, *, per_page):
    """A page of results; a missing, wrong or too-high page number gives a real page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
