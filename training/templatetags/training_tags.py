"""Template helpers for training pages: a session's state, a course's structured data, the
wording of places left, booking links and crumbs.

Whatever shows a session's state or lists it as coming up goes through ``session_state`` or
``course_json_ld``: they tell the page cache (``lscp_site.pagecache.shown_until``) when the
session next shows otherwise, so a fragment or cached page holding it is kept no longer.
"""

from django import template
from django.utils import timezone

from lscp_site import pagecache
from training import structured_data
from training.models import CourseFormat, SessionFormat

register = template.Library()


def _now_showing(sessions):
    """Now, for rendering ``sessions``: what shows them is kept only until the first of
    them changes with the clock (Session.next_change_after)."""
    now = timezone.now()
    for session in sessions:
        pagecache.shown_until(session.next_change_after(now))
    return now


@register.simple_tag
def session_state(session):
    """What someone can do about ``session`` now: "open", "full", "closed", "cancelled"."""
    return session.state_at(_now_showing([session]))


@register.simple_tag
def course_json_ld(course, sessions, audiences):
    """A course's schema.org data, with a CourseInstance per session coming up."""
    sessions = list(sessions)
    now = _now_showing(sessions)
    return structured_data.course_json_ld(course, sessions, audiences=audiences, now=now)


@register.filter
def course_format(course, sessions):
    """How a course is given, as its listed dates say: "Live webinar", "Face to face", or
    "Live webinar or face to face" when its sessions differ. The course's own format only
    when it lists no dates (or is e-learning), so the label never contradicts its sessions.
    ``sessions``: the dates the page or card lists."""
    if course.format == CourseFormat.E_LEARNING:
        return course.get_format_display()
    given = {session.format for session in sessions or ()}
    labels = [label for value, label in SessionFormat.choices if value in given]
    if not labels:
        return course.get_format_display()
    return " or ".join([labels[0], *(label.lower() for label in labels[1:])])


@register.filter
def places_left(count):
    """ "1 place left", "3 places left"."""
    count = int(count)
    return f"{count} place left" if count == 1 else f"{count} places left"


@register.simple_tag(takes_context=True)
def session_booking_url(context, course, session):
    """The booking form of ``session`` of ``course``. Empty for a session not saved yet, as
    in an editor's preview."""
    if session.pk is None:
        return ""
    return course.booking_url(session, request=context.get("request"))


@register.simple_tag(takes_context=True)
def training_crumbs(context, page, *extra):
    """Breadcrumbs from the home page down to ``page``'s parent, plus ``extra`` pages: the
    pages above it in one query."""
    request = context.get("request")
    above = [*page.get_ancestors().filter(depth__gte=2), *extra]
    crumbs = [{"url": crumb.get_url(request), "title": crumb.title} for crumb in above]
    if crumbs:
        crumbs[0]["title"] = "Home"
    return crumbs
