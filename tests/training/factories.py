"""Building training content for tests: the catalogue page, courses, sessions and bookings."""

import datetime
import itertools

import factory

from events.dates import LONDON
from training import booking as booking_rules
from training.models import (
    Audience,
    CourseFormat,
    CoursePage,
    CourseType,
    Session,
    SessionFormat,
    TrainingIndexPage,
)

_numbers = itertools.count(1)

JOINING_DETAILS = "Join on Teams: https://teams.example.org/meet/secret-7731 Passcode: KITE-42"


class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audience
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Audience {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


def london(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def make_index(home, *, title="Training", slug="training", introduction=""):
    index = TrainingIndexPage(title=title, slug=slug, introduction=introduction)
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def make_session(
    *,
    start,
    hours=1,
    capacity=10,
    format=SessionFormat.LIVE_WEBINAR,
    venue="",
    joining_details=None,
    booking_closes_at=None,
):
    """An unsaved session, to pass to make_course(sessions=[...])."""
    if joining_details is None:
        joining_details = JOINING_DETAILS if format == SessionFormat.LIVE_WEBINAR else ""
    return Session(
        start=start,
        end=start + datetime.timedelta(hours=hours),
        format=format,
        venue=venue,
        joining_details=joining_details,
        capacity=capacity,
        booking_closes_at=booking_closes_at,
    )


def make_course(
    index,
    *,
    title=None,
    sessions=(),
    audiences=(),
    course_type=CourseType.TOPIC,
    format=CourseFormat.LIVE_WEBINAR,
    summary="A course for practitioners in Leeds.",
    live=True,
    revision=False,
    **fields,
):
    """A course under ``index`` with ``sessions``; live unless told otherwise.
    ``revision=True`` publishes it through a revision, as an editor would."""
    number = next(_numbers)
    course = CoursePage(
        title=title or f"Course {number}",
        slug=fields.pop("slug", None) or f"course-{number}",
        course_type=course_type,
        format=format,
        summary=summary,
        live=live,
        **fields,
    )
    course.sessions = list(sessions)
    course.audiences = list(audiences)
    index.add_child(instance=course)
    if revision:
        course.save_revision().publish()
    return course


def book(session, *, email=None, name=None, **details):
    """A booking made through the booking rules, as the public form makes it."""
    number = next(_numbers)
    return booking_rules.book(
        session=session,
        name=name or f"Delegate {number}",
        email=email or f"delegate{number}@example.org",
        organisation=details.pop("organisation", "Leeds City Council"),
        job_role=details.pop("job_role", "Social worker"),
        **details,
    )


def with_counts(session):
    """The session again, with its counts and course loaded."""
    return Session.objects.select_related("course").with_counts().get(pk=session.pk)
