"""The anonymous page cache: whole pages for readers without a session, never stale.

One middleware (:class:`PageCacheMiddleware`), first in ``MIDDLEWARE``: it stores the
response exactly as every other middleware left it (security headers, CSP, Vary) and
serves a stored page with those same headers, so a hit and a miss differ only in
``X-Cache``. Pages live in Django's default cache (Redis in production); if the cache
cannot be reached, every request is served uncached.

Never stale. What a page shows is divided into *content areas*: the apps of
``PAGE_CACHE_CONTENT_AREAS`` (newsletter, training, events, subscriptions), the search index,
and the site as a whole (anything else: settings, pictures, a page moved, unpublished or
deleted, a new slug). Each area has a version, a token that every change in it replaces
(signals, or :func:`invalidate_pages`), and every page is stored with the versions of the
areas it shows; a page stored under another version of any of them is not served. A page
type says which areas it shows (:func:`showing_areas`, from ``get_context``; its fragments
add theirs); a page that says nothing, and any other view, is taken to show every area.
Whatever a page shows that the clock changes with nothing edited (booking closing, an
event ending) says when with :func:`shown_until`, and the page is served only until then,
with ``max-age`` cut to match; and never after the end of the day it was stored on.

Some changes reach only a few pages. Every page is also stored with the version of its
address, and a page type of an area in ``PAGE_CACHE_NAMED_AREAS`` names the other pages
that show its content (``shown_on_pages()``: an issue's neighbours, in their pager): a
change to such a page reaches its area's listings and those addresses only. Pages that show
the area only as far as such changes name them (an issue page) show the area's ``-wide``
area instead ("newsletter-wide"), which every other change in the area replaces (the
archive renamed, :func:`invalidate_pages` called by hand).

What is stored: a GET that gives a 200 with no cookie set, no CSRF token used, no CSP
nonce, no Vary but Cookie, no private/no-store/no-cache, not a preview. Requests with a
session, messages or Authorization, paths under ``PAGE_CACHE_EXCLUDED_PATHS`` and paths
holding a signed token (``:``) bypass. A query string is cached only when the page said
it showed exactly that query (:func:`showing_query`: a listing's valid filters and page
number), so nobody can multiply keys with made-up parameters; tracking parameters
(``PAGE_CACHE_IGNORED_QUERY_PARAMETERS``) are left out of the key.

Concurrent misses of one page render it once: the first takes a short lock, the others
wait for what it stores (under the current versions, never an older page), or render
themselves if it stores nothing or a change overtakes it (their render is then kept, under
the versions that change set).

Costly parts of a page are kept the same way by :func:`fragment` (the
``{% cachefragment %}`` tag), keyed by the versions of the areas it says it shows and of
the page whose content it is: after a publish, the pages that show the area are rendered
again from fragments that are mostly still good, and the other pages are not rendered at
all.
"""

import contextlib
import contextvars
import datetime
import functools
import hashlib
import importlib
import logging
import math
import os
import secrets
import time
from urllib.parse import unquote, urlencode

import django
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import split_header_value

import wagtail
from wagtail.models import Page
from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
    pre_page_move,
)

logger = logging.getLogger(__name__)

AREA_VERSION_KEY_PREFIX = "pagecache:version:"
# Every page and fragment shows the site as a whole: changes outside the content areas.
SITE_AREA = "site"
PAGE_KEY_PREFIX = "pagecache:page:"
RENDERING_KEY_PREFIX = "pagecache:rendering:"
FRAGMENT_KEY_PREFIX = "pagecache:fragment:"
# Headers worked out again for each response rather than stored.
UNSTORED_HEADERS = {"date", "x-cache", "set-cookie"}
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
    "PAGE_CACHE_IGNORED_QUERY_PARAMETERS": [],
    "PAGE_CACHE_MAX_QUERY_LENGTH": 200,
    "PAGE_CACHE_BYPASS_COOKIES": ["messages"],
    "PAGE_CACHE_INVALIDATED_BY": [],
    "PAGE_CACHE_CONTENT_AREAS": [],
    "PAGE_CACHE_NAMED_AREAS": [],
    "PAGE_CACHE_RENDER_WAIT": 5,
}


