"""Settings for a developer's machine: `make run`."""

import os
from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import VAR_DIR, passkey_relying_party

DEBUG = True
SECRET_KEY = os.environ.get(
    "SECRET_KEY", "dev-only-insecure-key-never-used-in-production-3f9a1c7b2d5e8f0a4b6c"
)
# `make run` serves at HOST:PORT and exports BASE_URL built from them, so that the links in
# emails and feeds lead to the server actually running (PORT=8123 make run).
BASE_URL = os.environ.get("BASE_URL") or (
    f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
BASE_URL = BASE_URL.rstrip("/")
WAGTAILADMIN_BASE_URL = BASE_URL
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", urlsplit(BASE_URL).hostname]
OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = passkey_relying_party(BASE_URL)

# Emails are written to var/mail/ so they can be read after `make run`.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", VAR_DIR / "mail")
