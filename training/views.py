"""Booking a place, the page after booking, and cancelling through the emailed link.

The booking form is a route of the course page (/training/<course>/book/<session>/). The
pages reached by a signed token live under /training/bookings/ (kept out of search engines
by robots.txt and out of the page cache): the page after booking and the cancel link.
Every rule is in training.booking: these views only translate.
"""

from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from lscp_site.ratelimit import rate_limited
from training import booking as booking_rules
from training import links
from training.forms import BookingForm
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
    form = BookingForm()
    if request.method == "POST":
        form = BookingForm(request.POST)
        if form.is_valid():
            try:
                booking = booking_rules.book(session=session, **form.booking_details())
            except booking_rules.BookingClosed as error:
                return _booking_closed(request, course, session, error.message)
            except booking_rules.BookingError as error:
                form.add_error(error.field, error.message)
                status = 409
            else:
                booked_url = reverse("training:booking_made", args=[links.made_token(booking)])
                return HttpResponseRedirect(booked_url, status=303)
        else:
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
def booking_made(request, token):
    """The page straight after booking: what happened, and that an email is on its way."""
    try:
        booking = links.booking_from_made_token(token)
    except (links.LinkInvalid, links.LinkExpired):
        return TemplateResponse(request, "training/booking_page_expired.html", status=404)
    session = booking.session
    return TemplateResponse(
        request,
        "training/booked.html",
        _course_context(
            session.course,
            booking=booking,
            session=session,
            position=booking.waiting_position(),
        ),
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
