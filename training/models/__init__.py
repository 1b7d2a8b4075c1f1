"""The training app's models: the catalogue pages, their sessions, audiences and bookings."""

from training.models.audiences import Audience
from training.models.bookings import (
    Attendance,
    Booking,
    BookingStatus,
    CancelledBy,
    SessionCancellation,
)
from training.models.catalogue import TrainingIndexPage
from training.models.choices import CourseFormat, CourseType
from training.models.pages import CoursePage
from training.models.sessions import Session, SessionFormat, SessionState

__all__ = [
    "Attendance",
    "Audience",
    "Booking",
    "BookingStatus",
    "CancelledBy",
    "CourseFormat",
    "CoursePage",
    "CourseType",
    "Session",
    "SessionCancellation",
    "SessionFormat",
    "SessionState",
    "TrainingIndexPage",
]
