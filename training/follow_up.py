"""After the session: one email to each attendee (marked as attended on the session's
register) with the course's resources and feedback form, and, on a course with a refresher
period, a reminder before their training runs out with the next dates of the course.

Both are claimed the way reminders are (training.reminders.claim): a lease written on rows
locked with SKIP LOCKED, one email task per claimed booking queued after the claim commits;
the task marks the booking sent in the transaction that locks its row and sends
(notifications.send_follow_up, send_refresher_reminder), so each email goes once, and one
not sent is claimed again by a later run.
"""

import datetime
from functools import partial

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone

from dateutil.relativedelta import relativedelta

from training import tasks
from training.models.bookings import Booking
from training.models.pages import CoursePage
from training.queries import attended_bookings
from training.reminders import claim

# The follow-up goes once the register marks someone as attended; a register marked longer
# than this after the session sends none, about a session people have moved on from.
FOLLOW_UP_WINDOW = datetime.timedelta(days=28)
# How long before a refresher falls due the attendee is reminded.
REFRESHER_NOTICE = datetime.timedelta(weeks=8)


def _claim(bookings, *, queued_field, sent_field, now, task):
    """Claim the ``bookings`` due and queue ``task`` for each after the claim commits.
    Returns how many were claimed."""
    with transaction.atomic():
        claimed = claim(bookings, queued_field=queued_field, sent_field=sent_field, now=now)
        for booking_id in claimed:
            transaction.on_commit(partial(task.enqueue, booking_id))
    return len(claimed)


def follow_ups_due(*, now):
    """Attendees of sessions that ended in the last FOLLOW_UP_WINDOW, on courses with
    resources or a feedback form, not yet followed up."""
    courses = CoursePage.objects.filter(Q(feedback_url__gt="") | Q(resources__isnull=False)).values(
        "pk"
    )
    return attended_bookings().filter(
        session__end__lte=now,
        session__end__gt=now - FOLLOW_UP_WINDOW,
        session__course__in=courses,
    )


def send_follow_ups_due(*, now=None):
    """Claim and queue the follow-up emails that are due. Returns how many were queued."""
    now = now or timezone.now()
    return _claim(
        follow_ups_due(now=now),
        queued_field="follow_up_queued_at",
        sent_field="followed_up_at",
        now=now,
        task=tasks.send_follow_up,
    )


def refreshers_due(*, now):
    """Attendees whose refresher falls due within REFRESHER_NOTICE, who have not booked a
    later session of the same course since, and have not been reminded."""
    later_booking = (
        Booking.objects.active()
        .filter(
            session__course_id=OuterRef("session__course_id"),
            session__start__gt=OuterRef("session__start"),
        )
        .alias(email_lower=Lower("email"))
        .filter(email_lower=Lower(OuterRef("email")))
    )
    due = Booking.objects.none()
    for course_id, months in CoursePage.objects.filter(refresher_months__isnull=False).values_list(
        "pk", "refresher_months"
    ):
        # Due within the notice when the session ended on or before this moment.
        ended_by = now + REFRESHER_NOTICE - relativedelta(months=months)
        due |= attended_bookings().filter(session__course_id=course_id, session__end__lte=ended_by)
    return due.filter(~Exists(later_booking))


def send_refresher_reminders_due(*, now=None):
    """Claim and queue the refresher reminders that are due. Returns how many were queued."""
    now = now or timezone.now()
    return _claim(
        refreshers_due(now=now),
        queued_field="refresher_queued_at",
        sent_field="refresher_reminded_at",
        now=now,
        task=tasks.send_refresher_reminder,
    )