def _setting(name):
    return getattr(settings, name, DEFAULTS.get(name))


# ---- invalidation -------------------------------------------------------------------------


def invalidate_pages(*areas, using=None):
    """Make cached pages and fragments that show ``areas`` stale: now, and again when the
    current transaction commits.

    ``areas``: content areas (app labels of ``PAGE_CACHE_CONTENT_AREAS``), ``page_area(page)``
    or ``SEARCH_AREA``; with none, the site as a whole, which every page and fragment shows.
    Signals call this for page and model changes. Call it yourself after changes that send
    no signal: ``QuerySet.update()``, ``bulk_create()``, raw SQL.
    """
    _invalidate(functools.partial(_wide, areas or (SITE_AREA,)), using=using)


def _invalidate(reached, using=None):
    """New versions for the areas ``reached()`` returns, now and when the transaction
    commits; asked again then, so that it can name what the committed data shows."""
    _new_versions(reached())
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(lambda: _new_versions(reached()), using=using, robust=True)


WIDE_SUFFIX = "-wide"


def _wide(areas):
    """``areas`` with the ``-wide`` area of each named area among them: a change that names
    no pages reaches every page showing the area."""
    named = set(_setting("PAGE_CACHE_NAMED_AREAS"))
    return [*areas, *(f"{area}{WIDE_SUFFIX}" for area in areas if area in named)]


def page_areas():
    """Every area a page can show: the site, the search index, the content areas and the
    ``-wide`` areas of ``PAGE_CACHE_NAMED_AREAS``."""
    return [SITE_AREA, SEARCH_AREA, *_wide(_setting("PAGE_CACHE_CONTENT_AREAS"))]


PAGE_AREA_PREFIX = "page:"


def page_area(page):
    """The area of one page's own content, for fragments (:func:`invalidate_pages`,
    ``{% cachefragment of=page %}``); a change to a page also changes its app's area."""
    return f"{PAGE_AREA_PREFIX}{page.pk}"


ADDRESS_AREA_PREFIX = "address:"
# Areas of one page or one address, which fragments may show besides the named areas.
OWN_AREA_PREFIXES = (PAGE_AREA_PREFIX, ADDRESS_AREA_PREFIX)


def address_area(path):
    """The area of what is shown at ``path`` (a request's ``path_info``): every page is
    stored with its version, which a change naming the page replaces."""
    return ADDRESS_AREA_PREFIX + hashlib.blake2b(path.encode(), digest_size=16).hexdigest()


def page_address_area(page, request=None):
    """:func:`address_area` of the address Wagtail serves ``page`` at; None for a page that
    has none (not under a site)."""
    parts = page.get_url_parts(request)
    if parts is None:
        return None
    # reverse() writes the script prefix and percent-encodes; path_info has neither.
    path = unquote(parts[2]).removeprefix(get_script_prefix().rstrip("/"))
    return address_area(path)


def _page_change_areas(page):
    """The areas a change to ``page`` reaches (:func:`area_of`): its app's and its own, and
    the addresses of itself and of the pages it names (``shown_on_pages()``, for a page type
    of ``PAGE_CACHE_NAMED_AREAS``); else its app's ``-wide`` area too."""
    areas = area_of(type(page), page.pk)
    shown_on_pages = getattr(page, "shown_on_pages", None)
    if shown_on_pages is None or areas[0] not in _setting("PAGE_CACHE_NAMED_AREAS"):
        return _wide(areas)
    addresses = [page_address_area(named) for named in (page, *shown_on_pages())]
    return [*areas, *(address for address in addresses if address is not None)]


