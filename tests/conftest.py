"""Fixtures shared by the whole suite.

Browser tests (tests/browser/) drive Debian's Chromium through Playwright. Without a
browser they skip with a reason, unless REQUIRE_BROWSER=1 (CI), when they fail.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests import snapshots

# Sync Playwright runs an event loop in the test thread beside the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_available():
    return Path(CHROMIUM_PATH).exists() or shutil.which(CHROMIUM_PATH) is not None


def pytest_collection_modifyitems(config, items):
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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as migrations leave it. Transactional tests marked
    ``serialized_rollback`` get it back quickly (tests/snapshots.py)."""
    with django_db_blocker.unblock():
        baseline = snapshots.Baseline()
    with snapshots.quick_serialized_rollback(baseline):
        yield


@pytest.fixture
def only_moments_end_remembered_values(settings):
    """The page cache off, and what pages remember (lscp_site.pagecache.remembered_until)
    kept longer than any test travels in time: only a change or the remembered value's own
    moment can end it."""
    settings.PAGE_CACHE_ENABLED = False
    settings.PAGE_CACHE_SECONDS = 365 * 24 * 60 * 60


def build_home_page():
    from lscp_site.demo import load_content_pages, load_home_page

    home = load_home_page()
    load_content_pages(home)
    return home


HOME_PAGE = snapshots.Snapshot()


@pytest.fixture
def home_page(db):
    """The site's home page as the default site's root, with the plain content pages
    (built once, then restored from its rows: tests/snapshots.py)."""
    return HOME_PAGE(build_home_page)


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser(
        username="editor-admin", email="admin@example.org", password="correct horse battery"
    )


@pytest.fixture
def admin_client(client, admin_user):
    """Signed in as a superuser who gave their two-factor code (tests/two_factor.py)."""
    from tests.two_factor import sign_in_verified

    return sign_in_verified(client, admin_user)
