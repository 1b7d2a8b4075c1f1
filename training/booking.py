"""The booking rules, in one place: book, cancel, promote from the waiting list, cancel a
session, erase a delegate's details. The public views, the Wagtail admin, commands and
tests all call these.

Each operation is one transaction that starts by locking the session's row
(SELECT ... FOR UPDATE), so everything that changes who holds a place on a session happens
one at a time, however many people book at once: the count of confirmed places is read
and written under the lock and can never pass the capacity. (SQLite has no row locks; the
site opens its SQLite transactions with BEGIN IMMEDIATE, which serialises writers too.)
One booking per email per session is the database's job (a unique index on lower(email)).

Emails go out after the transaction commits, from background tasks, so a rolled-back
booking never sends one.

The public form does not call ``book`` itself: it queues ``process_booking_request``
(training/queued.py) and answers at once, the same way whatever the address.
Whether the address already holds a place (and whether a new one gets a place or a spot on
the waiting list) is then told to the address's owner by email, never on the page: the page
and its timing would otherwise tell anyone whether a person booked.
"""

from functools import partial

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from events.dates import format_when
from lscp_site.pagecache import invalidate_pages
from lscp_site.working_days import working_days_before
from training import tasks
from training.models.bookings import (
    HOLDING_A_PLACE,
    Booking,
    BookingStatus,
    CancelledBy,
    SessionCancellation,
)
from training.models.choices import LineManagerRole
from training.models.sessions import Session


class BookingError(Exception):
    """The rules refuse. ``message`` is written for the person booking; ``field`` names the
    form field it belongs beside, if any."""

    field = None

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class AlreadyBooked(BookingError):
    field = "email"


class BookingClosed(BookingError):
    pass


class SessionCancelled(BookingClosed):
    pass


class AlreadyCancelled(BookingError):
    pass


class ApprovalClosed(BookingError):
    """The manager's answer comes too late, or the place is no longer awaiting one."""


def refusal(*, session, now=None):
    """Why ``session`` cannot be booked at ``now`` (a BookingClosed to raise or show), or None.

    The same for every address, so the public form checks it before queueing a request.
    """
    now = now or timezone.now()
    if _is_cancelled(session):
        return SessionCancelled("This session has been cancelled, so it cannot be booked.")
    if now >= session.start:
        return BookingClosed("This session has already started, so booking has closed.")
    if now >= session.closes_at:
        return BookingClosed(
            f"Booking for this session closed on {format_when(session.closes_at)}."
        )
    return None


def _after_commit(task, *args):
    transaction.on_commit(partial(task.enqueue, *args))


def _lock(session):
    """The session's row, locked until the transaction ends."""
    try:
        return Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    except Session.DoesNotExist:
        raise BookingClosed("This session is no longer running.") from None


def _is_cancelled(session):
    return SessionCancellation.objects.filter(session=session).exists()


def _places_held(session):
    """Places taken: confirmed, or held while a line manager is asked to approve."""
    return Booking.objects.filter(session=session).holding_a_place().count()


def _fill_free_places(session, *, now):
    """Give free places to the people waiting, first come first served. Needs the lock."""
    if now >= session.start or _is_cancelled(session):
        return []
    free = session.capacity - _places_held(session)
    if free <= 0:
        return []
    promoted = list(Booking.objects.filter(session=session).waiting_in_order()[:free])
    for booking in promoted:
        if _needs_approval(session, booking):
            _hold_for_approval(booking, session=session, now=now)
            booking.save(update_fields=["status", "approval_due_at"])
            _after_commit(tasks.send_promotion_awaiting_approval, booking.pk)
            _after_commit(tasks.send_approval_request, booking.pk)
            continue
        booking.status = BookingStatus.CONFIRMED
        booking.confirmed_at = now
        booking.save(update_fields=["status", "confirmed_at"])
        _after_commit(tasks.send_promotion, booking.pk)
        _copy_manager(booking, session=session)
    return promoted


def _needs_approval(session, booking):
    """The course asks the manager to approve, and the booking names one (a booking made
    before the course asked has no manager to ask: its place is confirmed as before)."""
    return session.course.line_manager == LineManagerRole.APPROVES and bool(booking.manager_email)


def _copy_manager(booking, *, session):
    if booking.manager_email and session.course.line_manager == LineManagerRole.COPIED:
        _after_commit(tasks.send_manager_copy, booking.pk)


def approval_deadline(*, session, now):
    """When a place awaiting the manager's approval is released if still unanswered: the
    same time one working day before the session, or, for a place given later than that,
    when booking closes (at the latest, when the session starts)."""
    candidates = (working_days_before(session.start, 1), session.closes_at, session.start)
    return next((moment for moment in candidates if moment > now), session.start)


