"""The Wagtail admin in a real browser under its Content Security Policy: an editor schedules
an issue with the date picker, and no page editors use has anything blocked."""

import datetime
import re
import struct
import zlib

from django.contrib.auth.models import Group
from django.utils import timezone

from wagtail.models import TaskState, Workflow

import pytest
from playwright.sync_api import expect

from events.dates import LONDON
from lscp_site.models import ContentPage
from tests.browser.conftest import sign_in
from tests.events.factories import make_event
from tests.events.factories import make_index as make_event_index
from tests.newsletter.factories import make_index as make_newsletter_index
from tests.newsletter.factories import make_issue
from tests.training.factories import london, make_course, make_session
from tests.training.factories import make_index as make_training_index

browser_db = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery"

# Runs in every page and frame before the page's own scripts; the page's policy does not
# apply to it. Each violation is handed to the test as it happens.
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.recordCspViolation(
    `${location.pathname}: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` (${event.sourceFile}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def browser_context_args(browser_context_args):
    # Editors work in UK time; Chromium here has no time zone of its own.
    return {**browser_context_args, "timezone_id": "Europe/London"}


@pytest.fixture
def csp_violations(page):
    """Every Content Security Policy violation in the browser context, as text."""
    violations = []
    page.context.expose_function("recordCspViolation", lambda text: violations.append(text))
    page.context.add_init_script(RECORD_VIOLATIONS)
    return violations


@pytest.fixture
def site(home_page):
    """One page of every type editors edit."""
    newsletter = make_newsletter_index(home_page)
    events = make_event_index(home_page)
    training = make_training_index(home_page)
    return {
        "home": home_page,
        "content": ContentPage.objects.get(slug="privacy"),
        "newsletter": newsletter,
        "issue": make_issue(newsletter, datetime.date(2025, 3, 1)),
        "events": events,
        "event": make_event(events, title="Anti-bullying week", revision=True),
        "training": training,
        "course": make_course(
            training,
            title="Working Together",
            sessions=[make_session(start=london(2030, 5, 1, 10))],
            revision=True,
        ),
    }


def first_of_next_month():
    today = timezone.localdate()
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


@browser_db
def test_an_editor_schedules_an_issue_with_the_date_picker(
    live_server, page, site, admin_user, csp_violations
):
    issue = site["issue"]
    sign_in(page, live_server, admin_user, PASSWORD)
    page.goto(f"{live_server.url}/admin/pages/{issue.pk}/edit/")

    # The live preview, framed by the editor.
    page.locator("[data-side-panel-toggle='preview']").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.get_by_role("heading", level=1)).to_have_text("March Newsletter 2025")

    # Status panel > Set schedule > the go-live date picker.
    page.locator("[data-side-panel-toggle='status']").click()
    page.get_by_role("button", name="Set schedule").click()
    page.locator("#id_go_live_at").click()
    picker = page.locator(".xdsoft_datetimepicker:visible")
    expect(picker).to_have_count(1)
    go_live = first_of_next_month().replace(day=3)
    picker.locator(".xdsoft_datepicker .xdsoft_next").click()
    picker.locator(
        f"td.xdsoft_date[data-date='3'][data-month='{go_live.month - 1}']"
        f"[data-year='{go_live.year}']"
    ).click()
    # The picker closes on the day (lscp_site/panels.py); it opens again for the time.
    expect(picker).to_have_count(0)
    page.locator("#id_go_live_at").click()
    # The time list is scrolled to the current hour, with 08:00 maybe out of its window.
    picker.locator(".xdsoft_time[data-hour='8'][data-minute='0']").dispatch_event("click")
    expect(page.locator("#id_go_live_at")).to_have_value(f"{go_live:%Y-%m-%d} 08:00")
    page.get_by_role("button", name="Save schedule").click()
    expect(page.locator(".messages")).to_contain_text("has been updated")

    # Publishing a draft with a go-live date in the future schedules it.
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("button", name="Schedule to publish").click()
    expect(page.locator(".messages")).to_contain_text("scheduled")

    expected = datetime.datetime.combine(go_live, datetime.time(8), tzinfo=LONDON)
    issue.refresh_from_db()
    revision = issue.latest_revision
    assert revision.approved_go_live_at == expected
    assert issue.get_latest_revision_as_object().go_live_at == expected
    assert issue.live  # the published version stays up until then
    assert csp_violations == []


def small_png():
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x1d\x4f\x91")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@browser_db
def test_nothing_editors_use_in_the_admin_is_blocked_by_the_policy(
    live_server, page, site, admin_user, csp_violations
):
    url = live_server.url
    sign_in(page, live_server, admin_user, PASSWORD)  # the login page and the dashboard

    editors = Group.objects.get(name="Editors")
    workflow = Workflow.objects.first()
    # The course's and the event's editors are opened below, to add a session and approve.
    edits = [
        f"/admin/pages/{site[name].pk}/edit/"
        for name in ["home", "content", "newsletter", "issue", "events", "training"]
    ]
    paths = [
        f"/admin/pages/{site['home'].pk}/",  # the page explorer, with its date filters
        *edits,
        f"/admin/pages/add/events/eventpage/{site['events'].pk}/",
        f"/admin/pages/{site['issue'].pk}/history/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/snippets/",
        "/admin/snippets/events/eventcategory/add/",
        "/admin/settings/lscp_site/sitesettings/",
        f"/admin/workflows/edit/{workflow.pk}/",
        "/admin/workflows/tasks/index/",
        "/admin/reports/workflow/",
        "/admin/users/",
        f"/admin/users/edit/{admin_user.pk}/",
        f"/admin/groups/edit/{editors.pk}/",
    ]
    for path in paths:
        response = page.goto(url + path)
        assert response.status == 200, path
        expect(page.locator("main, form").first).to_be_visible()

    # A new session row on a course, with its own date picker.
    page.goto(f"{url}/admin/pages/{site['course'].pk}/edit/")
    page.get_by_role("button", name="Add Session").click()
    page.locator("#id_sessions-1-start").click()
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)

    # Uploads show a preview of the picture before it is saved.
    page.goto(url + "/admin/images/multiple/add/")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "dot.png", "mimeType": "image/png", "buffer": small_png()}]
    )
    expect(page.locator("#upload-list .thumb :is(img, canvas)")).to_be_visible()
    expect(page.locator("#upload-list .status-msg.success")).to_be_visible()
    page.goto(url + "/admin/documents/multiple/add/")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "minutes.txt", "mimeType": "text/plain", "buffer": b"Minutes"}]
    )
    expect(page.locator("#upload-list .status-msg.success")).to_be_visible()

    # Moderation: submit the event for review, then approve it with a comment.
    page.goto(f"{url}/admin/pages/{site['event'].pk}/edit/")
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("button", name=re.compile("Submit to")).click()
    expect(page.locator(".messages")).to_contain_text("submitted")
    page.goto(f"{url}/admin/pages/{site['event'].pk}/edit/")
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.get_by_role("button", name="Approve with comment").click()
    page.locator(".modal textarea").fill("Fine to go out.")
    page.locator(".modal").get_by_role("button", name=re.compile("Approve")).click()
    expect(page.locator(".messages")).to_contain_text("has been updated")
    approval = TaskState.objects.get(workflow_state__object_id=str(site["event"].pk))
    assert (approval.status, approval.comment) == ("approved", "Fine to go out.")

    assert csp_violations == []
