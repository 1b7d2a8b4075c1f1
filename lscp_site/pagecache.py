"""The anonymous page cache: whole responses kept in the shared cache, never stale.

Readers without a session get pages from Django's default cache (Redis in production, the
database cache on a developer's machine, local memory in tests). Anything that changes what
a page shows makes every cached page stale at once.

How it stays fresh: one site-wide *generation*, a random token kept in the cache, is stored
with each cached page. A cached page is served only while its generation is the current one,
it was stored today (for pages that list "upcoming" things), and no moment it was told of
has passed: whatever a page shows that the clock changes with nothing else changing (a
session closing for booking or starting, an event ending) says when, with
:func:`shown_until`, and the page is rendered again from then. Any change that a page can
show -- publishing, unpublishing, moving or deleting a page, saving or deleting one of the
models in ``PAGE_CACHE_INVALIDATED_BY``, the task worker indexing a published page for
search (search results are cached like any page), or code calling :func:`invalidate_pages`
-- sets a new generation, immediately and again when the transaction commits (a reader who
rendered the old data between the two is discarded by the second). One change often shows
on many pages (a booking changes the course, the catalogue, the home page and any issue
with a training spotlight), so invalidating everything is both simpler and safer than
purging URLs.
A token, not a counter, so a generation evicted from the cache can never come back with a
number that older pages were stored under. Each release (a digest of the project's code,
templates and static files) has keys of its own, so after a deploy no page rendered by the
old code, linking to old static files, is served, even while old and new processes overlap.

What is never cached (the request goes straight to the view):

* any method but GET and HEAD; requests with a session or messages cookie or an
  Authorization header (editors, signed-in users, flash messages);
* paths under ``PAGE_CACHE_EXCLUDED_PATHS`` (admin, sign-up, bookings) and any path with a
  signed token in it (``:`` is the separator of django.core.signing);
* a query string with a parameter that is not a known filter for the path
  (``PAGE_CACHE_QUERY_PARAMETERS``);
* responses that are not 200 (404s are not cached: their URLs are chosen by whoever sends
  them, so caching them lets anyone fill the cache; a 404 is a cheap render anyway), are
  streamed, set a cookie, vary on a request header, used the CSRF token, are a preview, or
  carry their own ``Cache-Control`` with private, no-cache or no-store.

CSRF tokens: a page that renders ``{% csrf_token %}`` sets the CSRF cookie and
``Vary: Cookie``, so it is never stored and nobody else gets its token. Forms on cached
pages (the footer sign-up) carry no token; the view they post to shows the form again
with the reader's own token.

CSP nonces: the nonce is per response. A page stored with a nonce is stored *cut at every
place the nonce appeared* (body and headers); each reader gets the pieces joined with a
fresh nonce, so the ``Content-Security-Policy`` header and the HTML always agree and no
two readers share a nonce. Shared caches (a CDN) cannot do this, so such pages are marked
``private`` for them. The cut is exact: a nonce is 128 random bits, found only where the
template put it.

Headers: cacheable pages get ``Cache-Control: public, max-age=..., stale-while-revalidate=...``
(``private`` if they carry a nonce) and an ``ETag`` (a hash of the stored page; weak when the
nonce is rewritten, since the bytes then differ per response). ``If-None-Match`` is answered
with 304 from the cache, without the CSP header (a 304's headers replace the stored ones in
the browser, whose stored page has its own nonce). No ``Last-Modified``: its one-second
resolution cannot tell apart two versions stored in the same second. ``X-Cache`` says
``hit``, ``miss`` (rendered and stored) or ``bypass`` (not cacheable).
"""

import contextlib
import contextvars
import functools
import hashlib
import importlib
import logging
import math
import os
import secrets
from urllib.parse import urlencode

import django
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.csp import generate_nonce
from django.utils.http import split_header_value

