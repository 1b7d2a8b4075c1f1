"""The issue editor's date fields in a real browser: the month box takes what its help text
says, and "Save schedule" can be clicked right after picking a go-live date."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from events.dates import LONDON
from tests.browser.conftest import sign_in
from tests.newsletter.factories import make_index, make_issue

browser_db = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "timezone_id": "Europe/London", "locale": "en-GB"}


@browser_db
def test_save_schedule_can_be_clicked_right_after_picking_a_date(
    live_server, page, home_page, admin_user
):
    issue = make_issue(make_index(home_page), datetime.date(2025, 3, 1))
    sign_in(page, live_server, admin_user, PASSWORD)
    page.goto(f"{live_server.url}/admin/pages/{issue.pk}/edit/")

    page.locator("[data-side-panel-toggle='status']").click()
    page.get_by_role("button", name="Set schedule").click()
    page.locator("#id_go_live_at").click()
    picker = page.locator(".xdsoft_datetimepicker:visible")
    expect(picker).to_have_count(1)
    picker.locator(".xdsoft_datepicker .xdsoft_next").click()
    picker.locator("td.xdsoft_date:not(.xdsoft_other_month)[data-date='3']").click()
    # The picker closed on the day; the time starts at 9am.
    expect(picker).to_have_count(0)
    expect(page.locator("#id_go_live_at")).to_have_value(re.compile(r"^\d{4}-\d\d-03 09:00$"))

    # A real click: Playwright refuses if the picker lies over the button.
    page.get_by_role("button", name="Save schedule").click(timeout=3000)
    expect(page.locator(".messages")).to_contain_text("has been updated")
    issue.refresh_from_db()
    go_live = issue.get_latest_revision_as_object().go_live_at
    assert go_live.astimezone(LONDON).day == 3
    assert go_live.astimezone(LONDON).time() == datetime.time(9)


@browser_db
def test_the_month_box_takes_the_month_as_its_help_text_says(
    live_server, page, home_page, admin_user
):
    issue = make_issue(make_index(home_page), datetime.date(2025, 3, 1))
    sign_in(page, live_server, admin_user, PASSWORD)
    page.goto(f"{live_server.url}/admin/pages/{issue.pk}/edit/")

    month = page.locator("#id_issue_date")
    expect(page.get_by_text("type the month's name, press Tab and type the year")).to_be_visible()
    month.focus()
    page.keyboard.type("April")
    page.keyboard.press("Tab")
    page.keyboard.type("2025")
    expect(month).to_have_value("2025-04")

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("has been updated")
    issue.refresh_from_db()
    assert issue.get_latest_revision_as_object().issue_date == datetime.date(2025, 4, 1)
