"""Signed links in training emails: a delegate cancelling a booking or downloading a
certificate, a line manager approving or declining a place.

Each salt is used for nothing else, so a token signed for another purpose never works. A
cancel link stops working when the session ends; the end is read from the session itself,
so the link follows the session if an editor moves it. A certificate link works for as long
as the booking is kept (the retention period after its session), and only while the
register says the delegate attended.
"""

import datetime

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from lscp_site.links import absolute as absolute_url
from training.models.bookings import Attendance, Booking, BookingStatus
from training.retention import retention_days

CANCEL_SALT = "training.booking.cancel"
CERTIFICATE_SALT = "training.booking.certificate"
APPROVAL_SALT = "training.booking.approval"
APPROVE = "approve"
DECLINE = "decline"


class LinkInvalid(Exception):
    """The link was altered, cut short or made for something else."""


class LinkExpired(Exception):
    """The link was genuine but is no longer usable."""


def cancel_token(booking):
    return signing.dumps({"booking": booking.pk}, salt=CANCEL_SALT)


def cancel_url(booking):
    """The absolute link in a delegate's emails that lets them cancel."""
    return absolute_url(reverse("training:cancel_booking", args=[cancel_token(booking)]))


def booking_from_cancel_token(token, *, now=None):
    """The booking a cancel link is for. Raises LinkInvalid or LinkExpired."""
    try:
        booking_id = signing.loads(token, salt=CANCEL_SALT)["booking"]
    except (signing.BadSignature, KeyError, TypeError):
        raise LinkInvalid from None
    booking = Booking.objects.select_related("session__course").filter(pk=booking_id).first()
    if booking is None:  # deleted after the retention period
        raise LinkExpired
    if (now or timezone.now()) >= booking.session.end:
        raise LinkExpired
    return booking


def certificate_url(booking):
    """The absolute link, emailed to an attendee, to their certificate of attendance."""
    token = signing.dumps({"booking": booking.pk}, salt=CERTIFICATE_SALT)
    return absolute_url(reverse("training:certificate", args=[token]))


def booking_from_certificate_token(token, *, now=None):
    """The attended booking a certificate link is for. Raises LinkInvalid or LinkExpired
    (past the retention period, the booking gone, or no longer marked as attended)."""
    now = now or timezone.now()
    try:
        booking_id = signing.loads(token, salt=CERTIFICATE_SALT)["booking"]
    except (signing.BadSignature, KeyError, TypeError):
        raise LinkInvalid from None
    booking = Booking.objects.select_related("session__course").filter(pk=booking_id).first()
    if booking is None:
        raise LinkExpired
    if booking.session.end + datetime.timedelta(days=retention_days()) <= now:
        raise LinkExpired
    if booking.status != BookingStatus.CONFIRMED or booking.attendance != Attendance.ATTENDED:
        raise LinkExpired
    return booking


def approval_url(booking, decision):
    """The absolute link in a line manager's email to approve (APPROVE) or decline
    (DECLINE) a place. It opens a page that asks them to confirm: opening the link (as some
    mail filters do) changes nothing."""
    token = signing.dumps({"booking": booking.pk, "decision": decision}, salt=APPROVAL_SALT)
    return absolute_url(reverse("training:approval", args=[token]))


def booking_from_approval_token(token, *, now=None):
    """(booking, decision) for an approval link. Raises LinkInvalid, or LinkExpired once its
    deadline (Booking.approval_due_at, before the session) has passed or the booking is
    gone. Whether the place still awaits an answer is for the caller to show."""
    try:
        payload = signing.loads(token, salt=APPROVAL_SALT)
        booking_id, decision = payload["booking"], payload["decision"]
    except (signing.BadSignature, KeyError, TypeError):
        raise LinkInvalid from None
    if decision not in (APPROVE, DECLINE):
        raise LinkInvalid
    booking = Booking.objects.select_related("session__course").filter(pk=booking_id).first()
    if booking is None or booking.approval_due_at is None:
        raise LinkExpired
    if (now or timezone.now()) >= booking.approval_due_at:
        raise LinkExpired
    return booking, decision
