"""Settings shared by every environment.

Everything that differs between machines is read from the environment here or in the
environment's own module (dev, test, production); docs/deployment.md lists each variable.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.csp import CSP

import dj_database_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSTALLED_APPS = [
    "lscp_site",
    "home",
    "dashboard",
    "newsletter",
    "training",
    "events",
    "subscriptions",
    "admin_2fa",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks_db",
    "anymail",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
]

MIDDLEWARE = [
    # First: it stores each page with every header the rest add, and serves it with the same
    # headers (lscp_site/pagecache.py).
    "lscp_site.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outermost of the site's own: every response, static files and cached pages included.
    "lscp_site.middleware.PermissionsPolicyMiddleware",
    # Before anything reads the path, query string or form: a NUL is a 400.
    "lscp_site.middleware.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(), then an unverified admin session is sent to its second
    # factor before any admin page (admin_2fa/middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "admin_2fa.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Below the CSP middleware: chooses ADMIN_CSP for the Wagtail admin before it is sent.
    "lscp_site.admin_csp.AdminContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lscp_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "lscp_site.wsgi.application"

# SQLite under var/ is the zero-set-up default; DATABASE_URL points anywhere else
# (PostgreSQL in production and CI).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Parameters sent apart from the SQL, so a query the site runs on every page has the
    # same text each time and psycopg prepares it after its second run on a connection:
    # PostgreSQL then plans it once per connection instead of on every request (planning
    # the catalogue's session query took 7 ms, running it 1 ms). Turn off behind a
    # transaction-pooling PgBouncer older than 1.21 (docs/deployment.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (the web process and the task worker) wait rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # Counts failed admin logins and locks the account and address after AXES_FAILURE_LIMIT.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
# Locked by the username and the client's address together, so an attacker who knows an
# editor's username locks out only their own client. The address is the one the rate limits
# use (X-Forwarded-For behind TRUSTED_PROXY_COUNT proxies), not the proxy's.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "lscp_site.ratelimit.client_ip"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))


def passkey_relying_party(base_url):
    """(relying party ID, allowed origins) of passkeys for a site served at ``base_url``.

    A passkey belongs to one host name and works only on that host's https:// pages. Browsers
    make one exception, for http://localhost, and never accept an IP address as the host, so
    a development server at http://127.0.0.1:8000 offers passkeys at http://localhost:8000.
    """
    parts = urlsplit(base_url or "https://localhost")
    host = parts.hostname if parts.scheme == "https" else "localhost"
    port = f":{parts.port}" if parts.port else ""
    return host, [f"{parts.scheme}://{host}{port}"]


def media_storage(environ):
    """Where uploaded pictures and documents go: S3-compatible object storage (AWS S3,
    MinIO, any other) when AWS_STORAGE_BUCKET_NAME is set, else MEDIA_ROOT on this machine.

    With several web machines media must be on object storage: docs/deployment.md.
    """
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # MinIO or another S3-compatible service; empty for AWS itself.
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            # Empty: boto3 finds credentials itself (an instance role, ~/.aws).
            "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
            # The public address files are served from: a CDN's host name, or for MinIO in
            # compose "localhost:9000/BUCKET". Empty: the bucket's own address.
            "custom_domain": environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "url_protocol": environ.get("AWS_S3_URL_PROTOCOL", "https:"),
            # Public files at stable addresses (pages are cached): no signed query strings,
            # and a new name rather than overwriting a file a cached page may show.
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "max-age=31536000, public"},
        },
    }


def media_origin(storage):
    """The origin pictures are served from when it is not this site (CSP's img-src)."""
    options = storage.get("OPTIONS", {})
    if options.get("custom_domain"):
        host = options["custom_domain"].split("/", 1)[0]
        return f"{options['url_protocol']}//{host}"
    if options.get("endpoint_url"):
        return options["endpoint_url"].rstrip("/")
    if options.get("bucket_name"):
        return f"https://{options['bucket_name']}.s3.amazonaws.com"
    return None


STORAGES = {
    "default": media_storage(os.environ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ORIGIN = media_origin(STORAGES["default"])

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Background work: Django's tasks framework with the database-backed worker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Caches: a shared cache keeps rate limits and cached pages consistent across web
# processes. REDIS_URL selects Redis (production); otherwise the database cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis rather than Django's own Redis backend for one feature: with
            # IGNORE_EXCEPTIONS an unreachable Redis reads as an empty cache, so every page,
            # form and rate limit goes on working uncached instead of failing.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lscp",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.5")),
                "SOCKET_TIMEOUT": float(os.environ.get("REDIS_TIMEOUT", "1")),
            },
        }
    }
    # Not logged request by request (a traceback for each cache call while Redis is away):
    # /healthz answers 503 naming the cache, which is what monitoring watches.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "lscp_cache",
        }
    }

