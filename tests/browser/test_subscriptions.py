"""The email sign-up in a real browser, by keyboard only: footer, email, confirm, preferences,
unsubscribe. Every page of the journey has no axe violations and fits 320 px."""

import re

from django.core import mail

import pytest
from playwright.sync_api import expect

from subscriptions.models import Subscriber
from tests.subscriptions.factories import confirm_path, links_in, seed_topics

browser_db = pytest.mark.django_db(transaction=True)
MAX_TABS = 80


def tab_to(page, selector):
    """Press Tab until the element matching ``selector`` has the focus, as a keyboard user would."""
    target = page.locator(selector)
    expect(target).to_have_count(1)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return target
    raise AssertionError(f"{selector} never received the keyboard focus")


def check_page(page, accessible, no_sideways_scroll):
    accessible(page)
    no_sideways_scroll(page)


@browser_db
def test_sign_up_from_the_footer_confirm_change_topics_and_unsubscribe_by_keyboard(
    live_server, page, home_page, accessible, no_sideways_scroll
):
    training, guidance, learning, events = seed_topics()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server.url + "/privacy/")
    check_page(page, accessible, no_sideways_scroll)

    # The footer form: type the address, untick the last topic, send.
    tab_to(page, "#signup-box-email")
    page.keyboard.type("sam.jones@example.org")
    tab_to(page, f"#signup-box-topic-{events.pk}")
    page.keyboard.press("Space")
    expect(page.locator(f"#signup-box-topic-{events.pk}")).not_to_be_checked()
    tab_to(page, ".signup-box button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url("**/subscribe/check-your-email/")
    expect(page.locator("h1")).to_have_text("Check your email")
    check_page(page, accessible, no_sideways_scroll)
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "sam.jones@example.org"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consent_records.get().source_url == "/privacy/"

    # The confirmation email, read from the test outbox.
    assert [message.to for message in mail.outbox] == [["sam.jones@example.org"]]
    email = mail.outbox[0]
    page.goto(live_server.url + confirm_path(email))
    expect(page.locator("h1")).to_have_text("Confirm your email updates")
    check_page(page, accessible, no_sideways_scroll)
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("You are signed up")
    check_page(page, accessible, no_sideways_scroll)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert set(subscriber.topics.all()) == {training, guidance, learning}

    # Preferences: drop a topic and save.
    tab_to(page, "main a[href*='/subscribe/preferences/']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Your email updates")
    check_page(page, accessible, no_sideways_scroll)
    tab_to(page, f"main input[name=topics][value='{training.pk}']")
    page.keyboard.press("Space")
    expect(page.locator("main input[name=frequency][value=monthly]")).to_be_checked()
    tab_to(page, "main input[name=frequency][value=monthly]")
    page.keyboard.press("ArrowDown")  # radio buttons: the arrow keys choose
    expect(page.locator("main input[name=frequency][value=weekly]")).to_be_checked()
    tab_to(page, "main button:has-text('Save my choices')")
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_have_text(re.compile("Your choices are saved"))
    check_page(page, accessible, no_sideways_scroll)
    assert set(subscriber.topics.all()) == {guidance, learning}
    subscriber.refresh_from_db()
    assert subscriber.frequency == Subscriber.Frequency.WEEKLY

    # Unsubscribe from the link every email carries: a page with a button first.
    page.goto(live_server.url + links_in(email, "unsubscribe")[0])
    expect(page.locator("h1")).to_have_text("Unsubscribe from LSCP emails")
    check_page(page, accessible, no_sideways_scroll)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    tab_to(page, "main button:has-text('Unsubscribe')")
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("You are unsubscribed")
    check_page(page, accessible, no_sideways_scroll)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


@browser_db
def test_a_bad_address_in_the_footer_shows_the_error_beside_the_field(
    live_server, page, home_page, accessible, no_sideways_scroll
):
    seed_topics()
    page.goto(live_server.url + "/accessibility/")

    tab_to(page, "#signup-box-email")
    page.keyboard.type("not-an-address")
    tab_to(page, ".signup-box button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url("**/subscribe/")
    expect(page.locator(".error-summary")).to_contain_text("Enter an email address in the")
    expect(page.locator(".field--error .field__error")).to_contain_text(
        "Enter an email address in the correct format"
    )
    expect(page.locator("#id_email")).to_have_value("not-an-address")
    check_page(page, accessible, no_sideways_scroll)
    assert Subscriber.objects.count() == 0