def area_of(model, pk=None):
    """The areas a change to ``model`` (row ``pk`` for a page) reaches: its app's content
    area, and the page's own; the whole site for a model outside the content areas."""
    label = model._meta.app_label
    if label not in _setting("PAGE_CACHE_CONTENT_AREAS"):
        return (SITE_AREA,)
    if pk is not None and issubclass(model, Page):
        return (label, f"{PAGE_AREA_PREFIX}{pk}")
    return (label,)


def _new_token():
    # A random integer rather than a string: django-redis stores integers as they are, not
    # pickled, and every hit reads the versions of every area.
    return secrets.randbits(63)


def _new_versions(areas):
    token = _new_token()
    try:
        cache.set_many({AREA_VERSION_KEY_PREFIX + area: token for area in areas}, timeout=None)
    except Exception:
        # Publishing or booking must not fail because the cache is down; cached pages then
        # live at most PAGE_CACHE_SECONDS.
        logger.exception("Could not invalidate the page cache")


def _versions(keys):
    """The version tokens under ``keys`` (a missing one is set afresh), in one round trip
    when all are there; None when the cache cannot be reached. Random tokens that changes
    replace (:func:`invalidate_pages`), not counters: a version evicted from the cache can
    never come back with a value older pages were stored under."""
    try:
        found = dict(cache.get_many(keys))  # a copy: django-redis may hand out a shared {}
        for key in keys:
            if key not in found:
                cache.add(key, _new_token(), timeout=None)
                found[key] = cache.get(key)
    except Exception:
        logger.warning("Shared cache unavailable: no content version", exc_info=True)
        return None
    if any(found[key] is None for key in keys):  # IGNORE_EXCEPTIONS: a cache gone away
        return None
    return [found[key] for key in keys]


def _on_page_change(sender, instance=None, **kwargs):
    invalidate_pages(using=kwargs.get("using"))


def _on_page_published(sender, instance, **kwargs):
    _invalidate(functools.partial(_page_change_areas, instance))


def saves_drafts_only(update_fields):
    """Whether a page save with these ``update_fields`` (a ``pre_save``/``post_save``
    argument) writes only what Wagtail keeps for drafts, locks and comments: nothing readers
    see."""
    return update_fields is not None and set(update_fields) <= DRAFT_ONLY_FIELDS


def _on_page_saved(sender, instance, update_fields=None, using=None, **kwargs):
    # Publishing is covered by page_published; this catches pages saved by code (add_child
    # of a live page, an import, live set to False), but not drafts, locks or comments.
    if saves_drafts_only(update_fields):
        return
    _invalidate(functools.partial(_page_change_areas, instance), using=using)
    _note_search_pending(instance)


def _on_model_change(sender, using=None, **kwargs):
    invalidate_pages(*area_of(sender), using=using)