import wagtail

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
ENTRY_KEY_PREFIX = "pagecache:page:"
SAFE_METHODS = ("GET", "HEAD")
# Headers not stored with a page: worked out again for each response.
UNSTORED_HEADERS = {"content-length", "date", "x-cache"}
# Fields Wagtail saves on a page for drafts, locks and comments: nothing readers see.
DRAFT_ONLY_FIELDS = {
    "latest_revision",
    "latest_revision_created_at",
    "draft_title",
    "has_unpublished_changes",
    "wagtail_admin_comments",
    "locked",
    "locked_at",
    "locked_by",
}

DEFAULTS = {
    "PAGE_CACHE_ENABLED": True,
    "PAGE_CACHE_SECONDS": 300,
    "PAGE_CACHE_MAX_AGE": 60,
    "PAGE_CACHE_STALE_WHILE_REVALIDATE": 60,
    "PAGE_CACHE_EXCLUDED_PATHS": ["/admin/"],
    "PAGE_CACHE_QUERY_PARAMETERS": {"/": ["page"]},
    "PAGE_CACHE_MAX_QUERY_LENGTH": 200,
    "PAGE_CACHE_BYPASS_COOKIES": ["messages"],
    "PAGE_CACHE_INVALIDATED_BY": [],
}


_settings_read = {}


def _setting(name):
    """A setting (or its default here), read from Django's settings once: a cache hit asks
    for a dozen, and each read through ``django.conf.settings`` costs a microsecond or two.
    Forgotten when a test changes settings."""
    try:
        return _settings_read[name]
    except KeyError:
        value = _settings_read[name] = getattr(settings, name, DEFAULTS.get(name))
        return value


@receiver(setting_changed)
def _forget_settings(**kwargs):
    _settings_read.clear()


# ---- invalidation -------------------------------------------------------------------------


def invalidate_pages(*, using=None):
    """Make every cached page stale: now, and again when the current transaction commits.

    Signals call this for page and model changes. Call it yourself after changes that send
    no signal: ``QuerySet.update()``, ``bulk_create()``, raw SQL.
    """
    _new_generation()
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(_new_generation, using=using, robust=True)


def _new_generation():
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:
        # Publishing or booking must not fail because the cache is down; cached pages then
        # live at most PAGE_CACHE_SECONDS.
        logger.exception("Could not invalidate the page cache")


def current_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def _on_page_change(sender, instance=None, **kwargs):
    invalidate_pages(using=kwargs.get("using"))


def _on_page_saved(sender, instance, update_fields=None, using=None, **kwargs):
    # Publishing is covered by page_published; this catches pages saved by code (add_child
    # of a live page, an import, live set to False), but not drafts, locks or comments.
    if update_fields is not None and set(update_fields) <= DRAFT_ONLY_FIELDS:
        return
    invalidate_pages(using=using)
    _note_search_pending(instance)


def _on_model_change(sender, using=None, **kwargs):
    invalidate_pages(using=using)


