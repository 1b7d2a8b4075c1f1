"""Server errors reach the team by email (ADMINS); Sentry is off unless SENTRY_DSN is set,
and when on it is sent no request bodies and no email addresses."""

import logging
import os
import subprocess
import sys

from django.core import mail

import pytest

from lscp_site.error_reporting import REDACTED, before_send, sentry_options

pytestmark = pytest.mark.django_db


def test_a_server_error_is_emailed_to_admins(client, rf, settings):
    settings.ADMINS = ["web-team@example.org"]

    logging.getLogger("django.request").error(
        "Internal Server Error: /subscribe/",
        extra={"status_code": 500, "request": rf.get("/subscribe/")},
    )

    assert [message.to for message in mail.outbox] == [["web-team@example.org"]]
    assert "Internal Server Error: /subscribe/" in mail.outbox[0].subject


def test_an_error_logged_by_a_task_is_emailed_to_admins(settings):
    settings.ADMINS = ["web-team@example.org"]

    logging.getLogger("lscp_site.task_recovery").error("Task 1 was left running; marked failed")

    assert len(mail.outbox) == 1


def test_sentry_is_told_no_personal_data_and_no_request_bodies():
    options = sentry_options(dsn="https://key@sentry.example/1", environment="production")

    assert options["send_default_pii"] is False
    assert options["max_request_body_size"] == "never"
    assert options["include_local_variables"] is False


def test_sentry_events_lose_bodies_cookies_and_email_addresses():
    event = {
        "request": {"url": "/subscribe/", "data": {"email": "sam@example.org"}, "cookies": "x"},
        "exception": {
            "values": [{"type": "SMTPRecipientsRefused", "value": "sam@example.org refused"}]
        },
        "logentry": {"message": "Could not send to ann.smith@leeds.gov.uk"},
    }

    sent = before_send(event, {})

    assert sent["request"] == {"url": "/subscribe/"}
    assert sent["exception"]["values"][0]["value"] == f"{REDACTED} refused"
    assert sent["logentry"]["message"] == f"Could not send to {REDACTED}"


def production_settings_say(code, **environ):
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("SENTRY_")},
        "DJANGO_SETTINGS_MODULE": "lscp_site.settings.production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "lscp.example.org",
        **environ,
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_sentry_is_off_without_a_dsn_and_on_with_one():
    code = (
        "from django.conf import settings; import sentry_sdk; "
        "print(settings.SENTRY_ENABLED, sentry_sdk.get_client().is_active())"
    )

    assert production_settings_say(code) == "False False"
    assert production_settings_say(code, SENTRY_DSN="https://key@sentry.example/1") == ("True True")
