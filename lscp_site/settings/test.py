"""Settings for the test suite: fast hashing, local-memory cache, tasks run at once."""

import os

from .base import *  # noqa: F403
from .base import passkey_relying_party

DEBUG = False
SECRET_KEY = "test-only-key-that-is-long-enough-for-django-checks-0123456789abcdef"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Large enough that a test building hundreds of pages never evicts what a page reads.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
BASE_URL = "https://lscp.test"
WAGTAILADMIN_BASE_URL = BASE_URL
OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = passkey_relying_party(BASE_URL)
# One folder per pytest-xdist worker (each also has a test database of its own).
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT", "/tmp/lscp-test-media") + (  # noqa: S108
    f"-{os.environ['PYTEST_XDIST_WORKER']}" if "PYTEST_XDIST_WORKER" in os.environ else ""
)
AXES_ENABLED = True
