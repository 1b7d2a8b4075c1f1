"""Quick leave and the page shell in a real browser (Chromium through Playwright)."""

import pytest
from playwright.sync_api import expect

from lscp_site.models import DEFAULT_QUICK_LEAVE_URL

browser_db = pytest.mark.django_db(transaction=True)
DESTINATION = DEFAULT_QUICK_LEAVE_URL
NEUTRAL_PAGE = "<!DOCTYPE html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"


class LeavingWatch:
    """Records what the page looked like as it unloaded, and answers for the destination.

    There is no network here: the neutral site is fulfilled locally. The page reports its
    state from its beforeunload event through a Playwright binding, which is how the test
    sees that the content was hidden and storage cleared before the navigation.
    """

    def __init__(self, page):
        self.states = []
        page.expose_binding("reportLeaving", self.record)
        page.add_init_script(
            """window.addEventListener('beforeunload', () => window.reportLeaving({
              overlay: !!document.querySelector('[data-quick-leave-overlay]'),
              main: getComputedStyle(document.querySelector('main')).visibility,
              storage: [localStorage.length, sessionStorage.length],
              cookie: document.cookie}))"""
        )
        page.route(DESTINATION + "**", self.answer)

    def record(self, source, state):
        self.states.append(state)

    def answer(self, route):
        route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)

    @property
    def left(self):
        return bool(self.states)


def press_shift(page, times):
    for _ in range(times):
        page.keyboard.press("Shift")


def wait_for_destination(page):
    page.wait_for_url(DESTINATION + "**", timeout=5000)
    expect(page).to_have_title("Weather")


@browser_db
def test_shift_three_times_hides_the_page_then_leaves(live_server, page, home_page):
    watch = LeavingWatch(page)
    page.goto(live_server.url + "/privacy/")

    press_shift(page, 2)
    expect(page.locator("[data-quick-leave-status]")).to_have_text(
        "Shift, press 1 more time to leave this page"
    )
    press_shift(page, 1)

    wait_for_destination(page)
    assert watch.states == [
        {"overlay": True, "main": "hidden", "storage": [0, 0], "cookie": watch.states[0]["cookie"]}
    ]


@browser_db
def test_another_key_between_shift_presses_resets_the_count(live_server, page, home_page):
    watch = LeavingWatch(page)
    page.goto(live_server.url + "/")

    page.keyboard.press("Shift")
    page.keyboard.press("a")
    press_shift(page, 2)
    page.wait_for_timeout(300)

    assert not watch.left
    assert page.url == live_server.url + "/"
    press_shift(page, 1)  # now the third clean press in a row
    wait_for_destination(page)


@browser_db
def test_shift_held_as_a_modifier_does_not_count(live_server, page, home_page):
    watch = LeavingWatch(page)
    page.goto(live_server.url + "/")

    for _ in range(3):
        page.keyboard.press("Shift+A")
    page.wait_for_timeout(300)

    assert not watch.left
    assert page.url == live_server.url + "/"


@browser_db
def test_clicking_quick_leave_clears_site_storage_and_leaves(live_server, page, home_page):
    watch = LeavingWatch(page)
    page.goto(live_server.url + "/")
    page.evaluate(
        "localStorage.setItem('seen', '1'); sessionStorage.setItem('seen', '1');"
        "document.cookie = 'visited=1; path=/';"
    )

    page.get_by_role("link", name="Emergency: Quick leave").click()

    wait_for_destination(page)
    [state] = watch.states
    assert state["overlay"] is True
    assert state["main"] == "hidden"
    assert state["storage"] == [0, 0]
    assert "visited" not in state["cookie"]


@browser_db
def test_quick_leave_skip_link_is_the_second_tab_stop(live_server, page, home_page):
    watch = LeavingWatch(page)
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Quick leave this site")
    page.keyboard.press("Enter")

    wait_for_destination(page)
    assert watch.states[0]["overlay"] is True


@browser_db
def test_quick_leave_works_without_javascript(live_server, browser, home_page):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.route(
        DESTINATION + "**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE),
    )
    page.goto(live_server.url + "/")

    page.get_by_role("link", name="Emergency: Quick leave").click()

    wait_for_destination(page)
    context.close()


@browser_db
def test_going_back_restores_the_page(live_server, page, home_page):
    LeavingWatch(page)
    page.goto(live_server.url + "/privacy/")
    press_shift(page, 3)
    wait_for_destination(page)

    page.go_back()

    expect(page.locator("h1")).to_have_text("Privacy notice")
    expect(page.locator("[data-quick-leave-overlay]")).to_have_count(0)
    assert page.evaluate("getComputedStyle(document.querySelector('main')).visibility") == (
        "visible"
    )
    assert "Privacy notice" in page.title()
    press_shift(page, 1)
    expect(page.locator("[data-quick-leave-status]")).to_have_text(
        "Shift, press 2 more times to leave this page"
    )


SITE_PAGES = ["/", "/privacy/", "/accessibility/", "/staying-safe-online/", "/search/?q=safe"]


@browser_db
def test_site_pages_are_accessible_and_fit_a_small_phone(home_page, check_pages):
    check_pages(SITE_PAGES)


@browser_db
def test_not_found_page_is_accessible(live_server, page, home_page, accessible):
    response = page.goto(live_server.url + "/no-such-page/")

    assert response.status == 404
    accessible(page)


@browser_db
def test_quick_leave_stays_in_view_while_scrolling(live_server, page, home_page):
    page.set_viewport_size({"width": 375, "height": 500})
    page.goto(live_server.url + "/privacy/")

    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(200)

    box = page.locator(".quick-leave__button").bounding_box()
    assert box is not None and 0 <= box["y"] < 100


@browser_db
def test_print_hides_quick_leave_and_navigation(live_server, page, home_page):
    page.goto(live_server.url + "/privacy/")
    page.emulate_media(media="print")

    assert not page.locator(".quick-leave").is_visible()
    assert not page.locator("nav[aria-label='Main']").is_visible()
    assert page.locator("h1").is_visible()
