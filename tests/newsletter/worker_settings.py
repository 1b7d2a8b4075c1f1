"""Settings for a real task worker started by the crash test (test_sending_crash.py): the
test settings, with the database task backend and SMTP to the test's local server."""

import os

from lscp_site.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("LSCP_TEST_SMTP_PORT", "25"))
EMAIL_TIMEOUT = 10
NEWSLETTER_SEND_BATCH_SIZE = int(os.environ.get("LSCP_TEST_BATCH_SIZE", "10"))
NEWSLETTER_SEND_LEASE_SECONDS = int(os.environ.get("LSCP_TEST_LEASE_SECONDS", "3"))
LOGGING = {"version": 1, "disable_existing_loggers": False}
