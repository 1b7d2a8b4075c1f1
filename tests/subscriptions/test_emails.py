"""The sign-up's emails, and the links and headers every email to a subscriber carries."""

import email.policy
import re

from django.core import mail
from django.tasks.signals import task_enqueued
from django.urls import resolve

import pytest

from lscp_site.models import SiteSettings
from subscriptions import mailing, signup, tasks
from subscriptions.models import Subscriber

from .factories import SubscriberFactory, confirm_path, seed_topics, sign_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued():
    """The names of the tasks queued during the test."""
    names = []

    def record(sender, task_result, **kwargs):
        names.append(task_result.task.name)

    task_enqueued.connect(record)
    yield names
    task_enqueued.disconnect(record)


def test_the_confirmation_email_is_queued_as_a_task(enqueued):
    sign_up("sam@example.org")

    assert enqueued == ["send_confirmation_email"]


def test_the_confirmation_email_has_text_and_html_parts_with_the_link_and_topics():
    sign_up("sam@example.org", topics=seed_topics()[:2])

    message = mail.outbox[0]
    path = confirm_path(message)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="https://lscp.test{path}"' in html
    assert "Training and development opportunities" in message.body
    assert "Local protocols and guidance" in html
    assert "Learning from reviews" not in message.body
    assert "The link works until" in message.body
    assert message.body.startswith("Leeds Safeguarding Children Partnership")  # shared layout


def test_the_confirmation_email_carries_one_click_unsubscribe_headers():
    sign_up("sam@example.org")

    subscriber = Subscriber.objects.get()
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<https://lscp.test/subscribe/unsubscribe/{subscriber.token}/>, "
        "<mailto:lscp.info@leeds.gov.uk?subject=unsubscribe>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    rendered = message.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in rendered


def test_the_unsubscribe_url_goes_on_the_wire_as_it_is_not_as_encoded_words():
    """The bytes the SMTP backend sends: a URL longer than a folded line (78 characters)
    must stay one word; RFC 2047 encoded-words would hide it from mail clients."""
    sign_up("sam@example.org")

    subscriber = Subscriber.objects.get()
    wire = mail.outbox[0].message(policy=email.policy.SMTP).as_bytes().decode()
    header = re.search(r"^List-Unsubscribe: (.*?)\r\n(?!\s)", wire, re.M | re.S).group(1)
    assert "=?" not in header
    assert f"<https://lscp.test/subscribe/unsubscribe/{subscriber.token}/>" in header


def test_the_preferences_email_has_the_preferences_and_unsubscribe_links(enqueued):
    subscriber = SubscriberFactory(email="sam@example.org", topics=seed_topics()[:1])

    signup.send_manage_link(email="sam@example.org")

    assert enqueued == ["send_preferences_email"]
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    preferences = f"https://lscp.test/subscribe/preferences/{subscriber.token}/"
    unsubscribe = f"https://lscp.test/subscribe/unsubscribe/{subscriber.token}/"
    assert preferences in message.body and f'href="{preferences}"' in html
    assert unsubscribe in message.body and f'href="{unsubscribe}"' in html
    assert "List-Unsubscribe" in message.extra_headers


def test_subscriber_links_are_absolute_and_lead_to_the_preferences_and_unsubscribe_pages():
    subscriber = SubscriberFactory()

    links = mailing.subscriber_links(subscriber)

    assert set(links) == {"preferences_url", "unsubscribe_url"}
    for name, view in [("preferences_url", "preferences"), ("unsubscribe_url", "unsubscribe")]:
        url = links[name]
        assert url.startswith("https://lscp.test/")
        match = resolve(url.removeprefix("https://lscp.test"))
        assert match.view_name == f"subscriptions:{view}"
        assert match.kwargs == {"token": subscriber.token}


def test_list_headers_use_the_unsubscribe_mailto_setting_when_set(settings):
    settings.UNSUBSCRIBE_MAILTO = "unsubscribe@lscp.example"
    subscriber = SubscriberFactory()

    headers = mailing.list_headers(subscriber)

    assert headers["List-Unsubscribe"].endswith(
        "<mailto:unsubscribe@lscp.example?subject=unsubscribe>"
    )
    assert re.match(
        r"^<https://lscp\.test/subscribe/unsubscribe/[\w-]{43}/>, ", headers["List-Unsubscribe"]
    )


def test_list_headers_fall_back_to_the_contact_email_editors_set():
    site_settings = SiteSettings.load()
    site_settings.contact_email = "safeguarding@leeds.example"
    site_settings.save()

    headers = mailing.list_headers(SubscriberFactory())

    assert "<mailto:safeguarding@leeds.example?subject=unsubscribe>" in headers["List-Unsubscribe"]


def test_list_headers_read_no_settings_when_given_the_mailto(django_assert_num_queries):
    subscriber = SubscriberFactory()

    with django_assert_num_queries(0):
        headers = mailing.list_headers(subscriber, mailto="x@example.org")

    assert "<mailto:x@example.org?subject=unsubscribe>" in headers["List-Unsubscribe"]


def test_tokens_are_opaque_and_different_for_each_subscriber():
    first, second = SubscriberFactory(), SubscriberFactory()

    url = mailing.subscriber_links(first)["unsubscribe_url"]
    assert first.token != second.token
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first.token)  # 256 random bits
    assert url == f"https://lscp.test/subscribe/unsubscribe/{first.token}/"
    assert first.email not in url


def test_a_confirmation_queued_before_the_person_confirmed_is_not_sent():
    sign_up("sam@example.org")
    subscriber = Subscriber.objects.get()
    record = subscriber.consent_records.get()
    signup.confirm(token=confirm_path(mail.outbox[0]).split("/")[3])
    mail.outbox.clear()

    sent = tasks.send_confirmation_email.call(subscriber_id=subscriber.pk, consent_id=record.pk)

    assert sent is False
    assert mail.outbox == []


def test_a_preferences_email_queued_before_an_erasure_is_not_sent():
    subscriber = SubscriberFactory()
    pk = subscriber.pk
    signup.erase_subscriber(subscriber=subscriber)

    assert tasks.send_preferences_email.call(subscriber_id=pk) is False
    assert mail.outbox == []