def _on_m2m_change(sender, action, instance, model, using=None, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        invalidate_pages(*area_of(type(instance)), *area_of(model), using=using)


# Search results read Wagtail's search index, which the task worker updates a moment after
# a page is published (modelsearch's index task). A publish sets a new generation at once,
# before the index has the new text; so it also leaves a note, and when the worker's index
# task for that page finishes, the generation changes again. Saving a draft runs the same
# task, but indexes the same live text: without a note it changes nothing. The note is left
# on the page's save, not on page_published (sent after the save): these receivers are
# connected before modelsearch's, so the note is there before its task is even queued, even
# when tasks run at once (the immediate backend) and not later in the worker.
SEARCH_INDEX_TASK = "modelsearch.tasks.insert_or_update_object_task"
# Search results are shown by no fragment: the index changing re-renders pages only.
SEARCH_AREA = "search-index"
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
        invalidate_pages(SEARCH_AREA)


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
    uid = "lscp_site.pagecache"
    page_published.connect(_on_page_published, dispatch_uid=f"{uid}.published")
    # A new address for a page changes every link to it, wherever it is shown.
    page_slug_changed.connect(_on_page_change, dispatch_uid=f"{uid}.slug")
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


# ---- what a render tells the cache -----------------------------------------------------


class _Render:
    """What the code rendering one response (or one fragment) told the cache: the first
    moment it shows something else, and the query it showed."""

    __slots__ = ("until", "query", "areas")

    def __init__(self):
        self.until = None
        self.query = None
        self.areas = None  # not said: every area


_render = contextvars.ContextVar("lscp_pagecache_render", default=None)


def shown_until(moment):
    """Say that what is being rendered shows something that changes at ``moment`` (an
    aware datetime; None for nothing) with nothing edited: a session closing for booking or
    starting, an event ending. A cached page or fragment holding it is then used only until
    the first such moment. Outside a render for the cache this does nothing."""
    render = _render.get()
    if render is None or moment is None:
        return
    if render.until is None or moment < render.until:
        render.until = moment


def showing_areas(*areas):
    """Say that the page being rendered shows these content areas (app labels of
    ``PAGE_CACHE_CONTENT_AREAS``) besides the site as a whole, and what its fragments say
    they show: it is then kept across changes in other areas. Call it from ``get_context``,
    for what the page and its template read outside fragments; a page that does not call it
    is taken to show every area. Outside a render for the cache this does nothing."""
    _check_areas(areas)
    render = _render.get()
    if render is not None:
        render.areas = {*(render.areas or ()), SITE_AREA, *areas}


def _shown_by_fragment(areas):
    """What a fragment showed, added to the areas the page being rendered said it shows."""
    render = _render.get()
    if render is not None and render.areas is not None:
        render.areas.update(area for area in areas if not area.startswith(OWN_AREA_PREFIXES))


def _check_areas(areas):
    known = set(page_areas())
    unknown = [area for area in areas if area not in known]
    if unknown:
        raise ValueError(f"Not a content area: {', '.join(unknown)} (PAGE_CACHE_CONTENT_AREAS)")


def showing_query(**parameters):
    """Say which query parameters the page being rendered showed, as it would write them in
    a link: a listing's valid filters and its page number past the first (empty values are
    left out). The page is kept for a request that asked for exactly these; any other query
    string is served uncached. Call it from ``get_context`` or the view, not inside a
    ``{% cachefragment %}`` (a fragment read back does not run again).

    Returns those parameters, {name: value}: the listing's pagination writes its links from
    them (components/pagination.html), so every link is one the cache keeps."""
    shown = {name: str(value) for name, value in parameters.items() if value not in ("", None)}
    render = _render.get()
    if render is not None:
        render.query = _encoded(shown.items())
    return shown


@contextlib.contextmanager
def collecting_moments():
    """Collect what is told with :func:`shown_until` inside the block apart from the
    response's own; yields the collector (``until``: the earliest moment told)."""
    render = _Render()
    token = _render.set(render)
    try:
        yield render
    finally:
        _render.reset(token)


def _encoded(pairs):
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))


# ---- fragments ----------------------------------------------------------------------------


def fragment(key, render, areas=None):
    """``render()``'s output, kept under ``key`` until what it shows changes, and until the
    first moment told with :func:`shown_until` while it rendered (the ``{% cachefragment %}``
    tag, lscp_site/templatetags/lscp_cache.py). Reading it back tells that moment on.

    ``areas``: the content areas it shows (:func:`invalidate_pages`); it is kept across
    changes in any other. None: it shows anything, and every change renders it again."""
    if areas is None:
        areas = page_areas()
    else:
        areas = sorted({SITE_AREA, *areas})
        _check_areas(area for area in areas if not area.startswith(OWN_AREA_PREFIXES))
    # Stored with the versions it was rendered under, and read with the current ones in one
    # round trip; versions read before rendering: never keep what a change replaced.
    version_keys = [AREA_VERSION_KEY_PREFIX + area for area in areas]
    stored_key = f"{FRAGMENT_KEY_PREFIX}{release()}:{key}"
    try:
        found = dict(cache.get_many([*version_keys, stored_key]))
    except Exception:
        logger.warning("Shared cache unavailable: fragment rendered", exc_info=True)
        return render()
    versions = [found.get(version_key) for version_key in version_keys]
    if None in versions:
        versions = _versions(version_keys)
        if versions is None:
            return render()
    stored = found.get(stored_key)
    if isinstance(stored, tuple) and len(stored) == 3 and stored[0] == versions:
        _, html, until = stored
        if until is None or timezone.now() < until:
            shown_until(until)
            _shown_by_fragment(areas)
            return html
    with collecting_moments() as told:
        html = render()
    cache.set(stored_key, (versions, html, told.until), timeout=_seconds_to_keep(told.until))
    shown_until(told.until)
    _shown_by_fragment(areas)
    return html


