"""What kind of course, and how it is given: the catalogue's filters and the course pages use
these, so they live apart from both."""

from django.db import models

from training.models.sessions import SessionFormat


class CourseType(models.TextChoices):
    CORE = "core", "Core course"
    TOPIC = "topic", "Topic-based session"


class CourseFormat(models.TextChoices):
    LIVE_WEBINAR = SessionFormat.LIVE_WEBINAR.value, SessionFormat.LIVE_WEBINAR.label
    FACE_TO_FACE = SessionFormat.FACE_TO_FACE.value, SessionFormat.FACE_TO_FACE.label
    E_LEARNING = "e_learning", "E-learning"


class LineManagerRole(models.TextChoices):
    """What a course asks of the delegate's line manager when someone books."""

    NOT_ASKED = "not_asked", "Not asked for"
    COPIED = "copied", "Sent a copy of the confirmation"
    APPROVES = "approves", "Must approve the place"
