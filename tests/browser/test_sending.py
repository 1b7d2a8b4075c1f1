"""Sending an issue from the admin in a real browser: the email preview under its own
policy, the confirm step, and the progress page updating itself under the site's CSP."""

import re

from django.core import mail
from django.test import override_settings
from django.utils import timezone

import pytest
from playwright.sync_api import expect

from newsletter import sending
from newsletter.sending_models import DeliveryEvent, Send
from tests.browser.conftest import sign_in
from tests.newsletter.factories import make_index
from tests.newsletter.sending_support import rich_issue, sender_user, subscribers

browser_db = pytest.mark.django_db(transaction=True)
PASSWORD = "pw"
POLL_MS = 3000  # newsletter/static/newsletter/send_progress.js


@pytest.fixture
def issue(home_page):
    return rich_issue(make_index(home_page))


@browser_db
def test_preview_then_send_with_the_count_then_watch_it_finish(
    live_server, page, issue, django_user_model, csp_violations, accessible
):
    people = subscribers(3)
    sender = sender_user(django_user_model)
    sign_in(page, live_server, sender, PASSWORD)

    # The preview: the email's own inline styles apply inside its frame.
    page.goto(f"{live_server.url}/admin/newsletter/issues/{issue.pk}/email-preview/")
    frame = page.frame_locator("iframe.newsletter-email-preview")
    heading = frame.get_by_role("heading", level=1)
    expect(heading).to_have_text("March Newsletter 2025")
    assert heading.evaluate("node => getComputedStyle(node).fontSize") == "24px"
    expect(frame.get_by_role("link", name="View this issue online")).to_be_visible()

    # Send: choose, see the count, confirm. Tasks are queued, not run, so the progress
    # page can be watched while the test sends the batch.
    page.goto(f"{live_server.url}/admin/newsletter/issues/{issue.pk}/send/")
    queue_only = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=queue_only):
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("main")).to_contain_text(
            "3 confirmed subscribers will get “March Newsletter” by email"
        )
        expect(page.locator("main")).to_contain_text("No problems found")  # the checks
        accessible(page)
        # The progress page polls every few seconds: the browser's clock is moved on
        # instead of waited for.
        page.clock.install()
        page.get_by_role("button", name="Yes, send it to 3 subscribers").click()
        page.wait_for_url(re.compile(r"/admin/newsletter/sends/\d+/$"))
        send = Send.objects.get()
        sending.prepare(send_id=send.pk)
    page.clock.run_for(POLL_MS)
    expect(page.locator('[data-field="queued"]')).to_have_text("3", timeout=10_000)

    sending.run_delivery(send_id=send.pk, chain=False)
    # The page's script polls the counts and reloads itself when the send has finished.
    page.clock.run_for(POLL_MS)
    expect(page.locator('[data-field="state"]')).to_contain_text("Finished", timeout=15_000)
    expect(page.locator('[data-field="sent"]')).to_have_text("3")
    assert Send.objects.get().finished_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert not [text for text in csp_violations if "script" in text]
    # What became of it, day by day, once the email service has reported.
    DeliveryEvent.objects.create(
        key="browser-test-bounce",
        kind=DeliveryEvent.Kind.HARD_BOUNCE,
        provider="Amazon SES",
        occurred_at=timezone.now(),
        send=send,
        subscriber=people[0],
        suppressed=True,
    )
    page.reload()
    expect(page.get_by_role("table", name="Reports day by day")).to_be_visible()
    accessible(page)
    for path in ("send/", "send-test/", "email-preview/", "checks/"):
        page.goto(f"{live_server.url}/admin/newsletter/issues/{issue.pk}/{path}")
        accessible(page)


def bar_state(page):
    """The progress bar as a person sees it: whether it shows an amount, and how much of
    the content column its filled part covers."""
    return page.locator('[data-field="bar"]').evaluate(
        """bar => {
            const column = bar.parentElement.getBoundingClientRect().width;
            const box = bar.getBoundingClientRect().width;
            const amount = bar.hasAttribute('value') ? bar.value / bar.max : null;
            return {amount, filled: amount === null ? null : (box * amount) / column};
        }"""
    )


@browser_db
def test_progress_says_getting_ready_without_a_percentage_then_fills_the_bar_when_finished(
    live_server, page, issue, django_user_model
):
    subscribers(2)
    sender = sender_user(django_user_model)
    queue_only = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=queue_only):
        send = sending.queue_send(issue=issue, user=sender)
    sign_in(page, live_server, sender, PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/admin/newsletter/sends/{send.pk}/")
    state = page.locator('[data-field="state"]')
    expect(state).to_contain_text("Getting ready")
    expect(state).not_to_contain_text("%")
    assert bar_state(page)["amount"] is None  # no amount yet: the bar says "working"

    sending.prepare(send_id=send.pk)
    sending.run_delivery(send_id=send.pk, chain=False)
    page.reload()
    expect(state).to_have_text("Finished: 100% done")
    bar = bar_state(page)
    assert bar["amount"] == 1
    assert bar["filled"] > 0.95, bar