def _seconds_to_keep(until):
    seconds = _setting("PAGE_CACHE_SECONDS")
    if until is not None:
        seconds = max(1, min(seconds, math.ceil((until - timezone.now()).total_seconds())))
    return seconds


# ---- which requests are cached ------------------------------------------------------------


def _personal_request(request):
    """True when the request carries something that makes the page one reader's own."""
    cookies = {settings.SESSION_COOKIE_NAME, *_setting("PAGE_CACHE_BYPASS_COOKIES")}
    if any(name in request.COOKIES for name in cookies):
        return True
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    path = request.path
    if ":" in path:  # a signed token from django.core.signing
        return True
    return any(path.startswith(prefix) for prefix in _setting("PAGE_CACHE_EXCLUDED_PATHS"))


def _request_query(request):
    """The request's query as the page would write it, tracking parameters left out; None
    when it is too long to be any page's."""
    raw = request.META.get("QUERY_STRING", "")
    if not raw:  # most requests: no need to parse one
        return ""
    if len(raw) > _setting("PAGE_CACHE_MAX_QUERY_LENGTH"):
        return None
    ignored = set(_setting("PAGE_CACHE_IGNORED_QUERY_PARAMETERS"))
    return _encoded(
        (name, value)
        for name, values in request.GET.lists()
        if name not in ignored
        for value in values
        if value != ""
    )


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
    """The key a request's page is cached under, or None if the request bypasses the cache
    (including a host Django refuses: it answers 400 itself)."""
    if request.method not in ("GET", "HEAD") or _personal_request(request):
        return None
    query = _request_query(request)
    if query is None:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    url = f"{release()} {request.scheme}://{host}{request.path}?{query}"
    return PAGE_KEY_PREFIX + hashlib.sha256(url.encode()).hexdigest()


# ---- which responses are stored -----------------------------------------------------------


def _forbids_caching(response):
    cache_control = response.get("Cache-Control", "").lower()
    return any(word in cache_control for word in ("private", "no-store", "no-cache"))


def _personal_response(request, response):
    # Setting a cookie (a session, the CSRF cookie) or asking for the CSRF token.
    return bool(response.cookies) or "CSRF_COOKIE_NEEDS_UPDATE" in request.META


def _varies_on_more_than_cookie(response):
    """True if the response depends on a request header other than Cookie. (``Vary:
    Cookie`` comes whenever a template looks at ``request.user``: for a request without a
    session cookie that is the page every anonymous reader gets.)"""
    varies = {value.lower() for value in split_header_value(response.get("Vary", ""))}
    return bool(varies - {"cookie"})


def _carries_nonce(response):
    # A nonce is one reader's: a page using one is never shared.
    return "'nonce-" in response.get("Content-Security-Policy", "")


def _storable(request, response, render):
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not _personal_response(request, response)
        and not _varies_on_more_than_cookie(response)
        and not getattr(request, "is_preview", False)
        and not _forbids_caching(response)
        and not _carries_nonce(response)
        and _request_query(request) in ("", render.query)
    )


# ---- stored pages -------------------------------------------------------------------------


