"""The newsletter in a real browser: axe on every page type, the contents list, printing,
and the editor's page under the site's Content Security Policy."""

import datetime
import re
from pathlib import Path

from django.conf import settings

import pytest
from playwright.sync_api import expect

from newsletter.importer import import_issue_file
from tests.newsletter.factories import (
    make_course,
    make_event_index,
    make_index,
    make_issue,
    make_training_index,
    section,
)
from tests.two_factor import authenticator_of, current_code

SEED = Path(settings.BASE_DIR) / "home" / "demo_content" / "march-2025-newsletter.txt"

browser_db = pytest.mark.django_db(transaction=True)


def build_newsletter(home_page):
    index = make_index(home_page, introduction="Every issue of the LSCP newsletter.")
    make_event_index(home_page)
    training = make_training_index(home_page)
    make_course(training, "Child exploitation in Leeds - a guide for practitioners")
    import_issue_file(SEED, publish=True)
    make_issue(
        index,
        datetime.date(2024, 12, 1),
        summary="Keeping children safe over the holidays.",
        body=[section("Festive safety"), {"type": "signup_prompt", "value": None}],
    )
    return index


@pytest.fixture
def newsletter(home_page):
    return build_newsletter(home_page)


NEWSLETTER_PAGES = [
    "/newsletter/",
    "/newsletter/2025/",
    "/newsletter/march-2025/",
    "/search/?q=neglect",
    "/",
]


@browser_db
def test_newsletter_pages_pass_axe_and_fit_a_phone(newsletter, check_pages):
    check_pages(NEWSLETTER_PAGES)


@browser_db
def test_search_finds_the_march_issue(live_server, page, newsletter):
    page.goto(live_server.url + "/search/")
    page.get_by_label("Search newsletters, training and events").fill("neglect")
    page.get_by_role("button", name="Search").click()

    first = page.locator(".search-results__item").first
    expect(first.get_by_role("link")).to_have_text("March Newsletter")
    first.get_by_role("link").click()
    expect(page).to_have_url(live_server.url + "/newsletter/march-2025/")


@browser_db
def test_contents_list_takes_the_reader_to_the_section_below_the_quick_leave_bar(
    live_server, page, newsletter
):
    page.goto(live_server.url + "/newsletter/march-2025/")
    contents = page.get_by_role("navigation", name="In this issue")

    contents.get_by_role("link", name="Neglect audit practitioner focus groups").click()

    expect(page).to_have_url(
        live_server.url + "/newsletter/march-2025/#neglect-audit-practitioner-focus-groups"
    )
    heading = page.get_by_role("heading", name="Neglect audit practitioner focus groups")
    expect(heading).to_be_in_viewport()
    bar = page.locator(".quick-leave").bounding_box()
    assert heading.bounding_box()["y"] >= bar["y"] + bar["height"]


@browser_db
def test_headings_run_h1_then_h2_per_section(live_server, page, newsletter):
    page.goto(live_server.url + "/newsletter/march-2025/")
    levels = page.locator("main :is(h1, h2, h3, h4)").evaluate_all(
        "nodes => nodes.map(node => node.tagName)"
    )
    assert levels[0] == "H1"
    assert levels.count("H1") == 1
    assert set(levels[1:]) == {"H2"}


@browser_db
def test_an_issue_prints_without_navigation_quick_leave_or_forms(live_server, page, newsletter):
    page.goto(live_server.url + "/newsletter/march-2025/")
    page.emulate_media(media="print")

    for hidden in [".quick-leave", ".site-nav", ".site-footer", ".issue-pager", ".signup-box"]:
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Dates for your diary")).to_be_visible()
    page.pdf()  # prints without error


@browser_db
def test_the_issue_editor_works_under_the_content_security_policy(
    live_server, page, newsletter, admin_user, csp_violations
):
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text))
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_label("Authentication code").fill(current_code(authenticator_of(admin_user)))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/admin/")

    page.goto(f"{live_server.url}/admin/pages/add/newsletter/newsletterissuepage/{newsletter.pk}/")
    page.locator("#id_title").fill("May Newsletter")
    page.locator("#id_issue_date").fill("2025-05")
    page.locator("#id_summary").fill("Training dates for the summer.")
    page.locator("[data-streamfield-stream-container] button[title='Insert a block']").first.click()
    page.get_by_role("option", name="Section").click()
    page.get_by_label("Heading").first.fill("Summer training")
    page.locator(".Draftail-Editor [contenteditable=true]").first.click()
    page.keyboard.type("Book early.")
    # Draftail writes what was typed into the form a moment later.
    expect(page.locator("input[name='body-0-value-text']")).to_have_value(re.compile("Book early."))
    page.get_by_role("button", name="Save draft").click()

    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"), timeout=30_000)
    expect(page.locator(".messages")).to_contain_text("'May Newsletter' created")
    # The admin's own policy (lscp_site/admin_csp.py) lets Wagtail's scripts and Draftail's
    # styles run, and nothing is blocked.
    assert csp_violations == []
    assert not [text for text in console_errors if "Error connecting controller" in text]
    from newsletter.models import NewsletterIssuePage

    issue = NewsletterIssuePage.objects.get(issue_date=datetime.date(2025, 5, 1))
    assert issue.slug == "may-2025"
    draft = issue.get_latest_revision_as_object()
    [block] = draft.body
    assert block.value["heading"] == "Summer training"
    assert "Book early." in block.value["text"].source