def follow_moved_session(*, session, now=None):
    """After an editor publishes a session's times: the places on it awaiting a manager's
    approval get the deadline those times give (approval_deadline), so a manager's link
    neither dies early nor outlives a session brought forward. A deadline already passed is
    left for expire_pending_approvals. Returns how many deadlines moved."""
    now = now or timezone.now()
    deadline = approval_deadline(session=session, now=now)
    return (
        Booking.objects.filter(
            session=session, status=BookingStatus.AWAITING_APPROVAL, approval_due_at__gt=now
        )
        .exclude(approval_due_at=deadline)
        .update(approval_due_at=deadline)
    )


def _hold_for_approval(booking, *, session, now):
    booking.status = BookingStatus.AWAITING_APPROVAL
    booking.approval_due_at = approval_deadline(session=session, now=now)


def book(
    *,
    session,
    name,
    email,
    organisation,
    job_role,
    access_needs="",
    manager_email="",
    now=None,
):
    """Book a place: confirmed while places remain, otherwise on the waiting list.

    On a course whose line manager must approve (CoursePage.line_manager), a free place is
    held awaiting the manager's answer instead, and the manager is emailed links to approve
    or decline it; on a course that copies the manager, the manager gets a copy of the
    confirmation.

    Raises AlreadyBooked when this email already holds or waits for a place on the session,
    BookingClosed once booking has closed (SessionCancelled if the LSCP called it off).
    Returns the new Booking; its confirmation or waiting-list email follows by task.
    """
    now = now or timezone.now()
    email = email.strip()
    with transaction.atomic():
        session = _lock(session)
        refused = refusal(session=session, now=now)
        if refused is not None:
            raise refused
        already = (
            Booking.objects.filter(session=session)
            .active()
            .alias(email_lower=Lower("email"))
            .filter(email_lower=email.lower())
        )
        if already.exists():
            raise AlreadyBooked(
                "This email address already has a booking on this session. Check your inbox "
                "for the email we sent when you booked."
            )
        _fill_free_places(session, now=now)
        has_place = _places_held(session) < session.capacity
        booking = Booking(
            session=session,
            name=name.strip(),
            email=email,
            organisation=organisation.strip(),
            job_role=job_role.strip(),
            access_needs=access_needs.strip(),
            manager_email=manager_email.strip(),
            status=BookingStatus.CONFIRMED if has_place else BookingStatus.WAITING,
            created_at=now,
            confirmed_at=now if has_place else None,
            privacy_agreed_at=now,
        )
        awaiting_approval = has_place and _needs_approval(session, booking)
        if awaiting_approval:
            _hold_for_approval(booking, session=session, now=now)
            booking.confirmed_at = None
        try:
            with transaction.atomic():
                booking.save(force_insert=True)
        except IntegrityError:  # the unique index: the same address, another way in
            raise AlreadyBooked(
                "This email address already has a booking on this session."
            ) from None
        if awaiting_approval:
            _after_commit(tasks.send_awaiting_approval, booking.pk)
            _after_commit(tasks.send_approval_request, booking.pk)
        elif has_place:
            _after_commit(tasks.send_booking_confirmed, booking.pk)
            _copy_manager(booking, session=session)
        else:
            _after_commit(tasks.send_waiting_list_joined, booking.pk)
    return booking


def process_booking_request(
    *, session_id, name, email, organisation, job_role, access_needs, manager_email=""
):
    """Book a queued request (run by the task worker) and tell the address what happened.

    A new booking is confirmed or waiting, and emailed as ``book`` does. An address that
    already has a booking on the session is reminded of it by email; a session that closed
    or was called off since the form was sent is explained by email. Returns the outcome.
    """
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return "session_gone"
    try:
        booking = book(
            session=session,
            name=name,
            email=email,
            organisation=organisation,
            job_role=job_role,
            access_needs=access_needs,
            manager_email=manager_email,
        )
    except AlreadyBooked:
        existing = (
            Booking.objects.filter(session=session)
            .active()
            .alias(email_lower=Lower("email"))
            .filter(email_lower=email.strip().lower())
            .first()
        )
        if existing is not None:
            _after_commit(tasks.send_already_booked, existing.pk)
        return "already_booked"
    except BookingClosed as refused:
        _after_commit(
            tasks.send_booking_refused, session.pk, name.strip(), email.strip(), refused.message
        )
        return "refused"
    return booking.status


def promote_next(*, session, now=None):
    """Offer any free places to the people waiting, in the order they joined the list.

    Returns the bookings promoted (each is emailed). Called after a cancellation and when an
    editor adds places to a session.
    """
    now = now or timezone.now()
    with transaction.atomic():
        return _fill_free_places(_lock(session), now=now)