class StoredPage:
    """A response as stored, with the versions of the areas it shows and the first moment
    it shows something else (at the latest the end of the day it was rendered on). The
    response is kept as a plain ``HttpResponse`` (as Django's own cache middleware keeps
    one): read back, it is served as it is, its headers checked once when it was stored
    rather than on every hit."""

    __slots__ = ("versions", "until", "served", "etag")

    def __init__(self, *, versions, until, served, etag):
        self.versions = versions  # {area: version}
        self.until = until
        self.served = served  # an HttpResponse, a new copy each time it is read back
        self.etag = etag

    def __getstate__(self):
        return (self.versions, self.until, self.served, self.etag)

    def __setstate__(self, state):
        self.versions, self.until, self.served, self.etag = state

    def is_current(self, versions, now):
        return now < self.until and all(
            versions.get(area) == version for area, version in self.versions.items()
        )


def _end_of_day(now):
    """Midnight after ``now`` in the site's time zone."""
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))


def _keep(response, *, versions, until):
    """Give a storable response its caching headers and return it as a StoredPage, served
    until ``until`` (the first moment it shows something else; None for none) or the end of
    the day, whichever comes first: pages say "today" and "this month"."""
    now = timezone.now()
    until = _end_of_day(now) if until is None else min(until, _end_of_day(now))
    if not response.has_header("Cache-Control"):
        # Browsers and a CDN keep it no longer than we do, stale copies included.
        seconds_left = max(0, math.floor((until - now).total_seconds()))
        max_age = min(_setting("PAGE_CACHE_MAX_AGE"), seconds_left)
        stale_while_revalidate = min(
            _setting("PAGE_CACHE_STALE_WHILE_REVALIDATE"), seconds_left - max_age
        )
        patch_cache_control(
            response,
            public=True,
            max_age=max_age,
            stale_while_revalidate=stale_while_revalidate,
        )
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
    return StoredPage(
        versions=versions,
        until=until,
        served=HttpResponse(
            response.content,
            headers={
                name: value
                for name, value in response.items()
                if name.lower() not in UNSTORED_HEADERS
            },
        ),
        etag=response["ETag"],
    )


# ---- the middleware -----------------------------------------------------------------------