def after_content(locator):
    return locator.evaluate("element => getComputedStyle(element, '::after').content")


@browser_db
def test_a_printed_issue_shows_link_addresses_and_the_diary_as_a_table(
    live_server, page, newsletter
):
    make_issue(
        newsletter,
        datetime.date(2025, 1, 1),
        body=[
            section(
                "Online safety",
                text='<p>Read the <a href="https://www.nspcc.org.uk/keeping-children-safe/">'
                'NSPCC advice</a>, email <a href="mailto:lscp.info@leeds.gov.uk">'
                'lscp.info@leeds.gov.uk</a> or see <a href="/events/">our diary</a>.</p>',
            )
        ],
    )
    page.goto(live_server.url + "/newsletter/january-2025/")
    page.emulate_media(media="print")

    external = page.get_by_role("link", name="NSPCC advice")
    assert after_content(external) == '" (https://www.nspcc.org.uk/keeping-children-safe/)"'
    for link in [
        page.get_by_role("link", name="lscp.info@leeds.gov.uk").first,
        page.get_by_role("link", name="our diary"),
        page.locator(".issue-contents__list a").first,  # in-page
    ]:
        assert after_content(link) in ("none", "normal")
    expect(page.locator(".signup-box").first).to_be_hidden()

    page.emulate_media(media="screen")
    page.goto(live_server.url + "/newsletter/march-2025/")
    diary = page.locator(".issue-diary__list")
    assert diary.evaluate("element => getComputedStyle(element).display") != "table"
    page.emulate_media(media="print")
    assert diary.evaluate("element => getComputedStyle(element).display") == "table"
    first_row = page.locator(".issue-diary__item").first
    assert first_row.evaluate("element => getComputedStyle(element).display") == "table-row"
    assert first_row.evaluate("e => getComputedStyle(e.firstElementChild).display") == "table-cell"
    assert first_row.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    page.pdf()


@browser_db
def test_diary_rows_have_no_blank_line_between_a_title_and_its_details(
    live_server, page, home_page
):
    from tests.newsletter.factories import item, make_event

    index = make_index(home_page)
    events = make_event_index(home_page)
    briefing = make_event(
        events,
        "Neglect audit findings: practitioner briefing",
        datetime.date(2030, 5, 8),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 30),
        location="Leeds Civic Hall, Portland Way, Leeds LS1 1UR",
    )
    day = make_event(events, "International Missing Children's Day", datetime.date(2030, 5, 25))
    diary = {
        "heading": "Dates for your diary",
        "mode": "chosen",
        "weeks": 8,
        "include_training": True,
        "events": [item(briefing.pk), item(day.pk)],
    }
    issue = make_issue(index, datetime.date(2030, 5, 1), body=[{"type": "diary", "value": diary}])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + issue.url)

    rows = page.locator(".issue-diary__item").evaluate_all(
        """rows => rows.map(row => {
            const box = selector => {
                const found = row.querySelector(selector);
                return found ? found.getBoundingClientRect() : null;
            };
            const what = box('.issue-diary__what'), where = box('.issue-diary__where');
            const when = box('.issue-diary__when');
            return {when: when.height, whatBottom: what.bottom,
                    whereTop: where ? where.top : null, rowTop: row.getBoundingClientRect().top,
                    contentBottom: Math.max(when.bottom, what.bottom, where ? where.bottom : 0)};
        })"""
    )
    with_details, without_details = rows
    # The date and time take two lines beside a one-line title: the place follows the title
    # at once, not after an empty line.
    assert with_details["when"] > 40, with_details
    assert with_details["whereTop"] - with_details["whatBottom"] < 4, with_details
    assert without_details["whereTop"] is None
