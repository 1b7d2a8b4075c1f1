"""Dates for your diary in a real browser: axe on every page, filters by keyboard and without
JavaScript, the "Add to calendar" download."""

import datetime

from django.utils import timezone

import icalendar
import pytest
from playwright.sync_api import expect

from tests.events.factories import EventCategoryFactory, make_event, make_index

browser_db = pytest.mark.django_db(transaction=True)


@pytest.fixture
def diary_with_dates(home_page):
    """A diary seen today: dates to come in two categories and one in the past."""
    return build_diary(home_page)


def build_diary(home_page):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    awareness = EventCategoryFactory(name="Awareness week", slug="awareness-weeks")
    lscp = EventCategoryFactory(name="LSCP event", slug="lscp-events")
    index = make_index(
        home_page, introduction="Awareness days, LSCP events and conferences in Leeds."
    )
    make_event(
        index,
        title="Mental Health Awareness Week",
        slug="mhaw",
        start_date=today + 10 * day,
        end_date=today + 16 * day,
        category=awareness,
        organiser="Mental Health Foundation",
        external_url="https://example.org/mhaw",
        external_link_text="Mental Health Foundation website",
        hashtag="#MHAW",
        body="<p>A week to talk about mental health.</p>",
        revision=True,
    )
    make_event(
        index,
        title="Child exploitation in Leeds webinar",
        slug="webinar",
        start_date=today + 20 * day,
        start_time=datetime.time(14),
        end_time=datetime.time(15),
        online=True,
        category=lscp,
        revision=True,
    )
    make_event(
        index,
        title="National Child Exploitation Awareness Day",
        slug="cea-day",
        start_date=today - 30 * day,
        category=awareness,
        revision=True,
    )
    return index


DIARY_PAGES = [
    "/events/",
    "/events/past/",
    "/events/category/awareness-weeks/",
    "/events/?category=nothing&month=May",
    "/events/mhaw/",
    "/events/webinar/",
    "/events/cea-day/",
    "/",
]


@browser_db
def test_diary_pages_pass_axe_and_fit_a_phone(diary_with_dates, check_pages):
    check_pages(DIARY_PAGES)


@browser_db
def test_the_filter_works_by_keyboard_alone(live_server, page, diary_with_dates):
    page.goto(live_server.url + "/events/")
    expect(page.locator(".event-card")).to_have_count(2)
    page.locator(".event-tabs a", has_text="Past events").focus()

    page.keyboard.press("Tab")
    expect(page.locator("#id_category")).to_be_focused()
    page.keyboard.press("ArrowDown")  # All categories -> Awareness week
    expect(page.locator("#id_category")).to_have_value("awareness-weeks")
    page.keyboard.press("Tab")
    expect(page.locator("#id_month")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show dates")).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url("**/events/?category=awareness-weeks&month=")
    expect(page.locator(".event-card h3")).to_have_text(["Mental Health Awareness Week"])
    expect(page.locator("#event-results")).to_contain_text("1 upcoming date: Awareness week")

    page.get_by_role("link", name="Clear the filter").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/events/")
    expect(page.locator(".event-card")).to_have_count(2)


@browser_db
def test_the_filter_works_without_javascript(live_server, browser, diary_with_dates):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/events/")
    page.select_option("#id_category", "lscp-events")
    page.get_by_role("button", name="Show dates").click()
    page.wait_for_url("**/events/?category=lscp-events**")
    expect(page.locator(".event-card h3")).to_have_text(["Child exploitation in Leeds webinar"])
    context.close()


@browser_db
def test_a_bad_filter_is_announced_with_links_to_the_fields(live_server, page, diary_with_dates):
    page.goto(live_server.url + "/events/?category=nothing")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Choose a category from the list.")
    summary.get_by_role("link", name="Choose a category from the list.").click()
    expect(page.locator("#id_category")).to_be_focused()


@browser_db
def test_add_to_calendar_downloads_the_event(live_server, page, diary_with_dates):
    page.goto(live_server.url + "/events/webinar/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar").click()
    download = download_info.value
    assert download.suggested_filename == "webinar.ics"
    with open(download.path(), "rb") as handle:
        calendar = icalendar.Calendar.from_ical(handle.read())
    (event,) = calendar.events
    assert str(event["summary"]) == "Child exploitation in Leeds webinar"
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert event.decoded("dtstart").hour == 14


@browser_db
def test_the_home_page_leads_to_the_next_date(live_server, page, diary_with_dates):
    page.goto(live_server.url + "/")
    section = page.locator(".home-dates")
    expect(section.locator("h3")).to_have_text(
        ["Mental Health Awareness Week", "Child exploitation in Leeds webinar"]
    )
    section.get_by_role("link", name="Mental Health Awareness Week").click()
    expect(page.locator("h1")).to_have_text("Mental Health Awareness Week")


def _luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(first, second):
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _rgb(css):
    return tuple(int(part) for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3])


@browser_db
def test_the_subscribe_button_stands_out_from_its_grey_panel(live_server, page, diary_with_dates):
    page.goto(f"{live_server.url}/events/")
    button = page.get_by_role("link", name="Subscribe to all dates in your calendar app")
    looks = button.evaluate(
        """button => {
            const style = getComputedStyle(button);
            const panel = getComputedStyle(button.closest('.panel'));
            return {background: style.backgroundColor, border: style.borderTopColor,
                    borderWidth: parseFloat(style.borderTopWidth), text: style.color,
                    panel: panel.backgroundColor};
        }"""
    )
    # The button's edge is its border when it has one, else its background (WCAG 1.4.11).
    edge = looks["border"] if looks["borderWidth"] >= 1 else looks["background"]
    assert _contrast(_rgb(edge), _rgb(looks["panel"])) >= 3, looks
    assert _contrast(_rgb(looks["text"]), _rgb(looks["background"])) >= 4.5, looks
