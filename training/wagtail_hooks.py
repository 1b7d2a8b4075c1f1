"""Training in the Wagtail admin: bookings, audiences, and guards on deleting courses."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone

from wagtail import hooks
from wagtail.models import Page
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from training.attendance import LOG_ACTION as ATTENDANCE_LOG_ACTION
from training.models import Audience, Booking, BookingStatus, CoursePage
from training.viewsets import BookingPermissionPolicy, BookingViewSet

# Registered before anything asks for Booking's policy (see wagtail.permissions).
register_permission_policy(Booking, BookingPermissionPolicy(Booking))


@hooks.register("register_admin_viewset")
def register_booking_viewset():
    return BookingViewSet()


@hooks.register("register_log_actions")
def register_attendance_log_action(actions):
    actions.register_action(ATTENDANCE_LOG_ACTION, "Record attendance", "Recorded attendance")


class AudienceViewSet(SnippetViewSet):
    model = Audience
    icon = "group"
    menu_label = "Training audiences"
    menu_name = "training_audiences"
    list_display = ["name", "slug"]


register_snippet(AudienceViewSet)


def _booked_courses(pages):
    """Of the course pages among ``pages`` (and their descendants), those with people still
    booked or waiting on a session to come."""
    course_ids = set()
    for page in pages:
        course_ids.update(
            CoursePage.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True)
        )
    now = timezone.now()
    blocking = (
        Booking.objects.filter(session__course_id__in=course_ids, session__end__gt=now)
        .exclude(status=BookingStatus.CANCELLED)
        .values_list("session__course__title", flat=True)
        .distinct()
    )
    return course_ids, sorted(set(blocking))


def _clear_old_booking_records(course_ids):
    # Records of cancelled bookings and of sessions that have ended go with the course.
    Booking.objects.filter(session__course_id__in=course_ids).delete()


@hooks.register("before_delete_page")
def keep_courses_with_bookings(request, page):
    course_ids, blocking = _booked_courses([page])
    if not course_ids:
        return None
    if blocking:
        messages.error(
            request,
            f"'{page.title}' cannot be deleted: people are booked on sessions to come of "
            f"{', '.join(blocking)}. Cancel those sessions in Training bookings first "
            "(everyone booked is emailed), or unpublish the page instead.",
        )
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    if request.method == "POST":
        _clear_old_booking_records(course_ids)
    return None


@hooks.register("before_bulk_action")
def keep_courses_with_bookings_in_bulk(request, action_type, objects, action_class_instance):
    pages = [obj for obj in objects if isinstance(obj, Page)]
    if action_type != "delete" or not pages:
        return None
    course_ids, blocking = _booked_courses(pages)
    if blocking:
        messages.error(
            request,
            "These pages cannot be deleted: people are booked on sessions to come of "
            f"{', '.join(blocking)}. Cancel those sessions in Training bookings first.",
        )
        return redirect("wagtailadmin_home")
    if course_ids and request.method == "POST":
        _clear_old_booking_records(course_ids)
    return None