# Email: the classic EMAIL_* settings are kept on purpose. Django 6.1's MAILERS setting
# lets Wagtail's own emails (which pass username=None to get_connection) drop the SMTP
# credentials; see docs/deployment.md.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Leeds Safeguarding Children Partnership <lscp.info@leeds.gov.uk>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# django-anymail: an email provider's reports of bounces, complaints and deliveries reach
# /anymail/<service>/tracking/ (newsletter/bounces.py), protected by HTTP basic
# authentication with this "user:password". Unset, the webhooks are not mounted: anyone
# could otherwise post a made-up complaint and stop someone's email.
ANYMAIL = {"WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", "")}
# Soft bounces (mailbox full, server busy) that stop email to an address, and over how
# many days they are counted.
NEWSLETTER_SOFT_BOUNCE_LIMIT = int(os.environ.get("NEWSLETTER_SOFT_BOUNCE_LIMIT", "3"))
NEWSLETTER_SOFT_BOUNCE_DAYS = int(os.environ.get("NEWSLETTER_SOFT_BOUNCE_DAYS", "30"))
# Who is emailed the details of every server error (500) when DEBUG is off: a
# comma-separated list of addresses, e.g. ADMINS=web-team@example.org.
ADMINS = env_list("ADMINS")

# The public address of the site, the start of every absolute link in emails, feeds and
# pages (lscp_site/links.py). Empty: the default Wagtail Site's root URL; `check --deploy`
# requires it in production, and dev.py builds it from HOST and PORT as `make run` does.
BASE_URL = os.environ.get("BASE_URL", "").rstrip("/")

# Content Security Policy: nothing but this site, scripts and styles by nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# The Wagtail admin's policy (lscp_site/admin_csp.py applies it under /admin/). The same as
# the public site's, with only what Wagtail 8 needs added. Wagtail's own inline scripts (date
# pickers, choosers, inline panels) get the nonce from the middleware, so script-src is not
# relaxed at all.
ADMIN_CSP = {
    **SECURE_CSP,
    # Draftail, the rich-text editor, writes <style> elements whose text changes as editors
    # type (the "Write something" placeholder of an empty line, list indents). They cannot
    # carry a nonce or a known hash. Only <style> elements: style="" attributes stay blocked
    # (style-src-attr falls back to style-src).
    "style-src-elem": [CSP.SELF, CSP.UNSAFE_INLINE],
    # The image uploader shows each picture before it is sent, from a blob: URL.
    "img-src": [CSP.SELF, "data:", "blob:"],
    # Previews may be framed by the admin (the middleware sets 'self' for them); nothing
    # else may be framed.
    "frame-ancestors": [CSP.NONE],
}
if MEDIA_ORIGIN:  # pictures from object storage or its CDN
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], MEDIA_ORIGIN]
    ADMIN_CSP["img-src"] = [*ADMIN_CSP["img-src"], MEDIA_ORIGIN]
