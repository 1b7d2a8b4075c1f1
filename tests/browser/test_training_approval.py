"""A line manager approving a place in a real browser: the booking form that asks for the
manager, and the approval page, checked with axe and used by keyboard alone."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.test_training import days_ahead, tab_to
from tests.training.factories import book, make_course, make_index, make_session
from training import links
from training.models import Booking, BookingStatus, LineManagerRole

browser_db = pytest.mark.django_db(transaction=True)


@browser_db
def test_manager_field_and_approval_page_are_accessible_and_work_by_keyboard(
    live_server, page, home_page, accessible
):
    catalogue = make_index(home_page)
    course = make_course(
        catalogue,
        title="Working Together to Safeguard Children",
        slug="working-together",
        line_manager=LineManagerRole.APPROVES,
        sessions=[make_session(start=days_ahead(21, 9, 30), hours=6.5)],
        revision=True,
    )
    session = course.sessions.get()
    page.goto(f"{live_server.url}/training/working-together/book/{session.pk}/")
    expect(page.get_by_label("Your line manager's work email address")).to_be_visible()
    accessible(page)

    held = book(session, name="Ann Smith", manager_email="mo@example.org")
    page.goto(live_server.url + urlsplit(links.approval_url(held, links.APPROVE)).path)
    expect(page.locator("h1")).to_have_text("Approve a training place")
    accessible(page)

    tab_to(page, page.get_by_role("button", name="Approve the place"))
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Place approved")
    accessible(page)
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.CONFIRMED