def _on_m2m_change(sender, action, using=None, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        invalidate_pages(using=using)


# Search results read Wagtail's search index, which the task worker updates a moment after
# a page is published (modelsearch's index task). A publish sets a new generation at once,
# before the index has the new text; so it also leaves a note, and when the worker's index
# task for that page finishes, the generation changes again. Saving a draft runs the same
# task, but indexes the same live text: without a note it changes nothing. The note is left
# on the page's save, not on page_published (sent after the save): these receivers are
# connected before modelsearch's, so the note is there before its task is even queued, even
# when tasks run at once (the immediate backend) and not later in the worker.
SEARCH_INDEX_TASK = "modelsearch.tasks.insert_or_update_object_task"
SEARCH_PENDING_KEY_PREFIX = "pagecache:search-pending:"
SEARCH_PENDING_SECONDS = 24 * 60 * 60  # longer than any worker backlog


def _search_pending_key(app_label, model_name, pk):
    return f"{SEARCH_PENDING_KEY_PREFIX}{app_label}.{model_name}:{pk}"


def _note_search_pending(page):
    key = _search_pending_key(page._meta.app_label, page._meta.model_name, page.pk)
    try:
        cache.set(key, True, timeout=SEARCH_PENDING_SECONDS)
    except Exception:
        logger.exception("Could not note that the search index will change")


def _on_task_finished(sender, task_result, **kwargs):
    task = getattr(task_result, "task", None)
    if getattr(task, "module_path", "") != SEARCH_INDEX_TASK:
        return
    try:
        published = cache.delete(_search_pending_key(*list(task_result.args)[:3]))
    except Exception:
        logger.exception("Could not read the search index notes")
        published = True  # cannot tell: stale results are worse than a re-render
    if published:
        invalidate_pages()


def invalidating_models():
    """The models of ``PAGE_CACHE_INVALIDATED_BY`` that exist; others are skipped."""
    models = []
    for label in _setting("PAGE_CACHE_INVALIDATED_BY"):
        try:
            models.append(apps.get_model(label))
        except (LookupError, ValueError):
            logger.debug("PAGE_CACHE_INVALIDATED_BY: no model %s, skipped", label)
    return models


def connect_signals():
    """Connect every invalidation path. Called once from LscpSiteConfig.ready()."""
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

    uid = "lscp_site.pagecache"
    page_published.connect(_on_page_change, dispatch_uid=f"{uid}.published")
    # django.tasks' signal is the one the worker (django-tasks-db) and Django's own backends
    # send; the django_tasks package, which Wagtail imports, has a signal of its own.
    for signals_module in ("django.tasks.signals", "django_tasks.signals"):
        try:
            task_finished = importlib.import_module(signals_module).task_finished
        except (ImportError, AttributeError):
            continue
        task_finished.connect(_on_task_finished, dispatch_uid=f"{uid}.{signals_module}")
    page_unpublished.connect(_on_page_change, dispatch_uid=f"{uid}.unpublished")
    pre_page_move.connect(_on_page_change, dispatch_uid=f"{uid}.pre_move")
    post_page_move.connect(_on_page_change, dispatch_uid=f"{uid}.post_move")
    for model in apps.get_models():
        if issubclass(model, Page):
            post_save.connect(_on_page_saved, sender=model, dispatch_uid=f"{uid}.save")
            # Wagtail unpublishes a live page before deleting it; this is the backstop.
            post_delete.connect(_on_page_change, sender=model, dispatch_uid=f"{uid}.delete")
    for model in invalidating_models():
        if issubclass(model, Page):
            continue  # pages are covered above, without invalidating on draft saves
        post_save.connect(_on_model_change, sender=model, dispatch_uid=f"{uid}.model_save")
        post_delete.connect(_on_model_change, sender=model, dispatch_uid=f"{uid}.model_delete")
        for field in model._meta.many_to_many:
            through = getattr(field.remote_field, "through", None)
            if through is not None:
                m2m_changed.connect(_on_m2m_change, sender=through, dispatch_uid=f"{uid}.m2m")


# ---- which requests and responses are cacheable ---------------------------------------------


def _personal_request(request):
    """True when the request carries something that makes the page one reader's own."""
    cookies = {_setting("SESSION_COOKIE_NAME"), *_setting("PAGE_CACHE_BYPASS_COOKIES")}
    if any(name in request.COOKIES for name in cookies):
        return True
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    path = request.path
    if ":" in path:  # a signed token from django.core.signing
        return True
    return any(path.startswith(prefix) for prefix in _setting("PAGE_CACHE_EXCLUDED_PATHS"))


def _normalised_query(request):
    """The query string as part of a cache key, or None when it is not a known filter."""
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return ""
    if len(raw) > _setting("PAGE_CACHE_MAX_QUERY_LENGTH"):
        return None
    allowed = set()
    for prefix, names in _setting("PAGE_CACHE_QUERY_PARAMETERS").items():
        if request.path.startswith(prefix):
            allowed.update(names)
    pairs = []
    for name, values in request.GET.lists():
        if name not in allowed:
            return None
        pairs.extend((name, value) for value in values)
    pairs.sort(key=lambda pair: pair[0])  # stable: repeated names keep their order
    return urlencode(pairs)


RELEASE_FILE_TYPES = {".py", ".html", ".txt", ".xml", ".css", ".js", ".json", ".svg"}


@functools.cache
def release():
    """A digest of what renders pages: the project's code, templates and static files, and
    the Django and Wagtail versions. Worked out once per process."""
    folders = {str(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])}
    folders.update(str(d) for d in getattr(settings, "STATICFILES_DIRS", []))
    folders.update(
        config.path for config in apps.get_app_configs() if "site-packages" not in config.path
    )
    digest = hashlib.blake2b(f"{django.__version__} {wagtail.__version__}".encode())
    for folder in sorted(folders):
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if os.path.splitext(name)[1] in RELEASE_FILE_TYPES:
                    file = os.path.join(root, name)
                    digest.update(os.path.relpath(file, os.path.dirname(folder)).encode())
                    with open(file, "rb") as content:
                        digest.update(content.read())
    return digest.hexdigest()[:16]


