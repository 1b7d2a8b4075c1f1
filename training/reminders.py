"""Reminders before a session: one email to each person with a confirmed place, a set number
of working days before it starts (the course's ``reminder_working_days``).

The scheduler runs ``send_reminders_due`` every few minutes (settings.PERIODIC_TASKS). It
claims the bookings whose reminder is due by writing ``reminded_at`` on rows it has locked
(SKIP LOCKED, so two runs at once claim different rows and never the same one), and queues
one email task per session for the bookings it claimed, after the claim commits (a task per
booking made a busy day's queueing several times slower). The email task sends nothing for
a booking or session cancelled since; a reminder that fails to send has its claim given
back, so the next run queues it again.

A booking confirmed once its reminder was already due (a late booking, or a place from the
waiting list) gets none: its confirmation, sent moments before, carries the same details.
"""

import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from lscp_site.working_days import working_days_before
from training import tasks
from training.models.bookings import Booking, BookingStatus
from training.models.sessions import Session

# The longest reminder a course can set (10 working days) never reaches further ahead than
# this, whatever the weekends and bank holidays in between.
LOOKAHEAD = datetime.timedelta(days=21)
MAX_REMINDER_WORKING_DAYS = 10


def reminder_due_at(*, session_start, working_days):
    """When the reminder for a session starting at ``session_start`` goes out."""
    return working_days_before(session_start, working_days)


def sessions_due(*, now):
    """(session id, moment its reminder fell due) for sessions to come whose reminder is due."""
    sessions = (
        Session.objects.filter(
            start__gt=now,
            start__lte=now + LOOKAHEAD,
            cancellation__isnull=True,
            course__reminder_working_days__gt=0,
        )
        .values_list("pk", "start", "course__reminder_working_days")
        .order_by("start", "pk")
    )
    due = []
    for session_id, start, working_days in sessions:
        due_at = reminder_due_at(session_start=start, working_days=working_days)
        if due_at <= now:
            due.append((session_id, due_at))
    return due


def send_reminders_due(*, now=None):
    """Claim and queue every reminder that is due. Returns how many were queued."""
    now = now or timezone.now()
    queued = 0
    for session_id, due_at in sessions_due(now=now):
        with transaction.atomic():
            claimed = list(
                Booking.objects.select_for_update(skip_locked=True)
                .filter(
                    session_id=session_id,
                    status=BookingStatus.CONFIRMED,
                    reminded_at__isnull=True,
                    confirmed_at__lt=due_at,
                )
                .values_list("pk", flat=True)
            )
            if not claimed:
                continue
            Booking.objects.filter(pk__in=claimed).update(reminded_at=now)
            transaction.on_commit(partial(tasks.send_reminders.enqueue, claimed))
        queued += len(claimed)
    return queued
