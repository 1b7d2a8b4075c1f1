"""When a course is published, places an editor added go to the people waiting, and places
held for a manager's approval take their deadlines from the sessions' times as published."""

from django.utils import timezone

from wagtail.signals import page_published

from training import booking
from training.models import CoursePage, Session


def offer_new_places(sender, instance, **kwargs):
    now = timezone.now()
    for session in Session.objects.filter(course_id=instance.pk, start__gt=now):
        booking.follow_moved_session(session=session, now=now)
        booking.promote_next(session=session)


def connect():
    page_published.connect(offer_new_places, sender=CoursePage, dispatch_uid="training-places")
