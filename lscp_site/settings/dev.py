"""Settings for a developer's machine: `make run`."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
SECRET_KEY = os.environ.get(
    "SECRET_KEY", "dev-only-insecure-key-never-used-in-production-3f9a1c7b2d5e8f0a4b6c"
)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# Emails are written to var/mail/ so they can be read after `make run`.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