def cache_key(request):
    """The key a request's page is cached under, or None if the request bypasses the cache."""
    if request.method not in SAFE_METHODS or _personal_request(request):
        return None
    query = _normalised_query(request)
    if query is None:
        return None
    url = f"{release()} {request.scheme}://{request.get_host()}{request.path}?{query}"
    return ENTRY_KEY_PREFIX + hashlib.sha256(url.encode()).hexdigest()


def _forbids_caching(response):
    cache_control = response.get("Cache-Control", "").lower()
    return any(word in cache_control for word in ("private", "no-store", "no-cache"))


def _personal_response(request, response):
    # Setting a cookie (a session, the CSRF cookie) or asking for the CSRF token.
    return bool(response.cookies) or "CSRF_COOKIE_NEEDS_UPDATE" in request.META


def _varies_on_more_than_cookie(response):
    """True if the response depends on a request header other than Cookie.

    ``Vary: Cookie`` comes from the session middleware whenever a template looks at
    ``request.user`` (the Wagtail user bar does): for a request without a session cookie
    that is the anonymous page every such reader gets, so it may be stored. The header is
    kept, so a browser does not show the stored anonymous copy to a reader who signs in.
    """
    varies = {value.lower() for value in split_header_value(response.get("Vary", ""))}
    return bool(varies - {"cookie"})


def _storable(request, response):
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not _personal_response(request, response)
        and not _varies_on_more_than_cookie(response)
        and not getattr(request, "is_preview", False)
        and not _forbids_caching(response)
    )


# ---- stored pages -------------------------------------------------------------------------


class CachedPage:
    """A response as stored: body and header values cut where the CSP nonce appeared."""

    __slots__ = ("generation", "day", "until", "headers", "body", "etag")

    def __init__(self, *, generation, day, headers, body, etag, until=None):
        self.generation = generation
        self.day = day
        self.until = until  # the first moment it shows something else, or None
        self.headers = headers  # [(name, [piece, ...]), ...]
        self.body = body  # [piece, ...] (bytes)
        self.etag = etag

    def __getstate__(self):
        return (self.generation, self.day, self.until, self.headers, self.body, self.etag)

    def __setstate__(self, state):
        self.generation, self.day, self.until, self.headers, self.body, self.etag = state

    @property
    def has_nonce(self):
        return len(self.body) > 1 or any(len(pieces) > 1 for _, pieces in self.headers)

    def is_current(self, *, generation, day, now):
        return (
            self.generation == generation
            and self.day == day
            and (self.until is None or now < self.until)
        )

    def render(self):
        """(headers, body) for one reader, with a nonce of their own."""
        nonce = generate_nonce() if self.has_nonce else ""
        body = nonce.encode().join(self.body)
        headers = [(name, nonce.join(pieces)) for name, pieces in self.headers]
        headers.append(("Content-Length", str(len(body))))
        return headers, body

    def response(self):
        """A new HttpResponse for one reader, with a nonce of its own."""
        headers, body = self.render()
        response = HttpResponse(body)
        for name, value in headers:
            response[name] = value
        return response


