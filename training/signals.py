"""When a course is published, places an editor added go to the people waiting, and places
held for a manager's approval take their deadlines from the sessions' times as published.
A subscriber's export and erasure cover their bookings (training.personal_data)."""

from django.utils import timezone

from wagtail.signals import page_published

from subscriptions.signals import subscriber_erasing, subscriber_exporting
from training import booking, personal_data
from training.models import CoursePage, Session


def offer_new_places(sender, instance, **kwargs):
    now = timezone.now()
    for session in Session.objects.filter(course_id=instance.pk, start__gt=now):
        booking.follow_moved_session(session=session, now=now)
        booking.promote_next(session=session)


def connect():
    page_published.connect(offer_new_places, sender=CoursePage, dispatch_uid="training-places")
    subscriber_exporting.connect(
        personal_data.on_subscriber_exporting, dispatch_uid="training-bookings-export"
    )
    subscriber_erasing.connect(
        personal_data.on_subscriber_erasing, dispatch_uid="training-bookings-erase"
    )
