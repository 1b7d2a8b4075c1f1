"""The subscribers and training bookings lists in the admin at a usual laptop width: email
addresses whole on one line, and row actions not squashed."""

import datetime

from django.utils import timezone

import pytest

from tests.browser.conftest import sign_in
from tests.subscriptions.factories import SubscriberFactory, seed_topics
from tests.training.factories import book, make_course, make_session
from training.models import TrainingIndexPage

browser_db = pytest.mark.django_db(transaction=True)
PASSWORD = "pw"
LAPTOP = {"width": 1280, "height": 800}

MEASURE_CELLS = """(cells) => cells.map(cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
    return {text: cell.textContent.trim(), lines: lines.size};
})"""


@pytest.fixture
def manager(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD)


@browser_db
def test_subscriber_emails_are_never_broken_across_lines(live_server, page, manager, home_page):
    topics = seed_topics()
    for number in range(3):
        SubscriberFactory(
            email=f"designated.safeguarding.lead{number}@long-school-name.leeds.sch.uk",
            topics=topics,
        )
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, manager, PASSWORD)
    page.goto(f"{live_server.url}/admin/subscribers/")
    page.screenshot(path="var/admin-subscribers.png", full_page=True)

    cells = page.locator("#listing-results tbody td a", has_text="@long-school").evaluate_all(
        MEASURE_CELLS
    )
    assert len(cells) == 3
    assert all(cell["lines"] == 1 for cell in cells), cells
    topics = page.locator("#listing-results tbody td.lscp-topics").first.bounding_box()
    assert topics["width"] >= 200, topics


@browser_db
def test_booking_emails_and_the_cancel_action_have_room(live_server, page, manager, home_page):
    catalogue = TrainingIndexPage(title="Training", slug="training")
    home_page.add_child(instance=catalogue)
    start = timezone.now() + datetime.timedelta(days=20)
    course = make_course(
        catalogue,
        title="Introduction to Safeguarding Children & Young People",
        sessions=[make_session(start=start, capacity=5)],
    )
    session = course.sessions.get()
    for number in range(3):
        book(
            session,
            name=f"Delegate Number {number}",
            email=f"designated.safeguarding.lead{number}@long-school-name.leeds.sch.uk",
        )
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, manager, PASSWORD)
    page.goto(f"{live_server.url}/admin/training/bookings/")
    page.screenshot(path="var/admin-bookings.png", full_page=True)

    emails = page.locator("#listing-results tbody td", has_text="@long-school").evaluate_all(
        MEASURE_CELLS
    )
    assert len(emails) == 3
    assert all("@" in cell["text"] and cell["lines"] == 1 for cell in emails), emails
    page.locator("#listing-results tbody tr").first.get_by_role(
        "button", name="More options"
    ).click()
    cancel = page.get_by_role("link", name="Cancel booking").first
    box = cancel.bounding_box()
    assert box["height"] < 60 and box["width"] > 100, box