def store(response, *, nonce, generation, day, until=None):
    """Give a cacheable response its caching headers and return it as a CachedPage.

    ``nonce`` is the response's CSP nonce if it carries one, else "". ``until`` is the first
    moment the page shows something else (:func:`shown_until`), or None.
    """
    body = response.content.split(nonce.encode()) if nonce else [response.content]
    if not response.has_header("Cache-Control"):
        max_age = _setting("PAGE_CACHE_MAX_AGE")
        stale_while_revalidate = _setting("PAGE_CACHE_STALE_WHILE_REVALIDATE")
        if until is not None:
            # Browsers and a CDN keep it no longer than we do, stale copies included.
            seconds_left = max(0, math.floor((until - timezone.now()).total_seconds()))
            max_age = min(max_age, seconds_left)
            stale_while_revalidate = min(stale_while_revalidate, seconds_left - max_age)
        # A page carrying a nonce must not be shared by a CDN: every reader needs their own.
        patch_cache_control(
            response,
            **{"private" if nonce else "public": True},
            max_age=max_age,
            stale_while_revalidate=stale_while_revalidate,
        )
    if not response.has_header("ETag"):
        digest = hashlib.blake2b(b"\0nonce\0".join(body), digest_size=16).hexdigest()
        # Weak when the nonce is rewritten: the bytes then differ from one reader to the next.
        response["ETag"] = f'W/"{digest}"' if nonce else f'"{digest}"'
    headers = [
        (name, value.split(nonce) if nonce else [value])
        for name, value in response.items()
        if name.lower() not in UNSTORED_HEADERS
    ]
    return CachedPage(
        generation=generation,
        day=day,
        until=until,
        headers=headers,
        body=body,
        etag=response["ETag"],
    )


def _response_nonce(request, response):
    """The CSP nonce of this response if it appears in its body or headers, else ""."""
    nonce = get_nonce(request)
    if not nonce:  # never generated: nothing on the page used it
        return ""
    nonce = str(nonce)
    if nonce.encode() in response.content or any(nonce in v for _, v in response.items()):
        return nonce
    return ""


# ---- looking a page up ----------------------------------------------------------------------


class Lookup:
    """What the cache holds for one request: its key, the current generation, today, and the
    stored page if it is current (else None)."""

    __slots__ = ("key", "generation", "day", "page")

    def __init__(self, *, key, generation, day, page):
        self.key, self.generation, self.day, self.page = key, generation, day, page


# ---- what the clock changes on a page --------------------------------------------------------


class _Moments:
    """The moments a response being rendered for the cache was told of: only the first
    matters."""

    __slots__ = ("first",)

    def __init__(self):
        self.first = None


_moments = contextvars.ContextVar("lscp_pagecache_moments", default=None)


def shown_until(moment):
    """Say that the response being rendered shows something that changes at ``moment`` (an
    aware datetime, or None for nothing) with nothing else changing on the site: a session
    closing for booking or starting, an event ending. A cached copy is then served only
    until the first such moment, and browsers and a CDN are told to keep it no longer.
    Values kept by :func:`remembered_until` pass their moments on by themselves. Outside a
    response the page cache may store, this does nothing."""
    moments = _moments.get()
    if moments is None or moment is None:
        return
    if moments.first is None or moment < moments.first:
        moments.first = moment


@contextlib.contextmanager
def collecting_moments():
    """Collect the moments told with :func:`shown_until` inside the block, apart from the
    response's own; yields the collector, whose ``first`` is the earliest of them."""
    moments = _Moments()
    told = _moments.set(moments)
    try:
        yield moments
    finally:
        _moments.reset(told)


