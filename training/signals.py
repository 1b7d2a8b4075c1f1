"""When a course is published, places an editor added go to the people waiting."""

from django.utils import timezone

from wagtail.signals import page_published

from training import booking
from training.models import CoursePage, Session


def offer_new_places(sender, instance, **kwargs):
    for session in Session.objects.filter(course_id=instance.pk, start__gt=timezone.now()):
        booking.promote_next(session=session)


def connect():
    page_published.connect(offer_new_places, sender=CoursePage, dispatch_uid="training-places")
