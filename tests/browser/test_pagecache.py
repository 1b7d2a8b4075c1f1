"""Cached pages in a real browser: a form on a page served from the cache still works for a
reader who never saw the page rendered, and a page whose script needs a nonce is rendered for
each reader, so the script runs for every one."""

import pytest
from playwright.sync_api import expect

from lscp_site.models import SiteSettings
from subscriptions.models import Subscriber, Topic

browser_db = pytest.mark.django_db(transaction=True)


def visit(browser, url):
    """Open ``url`` in a new browser context (a reader with no cookies); return page, response."""
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    response = page.goto(url)
    return page, response, errors


@browser_db
def test_the_footer_sign_up_form_works_on_a_page_served_from_the_cache(
    live_server, browser, home_page
):
    Topic.objects.create(name="Training and development opportunities", slug="training")
    SiteSettings.load()
    url = live_server.url + "/privacy/"
    _, first, _ = visit(browser, url)  # another reader's visit stores the page
    assert first.headers["x-cache"] == "miss"

    page, response, _ = visit(browser, url)

    assert response.headers["x-cache"] == "hit"
    assert "set-cookie" not in response.headers
    assert page.context.cookies() == []
    footer_form = page.locator(".signup-box form")
    expect(footer_form.locator("[name=csrfmiddlewaretoken]")).to_have_count(0)
    footer_form.get_by_label("Email address").fill("alex.morgan@example.org")
    footer_form.get_by_role("button", name="Sign up").click()

    page.wait_for_url("**/subscribe/check-your-email/")
    expect(page.locator("h1")).to_have_text("Check your email")
    assert Subscriber.objects.get().email == "alex.morgan@example.org"


@browser_db
@pytest.mark.urls("tests.lscp_site.test_pagecache")
def test_a_script_allowed_by_its_nonce_runs_for_every_reader(live_server, browser, home_page):
    SiteSettings.load()
    url = live_server.url + "/probe/nonce/"
    readers = [visit(browser, url) for _ in range(3)]

    assert [response.headers["x-cache"] for _, response, _ in readers] == ["bypass"] * 3
    nonces = set()
    for page, _, errors in readers:
        # The inline script sets this; a nonce that disagreed with the policy would block it.
        assert page.evaluate("document.documentElement.dataset.ran") == "yes"
        assert not [e for e in errors if "Content Security Policy" in e]
        nonces.add(page.locator("p").inner_text())
    assert len(nonces) == 3
