"""Settings for production. Refuses to start without SECRET_KEY and ALLOWED_HOSTS."""

import os

from django.core.exceptions import ImproperlyConfigured

from lscp_site.error_reporting import init_sentry

from .base import *  # noqa: F403
from .base import BASE_URL, env_bool, env_list, passkey_relying_party

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable (50+ random characters).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS, for example ALLOWED_HOSTS=lscp.example.org")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Passkeys belong to the public address (BASE_URL, which `check --deploy` requires).
OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = passkey_relying_party(
    BASE_URL or f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
)

# Media as base.py chose (object storage when AWS_STORAGE_BUCKET_NAME is set).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Persistent connections roughly double throughput (see bench/README.md).
for _db in DATABASES.values():  # noqa: F405
    _db["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "600"))

if os.environ.get("ANYMAIL_ESP"):
    # An email provider through django-anymail, e.g. ANYMAIL_ESP=amazon_ses.
    INSTALLED_APPS += ["anymail"]  # noqa: F405
    EMAIL_BACKEND = f"anymail.backends.{os.environ['ANYMAIL_ESP']}.EmailBackend"
    ANYMAIL = {
        key.removeprefix("ANYMAIL_"): value
        for key, value in os.environ.items()
        if key.startswith("ANYMAIL_") and key != "ANYMAIL_ESP"
    }

# Errors to Sentry, only when SENTRY_DSN is set: no personal data, no request bodies
# (lscp_site/error_reporting.py).
SENTRY_ENABLED = init_sentry(
    dsn=os.environ.get("SENTRY_DSN", ""),
    environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
    release=os.environ.get("SENTRY_RELEASE", ""),
)