# Browser features no page of the site uses are switched off for the site and anything it
# frames; passkeys (WebAuthn) stay allowed for the site itself, for the admin's two-factor sign-in.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": ["self"],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Wagtail
WAGTAIL_SITE_NAME = "Leeds Safeguarding Children Partnership"
WAGTAILADMIN_BASE_URL = BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # the admin must not load avatars from elsewhere
WAGTAIL_ENABLE_UPDATE_CHECK = False  # nor call out for updates
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # The worker's "Task id=... state=..." lines only with LOG_LEVEL=DEBUG.
        "quiet_routine_tasks": {
            "()": "lscp_site.logs.QuietRoutineTasks",
            "show": LOG_LEVEL == "DEBUG",
        },
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["quiet_routine_tasks"]},
        # Errors (a 500, a task that failed, a task a stopped worker left) by email to ADMINS.
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console", "mail_admins"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler for its loggers (when DEBUG is on) printed each of
        # their lines a second time beside the root's: the task worker's "Task ... state="
        # lines, say. Its records go to the root's handlers alone.
        "django": {"handlers": [], "level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        "wagtail": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint (certificates) logs each step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# How many proxies (load balancer, CDN) stand in front of the web processes; the rate limits
# read the client address from X-Forwarded-For only when this is set.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# The anonymous page cache (lscp_site/pagecache.py, docs/deployment.md "Caching and a CDN").
# Pages are invalidated at once by any change, and kept no later than the first moment they
# show something else with nothing changed (an event ending, a booking window closing:
# pagecache.shown_until); PAGE_CACHE_SECONDS bounds how long a page is kept in any case.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
# What browsers and a CDN are told: keep a page this long, then serve it stale this much
# longer while fetching a fresh one.
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "60"))
PAGE_CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("PAGE_CACHE_STALE_WHILE_REVALIDATE", "60"))
# Never cached: personal pages and forms (paths with a signed token, a ":", never are
# either).
PAGE_CACHE_EXCLUDED_PATHS = [
    "/healthz",
    "/admin/",
    "/subscribe/",
    "/training/bookings/",
    "/documents/",
    "/_util/",
]
# Tracking parameters on links in emails: left out of the cache key (the page is the same).
# Any other query string is cached only when the page says it showed exactly that query
# (pagecache.showing_query: a listing's filters and page number).
PAGE_CACHE_IGNORED_QUERY_PARAMETERS = [
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
]
# How long concurrent readers of a page being rendered wait for it before rendering it too.
PAGE_CACHE_RENDER_WAIT = float(os.environ.get("PAGE_CACHE_RENDER_WAIT", "5"))
# Saving or deleting any of these makes every cached page stale (pages themselves always
# do). Models not (yet) installed are skipped.
PAGE_CACHE_INVALIDATED_BY = [
    "lscp_site.SiteSettings",
    "wagtailcore.Site",
    "wagtailcore.PageViewRestriction",
    "wagtailimages.Image",
    "wagtaildocs.Document",
    "wagtailredirects.Redirect",
    "events.EventCategory",
    "training.Audience",
    "training.Session",
    "training.SessionCancellation",
    "training.Booking",
    "subscriptions.Topic",
]
# Apps whose changes re-render only the fragments that say they show them
# ({% cachefragment ... shows="training" %}); a change anywhere else re-renders every fragment.
PAGE_CACHE_CONTENT_AREAS = ["newsletter", "training", "events", "subscriptions"]
# Content areas whose pages name the other pages that show them (an issue: its neighbours'
# pagers), so that publishing one re-renders those and the listings, not every page of the
# area (pagecache: "Some changes reach only a few pages").
PAGE_CACHE_NAMED_AREAS = ["newsletter"]

