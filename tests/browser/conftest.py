"""Browser-test helpers: axe checks and the narrow-screen check."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from admin_2fa.devices import can_verify, two_factor_required
from tests.two_factor import authenticator_of, current_code

# Playwright's own viewport, which each page of check_pages starts from.
DESKTOP = {"width": 1280, "height": 720}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe_violations(page):
    """axe-core's violations of the WCAG 2.2 A and AA rules on the page as it is now."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return results.response["violations"]


def assert_accessible(page):
    violations = axe_violations(page)
    summary = [
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})" for v in violations
    ]
    assert violations == [], "\n".join(summary)


def assert_no_sideways_scroll(page, width=320):
    page.set_viewport_size({"width": width, "height": 800})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px wide"


@pytest.fixture
def accessible():
    return assert_accessible


@pytest.fixture
def no_sideways_scroll():
    return assert_no_sideways_scroll


@pytest.fixture
def csp_violations(page):
    """What the browser refused under the Content Security Policy (inline styles, scripts)."""
    refused = []

    def record(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", record)
    return refused


@pytest.fixture
def check_pages(page, live_server, subtests, csp_violations):
    """check_pages(paths): each page in turn, each a subtest (so the content a test builds is
    built once for all its pages): one h1, axe's WCAG 2.2 AA rules at desktop width, no
    sideways scrolling at 320 px, and nothing refused by the Content Security Policy."""

    def check(paths):
        for path in paths:
            with subtests.test(path=path):
                page.set_viewport_size(DESKTOP)
                csp_violations.clear()
                page.goto(live_server.url + path)
                expect(page.locator("h1")).to_have_count(1)
                assert_accessible(page)
                assert_no_sideways_scroll(page)
                assert csp_violations == []

    return check


def sign_in(page, live_server, user, password):
    """Sign in to the Wagtail admin and wait for the dashboard."""
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    if two_factor_required(user) or can_verify(user):
        page.get_by_label("Authentication code").fill(current_code(authenticator_of(user)))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/admin/")
