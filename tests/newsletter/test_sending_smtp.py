"""Over real SMTP (a local aiosmtpd server): the newsletter's prepared messages, and
Wagtail's own admin emails still logging in with the configured user and password."""

import re

from django.core import mail
from django.urls import reverse

from wagtail.admin.mail import send_mail as wagtail_send_mail

import pytest

from newsletter import sending
from newsletter.sending_models import Delivery
from subscriptions.mailing import subscriber_links
from tests.newsletter.sending_support import (
    LoginRecorder,
    Sink,
    SinkHandler,
    parse,
    rich_issue,
    subscribers,
)

pytestmark = pytest.mark.django_db

SMTP_USER = "lscp-mailer"
SMTP_PASSWORD = "correct-horse-battery-staple"


def use_smtp(settings, port, *, user="", password=""):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = user
    settings.EMAIL_HOST_PASSWORD = password
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10


# --- Wagtail's own emails keep the SMTP login ----------------------------------------------


@pytest.fixture
def authenticated_sink(settings):
    recorder = LoginRecorder(SMTP_USER, SMTP_PASSWORD)
    handler = SinkHandler()
    with Sink(handler, authenticator=recorder) as sink:
        use_smtp(settings, sink.port, user=SMTP_USER, password=SMTP_PASSWORD)
        yield handler, recorder


def test_wagtail_admin_password_reset_email_logs_in_with_the_configured_credentials(
    client, authenticated_sink, django_user_model, home_page
):
    handler, recorder = authenticated_sink
    django_user_model.objects.create_user(
        username="forgetful", email="forgetful@example.org", password="old password 123"
    )
    response = client.post(
        reverse("wagtailadmin_password_reset"), {"email": "forgetful@example.org"}
    )
    assert response.status_code == 302
    assert recorder.logins and recorder.logins[-1][1:] == (SMTP_USER, SMTP_PASSWORD)
    assert handler.counts["forgetful@example.org"] == 1
    (_, raw) = handler.messages[-1]
    assert b"password" in raw.lower()


def test_wagtail_notification_mail_passing_no_username_still_logs_in(authenticated_sink):
    """wagtail.admin.mail.send_mail calls get_connection(username=None, password=None):
    with the EMAIL_* settings the backend falls back to the configured login."""
    handler, recorder = authenticated_sink
    wagtail_send_mail("A page needs review", "Please review it.", ["moderator@example.org"])
    assert recorder.logins and recorder.logins[-1][1:] == (SMTP_USER, SMTP_PASSWORD)
    assert handler.counts["moderator@example.org"] == 1


# --- The newsletter over SMTP --------------------------------------------------------------


def test_an_issue_over_smtp_reaches_each_subscriber_once_with_their_own_links(
    settings, newsletter_index, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_SEND_BATCH_SIZE = 4
    issue = rich_issue(newsletter_index)
    people = subscribers(10)
    handler = SinkHandler(refuse={people[9].email: "550 5.1.1 No such mailbox"})
    with Sink(handler) as sink:
        use_smtp(settings, sink.port)
        with django_capture_on_commit_callbacks(execute=True):
            send = sending.queue_send(issue=issue)
    assert dict(handler.counts) == {p.email: 1 for p in people[:9]}
    assert handler.connections == 3  # batches of 4, 4 and 2: one connection each
    assert not mail.outbox
    for recipients, raw in handler.messages:
        (address,) = recipients
        person = next(p for p in people if p.email == address)
        message = parse(raw)
        assert message["To"] == address
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert (
            re.findall(r"<([^>]+)>", message["List-Unsubscribe"])[0]
            == (subscriber_links(person)["unsubscribe_url"])
        )
        assert message["List-Id"] == "LSCP newsletter <newsletter.lscp.test>"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert subscriber_links(person)["preferences_url"] in text
        assert subscriber_links(person)["unsubscribe_url"] in html
        assert "View this issue online" in html and 'lang="en-GB"' in html
    refused = Delivery.objects.get(subscriber=people[9])
    assert refused.status == Delivery.Status.FAILED
    assert "550" in refused.error and "No such mailbox" in refused.error
    send.refresh_from_db()
    assert send.finished_at is not None


def test_when_the_mail_server_is_down_the_batch_waits_for_a_retry(
    settings, newsletter_index, django_capture_on_commit_callbacks
):
    from tests.newsletter.sending_support import free_port

    issue = rich_issue(newsletter_index)
    subscribers(3)
    use_smtp(settings, free_port())  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        send = sending.queue_send(issue=issue)
    rows = list(Delivery.objects.all())
    assert {row.status for row in rows} == {Delivery.Status.QUEUED}
    assert all(row.attempts == 1 and row.next_attempt_at for row in rows)
    assert all("Could not reach the mail server" in row.error for row in rows)
    send.refresh_from_db()
    assert send.finished_at is None


def test_why_the_site_keeps_email_settings_not_mailers(settings):
    """The hazard the EMAIL_* settings avoid: under Django 6.1's MAILERS, Wagtail's
    get_connection(username=None, password=None) replaces the configured login with None
    and the email goes out without logging in. If this starts failing, Django or Wagtail
    has fixed it and the site could move to MAILERS (lscp_site/settings/base.py)."""
    recorder = LoginRecorder(SMTP_USER, SMTP_PASSWORD)
    handler = SinkHandler()
    with Sink(handler, authenticator=recorder) as sink:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": "127.0.0.1",
                    "port": sink.port,
                    "username": SMTP_USER,
                    "password": SMTP_PASSWORD,
                    "timeout": 10,
                },
            }
        }
        wagtail_send_mail("A page needs review", "Please review it.", ["moderator@example.org"])
    assert handler.counts["moderator@example.org"] == 1
    assert recorder.logins == []  # delivered without logging in