# Housekeeping (lscp_site/housekeeping.py): each purge deletes what is no longer needed and
# says how much; the scheduler runs each every "every" seconds, an operator by hand with
# `manage.py purge [NAME ...] [--dry-run]`.
DAY_SECONDS = 24 * 60 * 60
PURGES = {
    "task-results": {"function": "lscp_site.housekeeping.prune_task_results", "every": DAY_SECONDS},
    "sessions": {"function": "lscp_site.housekeeping.clear_expired_sessions", "every": DAY_SECONDS},
    "revisions": {"function": "lscp_site.housekeeping.purge_old_revisions", "every": DAY_SECONDS},
    "unconfirmed-subscribers": {
        "function": "subscriptions.retention.purge_unconfirmed",
        "every": DAY_SECONDS,
    },
    "bookings": {"function": "training.retention.purge_expired_bookings", "every": DAY_SECONDS},
    "deliveries": {"function": "newsletter.sending.purge_old_deliveries", "every": DAY_SECONDS},
}
# Finished task results are kept this long (the worker's history in the admin's logs).
TASK_RESULT_RETENTION_DAYS = int(os.environ.get("TASK_RESULT_RETENTION_DAYS", "14"))
# Page and snippet revisions older than this go, except those Wagtail keeps (the latest,
# the live one, scheduled ones, those in moderation).
REVISION_RETENTION_DAYS = int(os.environ.get("REVISION_RETENTION_DAYS", "180"))
# Other tasks the scheduler queues: dotted path -> seconds between runs.
PERIODIC_TASKS = {
    # Carries on a newsletter send that stopped (a worker killed mid-batch).
    "newsletter.sending.resume_sends": 5 * 60,
    # Puts back tasks a killed worker left RUNNING (lscp_site/task_recovery.py).
    "lscp_site.task_recovery.recover_stale_tasks_job": 5 * 60,
    # Topic alerts whose deferred task went missing (newsletter/alerts.py).
    "newsletter.alerts.send_due_alerts_task": 5 * 60,
    # The weekly digest, once its day and time (below) have come; once a week.
    "newsletter.alerts.send_weekly_digest_task": 5 * 60,
    # Training: reminders before sessions, places whose manager did not answer in time,
    # the email after a session, refresher reminders (training/scheduled.py).
    "training.scheduled.send_reminders_due": 10 * 60,
    "training.scheduled.expire_pending_approvals": 10 * 60,
    "training.scheduled.send_follow_ups_due": 60 * 60,
    "training.scheduled.send_refresher_reminders_due": DAY_SECONDS,
}
# Topic alerts and the weekly digest (newsletter/alerts.py): how long an alert waits to
# gather more news in its topic, and when the weekly digest goes (0 = Monday; Leeds time).
NEWSLETTER_ALERT_DELAY_SECONDS = int(os.environ.get("NEWSLETTER_ALERT_DELAY_SECONDS", "300"))
NEWSLETTER_DIGEST_WEEKDAY = int(os.environ.get("NEWSLETTER_DIGEST_WEEKDAY", "0"))
NEWSLETTER_DIGEST_TIME = os.environ.get("NEWSLETTER_DIGEST_TIME", "08:00")
# Checks before a send (newsletter/checks.py): links to other sites are fetched in the
# background, each for at most NEWSLETTER_LINK_CHECK_TIMEOUT seconds, all of them within
# NEWSLETTER_LINK_CHECK_LIMIT.
NEWSLETTER_LINK_CHECK = True
NEWSLETTER_LINK_CHECK_TIMEOUT = 5
NEWSLETTER_LINK_CHECK_LIMIT = 30
# How often the scheduler publishes pages whose go-live time has come.
SCHEDULER_INTERVAL_SECONDS = int(os.environ.get("SCHEDULER_INTERVAL_SECONDS", "60"))

# Training bookings (delegates' names and contact details) are deleted this many days after
# their session ends (the "bookings" purge above).
BOOKING_RETENTION_DAYS = int(os.environ.get("BOOKING_RETENTION_DAYS", "365"))

# Newsletter sending (newsletter/sending.py; docs/deployment.md, "Sending the newsletter").
NEWSLETTER_SEND_BATCH_SIZE = int(os.environ.get("NEWSLETTER_SEND_BATCH_SIZE", "500"))
NEWSLETTER_SEND_LEASE_SECONDS = int(os.environ.get("NEWSLETTER_SEND_LEASE_SECONDS", "300"))
NEWSLETTER_SEND_SYNCHRONOUS_COMMIT = env_bool("NEWSLETTER_SEND_SYNCHRONOUS_COMMIT")
NEWSLETTER_DELIVERY_RETENTION_DAYS = int(
    os.environ.get("NEWSLETTER_DELIVERY_RETENTION_DAYS", "365")
)
# List-Id (RFC 2919); empty: "LSCP newsletter <newsletter.HOST>" from BASE_URL.
NEWSLETTER_LIST_ID = os.environ.get("NEWSLETTER_LIST_ID", "")
# The mailto in List-Unsubscribe; empty: the contact email editors set in Site settings.
UNSUBSCRIBE_MAILTO = os.environ.get("UNSUBSCRIBE_MAILTO", "")

# Two-factor sign-in for the admin (admin_2fa/): the sign-in form takes the code, and these
# permissions (with superusers) make it required; everyone else is offered it.
WAGTAILADMIN_USER_LOGIN_FORM = "admin_2fa.forms.LoginForm"
ADMIN_2FA_REQUIRED_PERMISSIONS = [
    "newsletter.send_issue",
    "subscriptions.manage_subscribers",
    "training.manage_bookings",
]
OTP_TOTP_ISSUER = "LSCP site"
# Passkeys (django-otp-webauthn) are a second factor after the password, never a sign-in on
# their own: the password keeps its lockout (django-axes), and one factor is not two.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "LSCP site"
# Where a passkey works: the site's address. dev.py, test.py and production.py set it again
# from their own BASE_URL.
OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = passkey_relying_party(BASE_URL)

# The admin's image upload reads the whole image, so a malformed file is a message on the
# field, not a server error (lscp_site/image_forms.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "lscp_site.image_forms.ImageForm"