def cancel(*, booking, by_editor=False, now=None):
    """Cancel one booking; a confirmed place goes to the first person waiting.

    The delegate (through the signed link in their email) or an editor (``by_editor``) may
    cancel until the session ends. Raises AlreadyCancelled or BookingClosed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock(booking.session)
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if current.status == BookingStatus.CANCELLED:
            raise AlreadyCancelled("This booking has already been cancelled.")
        if now >= session.end:
            raise BookingClosed("This session has already taken place.")
        held_a_place = current.status in HOLDING_A_PLACE
        current.status = BookingStatus.CANCELLED
        current.cancelled_at = now
        current.cancelled_by = CancelledBy.EDITOR if by_editor else CancelledBy.DELEGATE
        current.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        _after_commit(tasks.send_booking_cancelled, current.pk)
        if held_a_place:
            _fill_free_places(session, now=now)
    booking.refresh_from_db()
    return current


def erase(*, booking, now=None):
    """Delete a delegate's booking for good, when they ask us to erase their details.

    A confirmed place on a session still to come goes to the first person waiting. Nothing
    is emailed to the person erased: their details are gone. Returns False if the booking
    was already deleted.
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock(booking.session)
        current = Booking.objects.select_for_update().filter(pk=booking.pk).first()
        if current is None:
            return False
        held_a_place = current.status in HOLDING_A_PLACE
        current.delete()
        if held_a_place:
            _fill_free_places(session, now=now)
    return True


def cancel_session(*, session, by=None, now=None):
    """Call a whole session off: no more bookings, and everyone on it is told by email.

    ``by`` is the editor (a user) who cancelled it. Returns the bookings cancelled; calling
    it again changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock(session)
        if now >= session.end:
            raise BookingClosed("This session has already taken place.")
        SessionCancellation.objects.get_or_create(
            session=session, defaults={"cancelled_at": now, "cancelled_by": by}
        )
        cancelled = list(Booking.objects.filter(session=session).active().order_by("pk"))
        for booking in cancelled:
            booking.status = BookingStatus.CANCELLED
            booking.cancelled_at = now
            booking.cancelled_by = CancelledBy.SESSION
        Booking.objects.bulk_update(cancelled, ["status", "cancelled_at", "cancelled_by"])
        # bulk_update sends no signals: cached pages still offer the session until told.
        invalidate_pages("training")
        for booking in cancelled:
            _after_commit(tasks.send_session_cancelled, booking.pk)
    return cancelled


def _decide(booking, *, now):
    """The booking, locked with its session, if it still awaits its manager's answer."""
    session = _lock(booking.session)
    current = Booking.objects.select_for_update().get(pk=booking.pk)
    current.session = session
    if current.status != BookingStatus.AWAITING_APPROVAL:
        raise ApprovalClosed("This place has already been approved, declined or cancelled.")
    if now >= current.approval_due_at:
        raise ApprovalClosed("The time to approve this place has passed, so it has been released.")
    return current


def approve_booking(*, booking, now=None):
    """The line manager approves the place (through the signed link in their email): it is
    confirmed, and the delegate gets their confirmation with the joining details. Raises
    ApprovalClosed once it is no longer awaiting approval or its deadline has passed."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _decide(booking, now=now)
        current.status = BookingStatus.CONFIRMED
        current.confirmed_at = now
        current.save(update_fields=["status", "confirmed_at"])
        _after_commit(tasks.send_booking_confirmed, current.pk)
    return current


def decline_booking(*, booking, now=None):
    """The line manager declines the place: it is released to the first person waiting and
    the delegate is told. Raises ApprovalClosed as approve_booking does."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _decide(booking, now=now)
        _release(current, cancelled_by=CancelledBy.MANAGER, now=now)
        current.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        _after_commit(tasks.send_approval_declined, current.pk)
        _fill_free_places(current.session, now=now)
    return current


def _release(booking, *, cancelled_by, now):
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = cancelled_by


def expire_pending_approvals(*, now=None):
    """Release every place whose manager did not answer in time: the delegate is told and
    the place goes to the first person waiting. Run by the scheduler. Returns how many."""
    now = now or timezone.now()
    overdue = Booking.objects.filter(
        status=BookingStatus.AWAITING_APPROVAL, approval_due_at__lte=now
    )
    released = 0
    for session_id in overdue.values_list("session_id", flat=True).distinct().order_by():
        with transaction.atomic():
            session = _lock(Session(pk=session_id))
            expired = list(overdue.filter(session=session).select_for_update().order_by("pk"))
            for booking in expired:
                _release(booking, cancelled_by=CancelledBy.APPROVAL_EXPIRED, now=now)
                booking.save(update_fields=["status", "cancelled_at", "cancelled_by"])
                _after_commit(tasks.send_approval_expired, booking.pk)
            _fill_free_places(session, now=now)
        released += len(expired)
    return released
