"""Settings for bench/send.py: production settings (DEBUG off, persistent database
connections, the database task backend), SMTP to the benchmark's local sink.

bench/send.py passes the environment: DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, EMAIL_HOST,
EMAIL_PORT (read by lscp_site/settings/base.py) and BENCH_BATCH_SIZE; for the run through
an email service, BENCH_PROVIDER_URL and BENCH_PROVIDER_KEY.
"""

import os

from lscp_site.settings.production import *  # noqa: F403

BASE_URL = "https://lscp.example.org"
WAGTAILADMIN_BASE_URL = BASE_URL
# Static files of its own, collected by bench/send.py with the manifest the production
# storage reads (emails name the logo by its hashed address).
STATIC_ROOT = BASE_DIR / "var" / "bench" / "send" / "static"  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
if os.environ.get("BENCH_PROVIDER_URL"):
    # Through an email service's batch API: django-anymail's Mailgun backend against the
    # local fake (bench/fake_provider.py).
    EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    ANYMAIL = {  # noqa: F405
        **ANYMAIL,  # noqa: F405
        "MAILGUN_API_KEY": os.environ["BENCH_PROVIDER_KEY"],
        "MAILGUN_API_URL": os.environ["BENCH_PROVIDER_URL"] + "/v3",
        "MAILGUN_SENDER_DOMAIN": "mg.lscp.example.org",
    }
NEWSLETTER_SEND_BATCH_SIZE = int(os.environ.get("BENCH_BATCH_SIZE", "500"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
