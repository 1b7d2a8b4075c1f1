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
ANYMAIL = {"WEBHOOK_SECRET": "provider:webhook-test-secret"}
# Tasks run at once here, so a link check would reach out from inside a request: the tests
# of newsletter/checks.py turn it on against a local server.
NEWSLETTER_LINK_CHECK = False
BASE_URL = "https://lscp.test"
WAGTAILADMIN_BASE_URL = BASE_URL
OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = passkey_relying_party(BASE_URL)
# One folder per pytest-xdist worker (each also has a test database of its own).
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT", "/tmp/lscp-test-media") + (  # noqa: S108
    f"-{os.environ['PYTEST_XDIST_WORKER']}" if "PYTEST_XDIST_WORKER" in os.environ else ""
)
AXES_ENABLED = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's in-memory test database: with that, the browser tests' live
    # server shares the test thread's one connection, which Django's documentation warns
    # makes tests fail at random (an editor's session not found, sent back to sign in).
    # Write-ahead logging lets the two connections read while the other writes; a test
    # database need not survive a crash.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-database")}  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] = (  # noqa: F405
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF"
    )
