"""The demo shows what happens after booking: a course that copies the manager, one that
needs approval with a refresher period, resources and a feedback form."""

import pytest

from training.demo import load_demo
from training.models import CoursePage, LineManagerRole

pytestmark = pytest.mark.django_db


def settings_of(slug):
    course = CoursePage.objects.get(slug=slug)
    return {
        "line_manager": course.line_manager,
        "refresher_months": course.refresher_months,
        "resources": list(course.resources.values_list("title", flat=True)),
        "feedback": bool(course.feedback_url),
        "access": {s.access_details != "" for s in course.sessions.filter(format="face_to_face")},
    }


def test_demo_courses_copy_the_manager_need_approval_and_set_a_refresher(home_page, frozen_now):
    load_demo(home_page)

    intro = settings_of("introduction-to-safeguarding-children-and-young-people")
    working_together = settings_of("working-together-to-safeguard-children")
    assert intro["line_manager"] == LineManagerRole.COPIED
    assert working_together["line_manager"] == LineManagerRole.APPROVES
    assert working_together["refresher_months"] == 36
    assert working_together["resources"][0].startswith("Working Together to Safeguard")
    assert working_together["feedback"] and working_together["access"] == {True}
    assert settings_of("child-exploitation-in-leeds")["line_manager"] == LineManagerRole.NOT_ASKED


def test_an_older_demo_gets_the_settings_once_and_keeps_an_editors_choice(home_page, frozen_now):
    load_demo(home_page)
    course = CoursePage.objects.get(slug="working-together-to-safeguard-children")
    CoursePage.objects.filter(pk=course.pk).update(
        line_manager=LineManagerRole.NOT_ASKED, refresher_months=24
    )
    course.resources.all().delete()
    revisions = course.revisions.count()

    load_demo(home_page)
    load_demo(home_page)

    course = CoursePage.objects.get(pk=course.pk)
    assert course.line_manager == LineManagerRole.APPROVES
    assert course.refresher_months == 24
    assert course.resources.count() == 2
    assert course.revisions.count() == revisions + 1
