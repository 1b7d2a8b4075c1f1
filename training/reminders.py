"""Reminders before a session: one email to each person with a confirmed place, a set number
of working days before it starts (the course's ``reminder_working_days``).

The scheduler runs ``send_reminders_due`` every few minutes (settings.PERIODIC_TASKS). It
claims the bookings whose reminder is due by writing ``reminder_queued_at`` on rows it has
locked (SKIP LOCKED, so two runs at once claim different rows), and queues one email task
per session for them after the claim commits (a task per booking made a busy day's queueing
several times slower). The claim is a lease: the task locks each booking's row, sends, and
writes ``reminded_at`` in that same transaction (notifications.send_reminder), so a
reminder is marked sent only once it has gone. One whose send fails has its claim given
back at once; one whose worker was killed part-way is claimed again once its lease has run
out; and one queued twice goes once, the second task finding it marked. The task sends
nothing for a booking or session cancelled since.

A booking confirmed once its reminder was already due (a late booking, or a place from the
waiting list) gets none: its confirmation, sent moments before, carries the same details.
"""

import datetime
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lscp_site.working_days import working_days_before
from training import tasks
from training.models.bookings import Booking, BookingStatus
from training.models.sessions import Session

# The longest reminder a course can set (10 working days) never reaches further ahead than
# this, whatever the weekends and bank holidays in between.
LOOKAHEAD = datetime.timedelta(days=21)
MAX_REMINDER_WORKING_DAYS = 10
# How long a queued email may take to be sent before the next run queues it again (its
# worker was killed part-way). Long enough for a busy queue to catch up.
LEASE = datetime.timedelta(minutes=30)


def claim(bookings, *, queued_field, sent_field, now):
    """Lock the ``bookings`` not yet sent (``sent_field``) and not claimed within the LEASE
    (``queued_field``), that no other run holds, and write ``queued_field``; in the caller's
    transaction. Returns their ids."""
    claimed = list(
        bookings.filter(**{f"{sent_field}__isnull": True})
        .filter(Q(**{f"{queued_field}__isnull": True}) | Q(**{f"{queued_field}__lt": now - LEASE}))
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)
    )
    Booking.objects.filter(pk__in=claimed).update(**{queued_field: now})
    return claimed


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
            claimed = claim(
                Booking.objects.filter(
                    session_id=session_id,
                    status=BookingStatus.CONFIRMED,
                    confirmed_at__lt=due_at,
                ),
                queued_field="reminder_queued_at",
                sent_field="reminded_at",
                now=now,
            )
            if not claimed:
                continue
            transaction.on_commit(partial(tasks.send_reminders.enqueue, claimed))
        queued += len(claimed)
    return queued
