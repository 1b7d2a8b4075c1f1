"""schema.org JSON-LD for course pages: a Course with a CourseInstance per upcoming session.

Joining details never appear here: an online session's location is the course page.
"""

from django.conf import settings

from events.dates import to_london
from lscp_site.links import absolute as absolute_url

ONLINE = "https://schema.org/OnlineEventAttendanceMode"
OFFLINE = "https://schema.org/OfflineEventAttendanceMode"


def _page_url(page):
    _site_id, _root_url, page_path = page.get_url_parts()
    return absolute_url(page_path)


def course_instance(session, *, course, course_url):
    instance = {
        "@type": "CourseInstance",
        "name": course.title,
        "startDate": to_london(session.start).isoformat(),
        "endDate": to_london(session.end).isoformat(),
        "url": course_url,
        "eventStatus": "https://schema.org/EventScheduled",
    }
    if session.is_online:
        instance["courseMode"] = "online"
        instance["eventAttendanceMode"] = ONLINE
        instance["location"] = {"@type": "VirtualLocation", "url": course_url}
    else:
        instance["courseMode"] = "onsite"
        instance["eventAttendanceMode"] = OFFLINE
        instance["location"] = {"@type": "Place", "name": session.venue, "address": session.venue}
    return instance


def course_json_ld(course, sessions, *, audiences, now):
    """The Course, with an instance for each of ``sessions`` coming up at ``now``."""
    url = _page_url(course)
    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "name": course.title,
        "description": course.summary,
        "url": url,
        "provider": {
            "@type": "Organization",
            "name": settings.WAGTAIL_SITE_NAME,
            "url": absolute_url("/"),
        },
    }
    if outcomes := course.outcome_list():
        data["teaches"] = outcomes
    if audiences:
        names = ", ".join(audience.name for audience in audiences)
        data["audience"] = {"@type": "Audience", "audienceType": names}
    instances = [
        course_instance(session, course=course, course_url=url)
        for session in sessions
        if session.is_coming_up_at(now)
    ]
    if instances:
        data["hasCourseInstance"] = instances
    return data
