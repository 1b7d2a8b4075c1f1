"""The business unit's dashboard and a session's register in a real browser: the charts
pass axe under the admin's policy, and the register is marked and saved by keyboard."""

import datetime

from django.utils import timezone

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.training.factories import make_course, make_index, make_session
from training.models import Attendance, Booking, BookingStatus

browser_db = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery"


@pytest.fixture
def past_session(home_page):
    """A session that started two hours ago, three people booked on it (and one to come)."""
    start = timezone.now() - datetime.timedelta(hours=2)
    course = make_course(
        make_index(home_page),
        title="Working Together",
        sessions=[
            make_session(start=start, hours=1),
            make_session(start=start + datetime.timedelta(days=30), capacity=12),
        ],
        revision=True,
    )
    session = course.sessions.order_by("start").first()
    for name in ("Ann Smith", "Bob Jones", "Cat Lee"):
        Booking.objects.create(
            session=session,
            name=name,
            email=f"{name.split()[0].lower()}@example.org",
            organisation="Leeds City Council",
            job_role="Social worker",
            status=BookingStatus.CONFIRMED,
            privacy_agreed_at=start,
        )
    return session


@browser_db
def test_the_dashboard_and_the_register_are_accessible_and_work_by_keyboard(
    live_server, page, past_session, admin_user, csp_violations, accessible
):
    sign_in(page, live_server, admin_user, PASSWORD)

    dashboard = page.locator("section.lscp-dashboard")
    expect(dashboard.get_by_role("heading", name="Attendance rate per course")).to_be_visible()
    # No newsletter sent yet: three charts, and a sentence for the sends.
    expect(dashboard.get_by_role("img")).to_have_count(3)
    dashboard.get_by_text("The numbers: places booked on the coming sessions").click()
    accessible(page)

    page.goto(f"{live_server.url}/admin/training/bookings/sessions/{past_session.pk}/register/")
    first = page.get_by_role("group", name="Attendance of Ann Smith")
    first.get_by_label("Attended").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # to Bob's row: radios are one tab stop per group
    page.keyboard.press("ArrowRight")  # Bob: the second choice, did not attend
    expect(
        page.get_by_role("group", name="Attendance of Bob Jones").get_by_label("Did not attend")
    ).to_be_checked()
    accessible(page)
    page.get_by_role("button", name="Save the register").focus()
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text("Saved the register (2 changes)")
    marks = dict(Booking.objects.values_list("name", "attendance"))
    assert marks == {
        "Ann Smith": Attendance.ATTENDED,
        "Bob Jones": Attendance.NO_SHOW,
        "Cat Lee": Attendance.NOT_RECORDED,
    }
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Save the register")).to_be_hidden()
    expect(page.get_by_role("columnheader", name="Signature")).to_be_visible()
    assert csp_violations == []
