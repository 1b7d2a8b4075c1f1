"""Training in a real browser: booking a place by keyboard alone, axe on every page a
delegate meets, and nothing wider than a 320 px screen."""

import datetime

from django.core import mail
from django.utils import timezone

import pytest
from playwright.sync_api import expect

from events.dates import LONDON
from tests.training.factories import (
    AudienceFactory,
    book,
    make_course,
    make_index,
    make_session,
)
from training import links
from training.models import Booking, BookingStatus

browser_db = pytest.mark.django_db(transaction=True)
VENUE = "Merrion House, 110 Merrion Centre, Leeds LS2 8BB"


def days_ahead(days, hour, minute=0):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def programme(home_page):
    """The catalogue seen today: a webinar with places, a full face-to-face course."""
    return build_programme(home_page)


def build_programme(home_page):
    everyone = AudienceFactory(name="All practitioners", slug="all-practitioners")
    catalogue = make_index(home_page, introduction="LSCP training for practitioners.")
    webinar = make_course(
        catalogue,
        title="Child exploitation in Leeds - a guide for practitioners",
        slug="child-exploitation-in-leeds",
        summary="A live webinar introducing the Child Exploitation Practice Guidance.",
        learning_outcomes="Recognise adultification\nKnow the Leeds processes",
        duration="1 hour",
        audiences=[everyone],
        sessions=[
            make_session(start=days_ahead(10, 14), capacity=3),
            make_session(start=days_ahead(38, 14), capacity=3),
        ],
        revision=True,
    )
    together = make_course(
        catalogue,
        title="Working Together to Safeguard Children",
        slug="working-together",
        course_type="core",
        format="face_to_face",
        audiences=[everyone],
        sessions=[
            make_session(
                start=days_ahead(21, 9, 30),
                hours=6.5,
                capacity=1,
                format="face_to_face",
                venue=VENUE,
            )
        ],
        revision=True,
    )
    book(together.sessions.get())
    return webinar


def tab_to(page, locator, limit=80):
    """Press Tab until ``locator`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


@browser_db
def test_book_a_place_by_keyboard_alone(live_server, page, programme, accessible):
    mail.outbox.clear()
    page.goto(live_server.url + "/training/child-exploitation-in-leeds/")
    accessible(page)

    tab_to(page, page.get_by_role("link", name="Book your place").first)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(
        "Book a place: Child exploitation in Leeds - a guide for practitioners"
    )
    accessible(page)

    for label, text in [
        ("Full name", "Ann Smith"),
        ("Work email address", "ann.smith@example.org"),
        ("Organisation", "Leeds City Council"),
        ("Job role", "Social worker"),
    ]:
        tab_to(page, page.get_by_label(label, exact=True))
        page.keyboard.type(text)
    tab_to(page, page.get_by_label("I agree to the LSCP keeping these details"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Book your place"))
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Check your email")
    expect(page.locator("main")).to_contain_text("whether you have a place")
    accessible(page)
    booking = Booking.objects.get(email="ann.smith@example.org")
    assert (booking.name, booking.status) == ("Ann Smith", BookingStatus.CONFIRMED)
    assert [m.to for m in mail.outbox] == [["ann.smith@example.org"]]


@browser_db
def test_booking_form_errors_are_announced_and_accessible(live_server, page, programme, accessible):
    session = programme.sessions.order_by("start").first()
    page.goto(f"{live_server.url}/training/child-exploitation-in-leeds/book/{session.pk}/")

    page.get_by_role("button", name="Book your place").click()

    expect(page.locator(".error-summary")).to_contain_text("Enter your full name")
    expect(page).to_have_title(
        "Error: Book a place: Child exploitation in Leeds - a guide for practitioners"
        " | Leeds Safeguarding Children Partnership"
    )
    accessible(page)
    page.locator(".error-summary a", has_text="Enter your full name").click()
    expect(page.get_by_label("Full name", exact=True)).to_be_focused()


@browser_db
def test_catalogue_is_accessible(live_server, page, programme, accessible):
    page.goto(live_server.url + "/training/")

    expect(page.locator(".next-sessions li")).to_have_count(3)
    accessible(page)


@browser_db
def test_catalogue_filters_work_without_javascript(live_server, browser, programme):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/training/")

    page.get_by_label("Type of course").select_option("core")
    page.get_by_role("button", name="Show courses").click()

    expect(page).to_have_url(f"{live_server.url}/training/?type=core&format=&audience=")
    expect(page.locator(".course-card h3")).to_have_text(["Working Together to Safeguard Children"])
    expect(page.locator(".course-card")).to_contain_text("fully booked, waiting list open")
    context.close()


@browser_db
def test_full_session_and_waiting_list_form_are_accessible(
    live_server, page, programme, accessible
):
    page.goto(live_server.url + "/training/working-together/")
    expect(page.locator(".session-state")).to_have_text("Fully booked - join the waiting list")
    accessible(page)

    page.get_by_role("link", name="Join the waiting list").click()
    expect(page.locator(".notice")).to_contain_text("fully booked")
    accessible(page)


@browser_db
def test_cancel_pages_are_accessible_and_work_by_keyboard(live_server, page, programme, accessible):
    booking = book(programme.sessions.order_by("start").first(), name="Ann Smith")
    page.goto(f"{live_server.url}/training/bookings/cancel/{links.cancel_token(booking)}/")
    expect(page.locator("h1")).to_have_text("Cancel your booking")
    accessible(page)

    tab_to(page, page.get_by_role("button", name="Yes, cancel my booking"))
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Your booking is cancelled")
    accessible(page)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED

    page.goto(f"{live_server.url}/training/bookings/cancel/not-a-real-link/")
    expect(page.locator("h1")).to_have_text("This link does not work")
    accessible(page)


@browser_db
def test_training_pages_fit_a_320px_screen(live_server, page, programme, no_sideways_scroll):
    session = programme.sessions.order_by("start").first()
    booking = book(session)
    paths = [
        "/training/",
        "/training/child-exploitation-in-leeds/",
        "/training/working-together/",
        f"/training/child-exploitation-in-leeds/book/{session.pk}/",
        f"/training/bookings/requested/{session.pk}/",
        f"/training/bookings/cancel/{links.cancel_token(booking)}/",
        "/",
    ]
    page.set_viewport_size({"width": 320, "height": 800})
    for path in paths:
        page.goto(live_server.url + path)
        no_sideways_scroll(page)


@browser_db
def test_a_printed_course_page_is_the_course_alone_with_link_addresses(
    live_server, page, programme
):
    course = make_course(
        programme.get_parent(),
        title="Neglect: recognising and responding",
        slug="neglect",
        elearning_url="https://elearning.example.org/neglect",
        sessions=[make_session(start=days_ahead(12, 10), capacity=5)],
    )
    page.goto(live_server.url + course.url)
    page.emulate_media(media="print")

    for hidden in [".quick-leave", ".site-nav", ".breadcrumbs", ".signup-box", ".site-footer"]:
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    elearning = page.get_by_role("link", name="Start the e-learning")
    assert elearning.evaluate("e => getComputedStyle(e, '::after').content") == (
        '" (https://elearning.example.org/neglect)"'
    )
    session = page.locator(".session").first
    assert session.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    page.pdf()