def content_version():
    """The site's content version: a token that every change a page can show replaces
    (see :func:`invalidate_pages`). Part of every cache key, so nothing kept under an older
    version is read again. None when the cache cannot be reached."""
    try:
        return current_generation()
    except Exception:
        logger.warning("Shared cache unavailable: no content version", exc_info=True)
        return None


FRAGMENT_KEY_PREFIX = "pagecache:fragment:"


def fragment(key, render):
    """``render()``'s output, kept under ``key`` for this content version and until the first
    moment told with :func:`shown_until` while it rendered (the ``{% cachefragment %}`` tag,
    lscp_site/templatetags/lscp_cache.py). Reading it back tells that moment on."""
    version = content_version()  # before rendering: never keep data a change replaced
    if version is None:
        return render()
    stored_key = f"{FRAGMENT_KEY_PREFIX}{version}:{key}"
    try:
        stored = cache.get(stored_key)
    except Exception:
        logger.warning("Shared cache unavailable: fragment rendered", exc_info=True)
        stored = None
    if isinstance(stored, tuple) and len(stored) == 2:
        html, until = stored
        if until is None or timezone.now() < until:
            shown_until(until)
            return html
    with collecting_moments() as moments:
        html = render()
    until = moments.first
    timeout = _setting("PAGE_CACHE_SECONDS")
    if until is not None:
        timeout = max(1, min(timeout, math.ceil((until - timezone.now()).total_seconds())))
    try:
        cache.set(stored_key, (html, until), timeout=timeout)
    except Exception:
        logger.warning("Could not keep a fragment", exc_info=True)
    shown_until(until)
    return html


# Where the WSGI front leaves its lookup for the middleware, so a miss costs one round trip.
LOOKUP_ENVIRON_KEY = "lscp.pagecache.lookup"


def get_with_generation(key):
    """(the current generation, what the cache holds under ``key``), in one round trip.
    Anything stored under a generation is used only while that generation is current.
    Raises whatever the cache raises when it is down."""
    found = _get_many([GENERATION_KEY, key])
    return found.get(GENERATION_KEY) or current_generation(), found.get(key)


def _get_many(keys):
    """``cache.get_many(keys)``. On Redis (django-redis), the MGET goes straight through a
    pooled connection: redis-py's client spends about 60 microseconds of CPU around each
    command (retry policy, event dispatch, metrics hooks), a fifth of what a cache hit
    costs here. If that connection fails, the full client tries again and reports."""
    from django_redis.client import DefaultClient

    client = getattr(cache, "client", None)
    if type(client) is not DefaultClient:
        return cache.get_many(keys)
    stored_keys = [client.make_key(key) for key in keys]
    pool = client.get_client(write=False).connection_pool
    connection = pool.get_connection()
    try:
        connection.send_command("MGET", *stored_keys)
        values = connection.read_response()
    except Exception:
        connection.disconnect()
        return cache.get_many(keys)
    finally:
        pool.release(connection)
    return {
        key: client.decode(value)
        for key, value in zip(keys, values, strict=True)
        if value is not None
    }


def store_for_generation(key, value):
    """Keep ``value`` (which carries its generation) as long as a cached page is kept."""
    cache.set(key, value, timeout=_setting("PAGE_CACHE_SECONDS"))


REMEMBERED_KEY_PREFIX = "pagecache:remembered:"


def remembered(name, compute):
    """``compute()``, worked out once for each generation and kept beside the cached pages.

    For what a page shows that only a change of content can change, and that costs more
    the more content there is: the newsletter archive's years, with how many issues each
    holds (a count over every issue, on every render), the diary's months and the
    catalogue's courses for a choice of filters. The value is stored with the generation
    read *before* ``compute()`` ran, so a value computed from data a change was about to
    replace is never used. Whatever ``name`` says must be everything ``compute``
    depends on; nothing that depends on the time of day belongs here (see
    ``remembered_until``). If the cache cannot be reached, ``compute()`` runs every time.
    """
    return remembered_until(name, lambda: (compute(), None))


