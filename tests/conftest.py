"""Fixtures shared by the whole suite.

Browser tests (tests/browser/) drive Debian's Chromium through Playwright. Without a
browser they skip with a reason, unless REQUIRE_BROWSER=1 (CI), when they fail.
"""

import datetime
import itertools
import json
import os
import shutil
import time
from pathlib import Path

from django.core import serializers
from django.db import connection, transaction
from django.test import TransactionTestCase

import pytest
import time_machine

# Chromium's flags as the editors' guide's screenshots launch it.
from scripts.docs_screenshots import CHROMIUM_ARGS
from tests.two_factor import sign_in_verified

# Sync Playwright runs an event loop in the test thread beside the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"


def chromium_available():
    return Path(CHROMIUM_PATH).exists() or shutil.which(CHROMIUM_PATH) is not None


DATABASE_FIXTURES = {"db", "transactional_db", "live_server"}


def uses_database(item):
    return (
        issubclass(getattr(item, "cls", None) or object, TransactionTestCase)
        or item.get_closest_marker("django_db") is not None
        or bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
    )


@pytest.hookimpl(trylast=True)  # after pytest-django has put the tests in Django's order
def pytest_collection_modifyitems(config, items):
    # Tests that use no database come first rather than last (Django's order only needs
    # ordinary database tests before transactional ones): they include the longest ones,
    # which run `make run` or start servers in subprocesses, and started last they would
    # keep one worker busy long after the other has finished.
    items.sort(key=uses_database)
    browser_dir = Path(__file__).parent / "browser"
    for item in items:
        if browser_dir in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if not chromium_available() and not REQUIRE_BROWSER:
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"No Chromium at {CHROMIUM_PATH} (set CHROMIUM_PATH, or "
                        "`apt-get install chromium`); REQUIRE_BROWSER=1 makes this a failure."
                    )
                )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not chromium_available():
        pytest.fail(f"REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM_PATH}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM_PATH, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached pages must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def one_rate_limit_window():
    """The clock at the start of the next hour, ticking: rate limits count attempts in fixed
    windows (lscp_site/ratelimit.py; every period divides an hour), so a test's attempts all
    fall in one window rather than across the end of one."""
    next_hour = (time.time() // 3600 + 1) * 3600
    with time_machine.travel(datetime.datetime.fromtimestamp(next_hour, datetime.UTC)):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as migrations leave it, with the site's home page and plain pages
    built once for the whole run (pytest-django's way of sharing costly set-up): each test's
    transaction rolls back to it. A copy of the rows migrations wrote is kept for the
    transactional tests (``migrated_rows``)."""
    with django_db_blocker.unblock():
        MIGRATED_ROWS[connection.alias] = connection.creation.serialize_db_to_string()
        build_home_page()


MIGRATED_ROWS = {}


@pytest.fixture(autouse=True)
def migrated_rows(request):
    """A transactional test (browsers, concurrency) ends by emptying every table, Wagtail's
    root page, default collection and groups with them. The next one starts from the rows
    migrations wrote, written back here from the copy ``django_db_setup`` took, with Django's
    serializers. (Not Django's serialized_rollback: it keeps its copy on the connection
    object, and once Playwright runs an event loop in the test thread Django hands out other
    connection objects, which lack it.)

    The flush that ended the last test ran post_migrate, which made content types and
    permissions again under other ids, and nothing else: they go first (deleting the content
    types deletes their permissions)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.contenttypes.models import ContentType

    from wagtail.models import Page

    if not Page.objects.filter(depth=1).exists():
        ContentType.objects.all().delete()
        write_back(MIGRATED_ROWS[connection.alias])


def write_back(serialized):
    """Write rows serialized by Django back into empty tables, one INSERT per model
    (``bulk_create``) where saving them one by one would take two queries a row. Content
    types go first, and the content type cache is forgotten before and after, as it may name
    rows a flush removed."""
    from django.contrib.contenttypes.models import ContentType

    rows = json.loads(serialized)
    rows.sort(key=lambda row: row["model"] != "contenttypes.contenttype")
    ContentType.objects.clear_cache()
    with transaction.atomic(), connection.constraint_checks_disabled():
        deserialized = serializers.deserialize("json", json.dumps(rows))
        for model, group in itertools.groupby(deserialized, key=lambda row: type(row.object)):
            group = list(group)
            if model._meta.parents:  # bulk_create cannot write multi-table inheritance
                for row in group:
                    row.save()
                continue
            model._base_manager.bulk_create([row.object for row in group])
            for row in group:
                for name, values in (row.m2m_data or {}).items():
                    getattr(row.object, name).set(values)
    connection.check_constraints()
    ContentType.objects.clear_cache()


def build_home_page():
    from home.demo import load_content_pages, load_home_page

    home = load_home_page()
    load_content_pages(home)
    return home


@pytest.fixture
def home_page(db):
    """The site's home page as the default site's root, with the plain content pages (built
    once per run by ``django_db_setup``; again in a transactional test that emptied them)."""
    from home.models import HomePage

    return HomePage.objects.first() or build_home_page()


@pytest.fixture
def fragments_kept_long(settings):
    """The page cache off, and fragments kept longer than any test travels in time: only a
    change or a fragment's own moment (pagecache.shown_until) ends one."""
    settings.PAGE_CACHE_ENABLED = False
    settings.PAGE_CACHE_SECONDS = 365 * 24 * 60 * 60


@pytest.fixture
def newsletter_index(home_page):
    from tests.newsletter import factories

    return factories.make_index(home_page)


@pytest.fixture
def event_index(home_page):
    from tests.newsletter import factories

    return factories.make_event_index(home_page)


@pytest.fixture
def training_index(home_page):
    from tests.newsletter import factories

    return factories.make_training_index(home_page)


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser(
        username="editor-admin", email="admin@example.org", password="correct horse battery"
    )


@pytest.fixture
def admin_client(client, admin_user):
    """Signed in as a superuser who gave their two-factor code (tests/two_factor.py)."""
    return sign_in_verified(client, admin_user)
