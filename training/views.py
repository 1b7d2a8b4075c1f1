"""Booking a place, the page after booking, and cancelling through the emailed link.

The booking form is a route of the course page (/training/<course>/book/<session>/). It
queues the booking (training.queued.request_booking) and always shows the same page after:
what happened, confirmed, waiting or already booked, goes to the address by email, so the
page cannot tell anyone whether a person booked. The pages under /training/bookings/ are
kept out of search engines by robots.txt and out of the page cache.
Every rule is in training.booking: these views only translate.
"""

from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from lscp_site.ratelimit import rate_limited
from training import booking as booking_rules
from training import links, queued
from training.certificates import certificate_filename, certificate_pdf
from training.forms import BookingForm
from training.models.bookings import BookingStatus
from training.models.sessions import Session, SessionState


def _course_context(course, **context):
    return {"page": course, "self": course, **context}


@rate_limited(scope="training-booking", limit=20, period=600)
def book_session(request, *, course, session_id):
    session = Session.objects.filter(course=course, pk=session_id).with_counts().first()
    if session is None:
        raise Http404("No such session")
    session.course = course
    state = session.booking_state()
    status = 200
    form = BookingForm(course=course)
    if request.method == "POST":
        form = BookingForm(request.POST, course=course)
        if form.is_valid():
            refused = booking_rules.refusal(session=session)
            if refused is not None:
                return _booking_closed(request, course, session, refused.message)
            queued.request_booking(session=session, **form.booking_details())
            requested_url = reverse("training:booking_requested", args=[session.pk])
            return HttpResponseRedirect(requested_url, status=303)
        status = 400
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    if state in (SessionState.CLOSED, SessionState.CANCELLED):
        message = (
            "This session has been cancelled."
            if state == SessionState.CANCELLED
            else "Booking for this session has closed."
        )
        return _booking_closed(request, course, session, message)
    return TemplateResponse(
        request,
        "training/book.html",
        _course_context(course, session=session, state=state, form=form),
        status=status,
    )


def _booking_closed(request, course, session, message):
    return TemplateResponse(
        request,
        "training/booking_closed.html",
        _course_context(course, session=session, message=message),
        status=409 if request.method == "POST" else 200,
    )


@require_GET
def booking_requested(request, session_id):
    """The page straight after booking: the same for everyone; the email says the rest."""
    session = get_object_or_404(Session.objects.select_related("course"), pk=session_id)
    course = session.course.specific
    return TemplateResponse(
        request, "training/booking_requested.html", _course_context(course, session=session)
    )


@require_http_methods(["GET", "POST"])
@rate_limited(scope="training-cancel", limit=20, period=600)
def cancel_booking(request, token):
    try:
        booking = links.booking_from_cancel_token(token)
    except links.LinkInvalid:
        return TemplateResponse(request, "training/link_invalid.html", status=400)
    except links.LinkExpired:
        return TemplateResponse(request, "training/link_expired.html", status=410)

    context = {"booking": booking, "session": booking.session, "course": booking.session.course}
    if not booking.is_active:
        return TemplateResponse(request, "training/cancel_done.html", {**context, "already": True})
    if request.method == "POST":
        try:
            booking_rules.cancel(booking=booking)
        except booking_rules.AlreadyCancelled:
            return TemplateResponse(
                request, "training/cancel_done.html", {**context, "already": True}
            )
        except booking_rules.BookingClosed:
            return TemplateResponse(request, "training/link_expired.html", status=410)
        return TemplateResponse(request, "training/cancel_done.html", context)
    return TemplateResponse(request, "training/cancel_confirm.html", context)


@require_GET
@never_cache
@rate_limited(scope="training-certificate", limit=20, period=600, methods=("GET",))
def certificate(request, token):
    """An attendee's certificate of attendance, through the signed link in their email."""
    try:
        booking = links.booking_from_certificate_token(token)
    except links.LinkInvalid:
        return TemplateResponse(request, "training/link_invalid.html", status=400)
    except links.LinkExpired:
        return TemplateResponse(request, "training/certificate_unavailable.html", status=410)
    response = HttpResponse(certificate_pdf(booking=booking), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_filename(booking)}"'
    return response


@require_http_methods(["GET", "POST"])
@rate_limited(scope="training-approval", limit=20, period=600)
def approve_or_decline(request, token):
    """The line manager's link: a page to confirm approving or declining the place; the
    answer is recorded only when they press its button."""
    try:
        booking, decision = links.booking_from_approval_token(token)
    except links.LinkInvalid:
        return TemplateResponse(request, "training/link_invalid.html", status=400)
    except links.LinkExpired:
        return TemplateResponse(
            request, "training/link_expired.html", {"approval": True}, status=410
        )
    context = {
        "booking": booking,
        "session": booking.session,
        "course": booking.session.course,
        "decision": decision,
    }
    if booking.status != BookingStatus.AWAITING_APPROVAL:
        return TemplateResponse(
            request, "training/approval_done.html", {**context, "already": True}
        )
    if request.method == "POST":
        decide = (
            booking_rules.approve_booking
            if decision == links.APPROVE
            else booking_rules.decline_booking
        )
        try:
            decided = decide(booking=booking)
        except booking_rules.ApprovalClosed:
            return TemplateResponse(
                request, "training/approval_done.html", {**context, "already": True}
            )
        return TemplateResponse(
            request, "training/approval_done.html", {**context, "booking": decided}
        )
    return TemplateResponse(request, "training/approval_confirm.html", context)