class PageCacheMiddleware:
    """Serve anonymous GETs from the shared cache and store what is cacheable. First in
    ``MIDDLEWARE``: a hit skips everything else, a miss is stored with every header the
    other middleware added."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _setting("PAGE_CACHE_ENABLED"):
            return self.get_response(request)
        key = cache_key(request)
        if key is None:
            return self._bypass(request, self.get_response(request))
        address = address_area(request.path_info)
        versions, stored, _ = _read(key, address)
        if versions is None:  # the cache cannot be reached: serve uncached
            return self._bypass(request, self.get_response(request))
        now = timezone.now()
        if stored is not None and stored.is_current(versions, now):
            return self._hit(request, stored)
        new_address = versions[address] is None
        if new_address:
            versions[address] = _new_address_version(address)
            if versions[address] is None:
                return self._bypass(request, self.get_response(request))
        rendering_key = f"{RENDERING_KEY_PREFIX}{_digest(versions)}:{key}"
        if cache.add(rendering_key, True, timeout=_setting("PAGE_CACHE_RENDER_WAIT")) is False:
            stored, versions = _wait_for(key, address, versions, rendering_key)
            if stored is not None:
                return self._hit(request, stored)
            return self._render(request, key, address, versions, new_address)
        try:
            return self._render(request, key, address, versions, new_address)
        finally:
            cache.delete(rendering_key)

    def _render(self, request, key, address, versions, new_address):
        with collecting_moments() as render:
            response = self.get_response(request)
        if not _storable(request, response, render):
            if new_address:  # a made-up path leaves no key behind
                cache.delete(AREA_VERSION_KEY_PREFIX + address)
            return self._bypass(request, response)
        if render.areas is not None:  # kept across changes in the areas it does not show
            versions = {area: versions[area] for area in (*render.areas, address)}
        stored = _keep(response, versions=versions, until=render.until)
        if _still_current(versions):
            cache.set(key, stored, timeout=_seconds_to_keep(stored.until))
        response = get_conditional_response(request, etag=stored.etag, response=response)
        response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _hit(request, stored):
        response = get_conditional_response(request, etag=stored.etag, response=stored.served)
        response["X-Cache"] = "hit"
        return response

    @staticmethod
    def _bypass(request, response):
        """A response neither served from nor stored in the cache. A personal one (a
        signed-in reader, a form with a CSRF token, a signed link) is marked for no cache to
        keep."""
        personal = _personal_request(request) or _personal_response(request, response)
        if personal and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        response["X-Cache"] = "bypass"
        return response


def _read(key, address, rendering_key=None):
    """({area: version} of every area and of ``address``, the stored page or None, whether
    a render is under way), in one round trip to the cache; the versions are None when the
    cache cannot be reached. An address no page has been stored at has no version (None):
    one is set for its first render, and taken away again if nothing is stored, so made-up
    paths leave no key behind."""
    areas = page_areas()
    version_keys = [AREA_VERSION_KEY_PREFIX + area for area in areas]
    address_key = AREA_VERSION_KEY_PREFIX + address
    keys = [*version_keys, address_key, key] + ([rendering_key] if rendering_key else [])
    try:
        found = cache.get_many(keys)
    except Exception:
        logger.warning("Page cache unavailable: serving without it", exc_info=True)
        return None, None, False
    if all(found.get(version_key) is not None for version_key in version_keys):
        versions = {area: found[AREA_VERSION_KEY_PREFIX + area] for area in areas}
    else:
        area_versions = _versions(version_keys)
        if area_versions is None:
            return None, None, False
        versions = dict(zip(areas, area_versions, strict=True))
    versions[address] = found.get(address_key)
    stored = found.get(key)
    return (
        versions,
        stored if isinstance(stored, StoredPage) else None,
        bool(rendering_key and found.get(rendering_key)),
    )


def _still_current(versions):
    """Whether no change has replaced ``versions`` ({area: version}) since they were read: a
    render that a change overtook is not stored, so that it cannot take the place of one
    rendered after the change (it would never be served, but the next reader would have to
    render the page again)."""
    current = _versions([AREA_VERSION_KEY_PREFIX + area for area in versions])
    return current == list(versions.values())


def _new_address_version(address):
    """A version for an address that has none, set now, before its page is rendered (its
    fragments read it too); or the one another request has just set. None when the cache
    cannot be reached."""
    version_key, token = AREA_VERSION_KEY_PREFIX + address, _new_token()
    added = cache.add(version_key, token, timeout=None)
    if added is None:  # IGNORE_EXCEPTIONS: a cache gone away
        return None
    return token if added else cache.get(version_key)


def _digest(versions):
    return hashlib.blake2b(repr(list(versions.values())).encode(), digest_size=8).hexdigest()


def _wait_for(key, address, versions, rendering_key):
    """(the page another request is rendering, once it is stored under ``versions``, or
    None if that render stores nothing, a version changes or the wait runs out; the versions
    to render under then: the newest read, so that a page rendered after a change is stored
    under the versions that change set)."""
    deadline = time.monotonic() + _setting("PAGE_CACHE_RENDER_WAIT")
    # Short pauses: a waiting reader holds its worker, so it should take the page as soon
    # as it is stored; a look costs one round trip to the cache, and a page renders in tens
    # of milliseconds, so looks a few milliseconds apart waste little on either side.
    pause = 0.001
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 1.5, 0.004)
        current, stored, rendering = _read(key, address, rendering_key)
        if current is None:  # the cache went away
            return None, versions
        if current != versions:
            # Never under an address without a version: one set later could be missing again.
            return None, current if current[address] is not None else versions
        if stored is not None and stored.is_current(versions, timezone.now()):
            return stored, versions
        if not rendering:
            return None, versions
    return None, versions