def remembered_until(name, compute):
    """As ``remembered``, for a value that the passing of time changes too, at a moment
    known when it is worked out: ``compute()`` gives (value, the moment it stops being
    right, or None), and the value is used until that moment or the next change, whichever
    comes first. A catalogue page's cards, say, are right until the first of their sessions
    closes for booking or starts.
    """
    key = f"{REMEMBERED_KEY_PREFIX}{release()}:{name}"
    try:
        generation, stored = get_with_generation(key)
    except Exception:
        logger.warning("Shared cache unavailable: %s worked out afresh", name, exc_info=True)
        value, until = compute()
        shown_until(until)
        return value
    if (
        isinstance(stored, tuple)
        and len(stored) == 3
        and stored[0] == generation
        and (stored[2] is None or timezone.now() < stored[2])
    ):
        shown_until(stored[2])
        return stored[1]
    value, until = compute()
    shown_until(until)
    try:
        store_for_generation(key, (generation, value, until))
    except Exception:
        logger.warning("Could not keep %s", name, exc_info=True)
    return value


def remembered_for_page(name, page, request, compute):
    """``remembered_until`` for what ``page`` shows its readers at the address ``request``
    asks for it by (its id and address name the value, beside ``name``). A preview shows a
    draft, and a page not yet saved has no id: worked out afresh and kept nowhere."""
    if getattr(request, "is_preview", False) or page.pk is None:
        return compute()[0]
    return remembered_until(f"{name}:{page.pk}:{page.get_url(request)}", compute)


def look_up(request):
    """The cache's answer for ``request``, or None if the request bypasses the cache.
    Raises whatever the cache raises when it is down."""
    key = cache_key(request)
    if key is None:
        return None
    now = timezone.now()
    day = timezone.localdate(now).isoformat()
    generation, stored = get_with_generation(key)
    current = isinstance(stored, CachedPage) and stored.is_current(
        generation=generation, day=day, now=now
    )
    return Lookup(key=key, generation=generation, day=day, page=stored if current else None)


# ---- the middleware -----------------------------------------------------------------------


class PageCacheMiddleware:
    """Serve anonymous GETs from the shared cache and store what is cacheable. Place it just
    after WhiteNoise, above the session, CSRF and CSP middleware: a hit then skips them all,
    and a miss is stored with the headers they added. In production most hits are answered
    before Django by :class:`PageCacheFront`; this serves the rest (conditional requests)
    and is what the test client goes through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _setting("PAGE_CACHE_ENABLED"):
            return self.get_response(request)
        lookup = request.META.pop(LOOKUP_ENVIRON_KEY, None)
        if lookup is None:
            try:
                lookup = look_up(request)
            except Exception:
                logger.exception("Page cache unavailable: serving without it")
                return self._bypass(request, self.get_response(request))
        if lookup is None:
            return self._bypass(request, self.get_response(request))

        if lookup.page is not None:
            response = get_conditional_response(
                request, etag=lookup.page.etag, response=lookup.page.response()
            )
            response["X-Cache"] = "hit"
            return response

        moments = _Moments()
        told = _moments.set(moments)
        try:
            response = self.get_response(request)
        finally:
            _moments.reset(told)
        if not _storable(request, response):
            return self._bypass(request, response)
        page = store(
            response,
            nonce=_response_nonce(request, response),
            generation=lookup.generation,
            day=lookup.day,
            until=moments.first,
        )
        try:
            store_for_generation(lookup.key, page)
        except Exception:
            logger.exception("Could not store a page in the page cache")
        response = get_conditional_response(request, etag=page.etag, response=response)
        response["X-Cache"] = "miss"
        return response

    def _bypass(self, request, response):
        """A response neither served from nor stored in the cache. A personal one (a signed-in
        reader, a form with a CSRF token, a signed link) is marked for no cache to keep."""
        personal = _personal_request(request) or _personal_response(request, response)
        if personal and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        response["X-Cache"] = "bypass"
        return response
