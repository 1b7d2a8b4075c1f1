"""The page cache on Redis, as in production (django-redis at 127.0.0.1:6379, database 15).

Other tests run the page cache on local memory. Lookups on Redis go straight through a
pooled connection (lscp_site.pagecache._get_many): these tests check that this gives what
django-redis's own client gives, that hits and invalidation work through it, and that a
broken connection falls back to the full client.
"""

import os

import pytest
import redis

from lscp_site import pagecache
from lscp_site.models import SiteSettings
from tests.lscp_site.test_pagecache_front import call  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.lscp_site.test_pagecache")]

REDIS_URL = "redis://127.0.0.1:6379/15"
# A prefix of each pytest-xdist worker's own: workers run these tests at the same time.
KEY_PREFIX = f"lscp-tests-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def forget_this_workers_keys():
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"{KEY_PREFIX}:*"):
        connection.delete(key)


@pytest.fixture(autouse=True)
def redis_cache(settings):
    try:
        forget_this_workers_keys()
    except redis.ConnectionError:
        pytest.skip("No Redis at 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": KEY_PREFIX,
        }
    }
    yield
    forget_this_workers_keys()


@pytest.fixture
def site(home_page):
    SiteSettings.load()
    return home_page


def test_a_lookup_gives_what_django_redis_gives():
    from django.core.cache import cache

    cache.set(
        "page", pagecache.CachedPage(generation="g", day="d", headers=[], body=[b"x"], etag="e")
    )
    cache.set(pagecache.GENERATION_KEY, "g1", timeout=None)
    cache.set("number", 5)

    keys = [pagecache.GENERATION_KEY, "page", "number", "absent"]
    fast = pagecache._get_many(keys)
    full = cache.get_many(keys)

    assert set(fast) == set(full) == {pagecache.GENERATION_KEY, "page", "number"}
    assert fast["number"] == full["number"] == 5
    assert fast[pagecache.GENERATION_KEY] == "g1"
    assert fast["page"].body == full["page"].body == [b"x"]


def test_pages_are_stored_served_and_invalidated_through_redis(site, call):  # noqa: F811
    first, second = call("/privacy/"), call("/privacy/")
    assert first["X-Cache"] == "miss"
    assert second["X-Cache"] == "hit" and not second.handled_by_django
    assert second.body == first.body

    pagecache.invalidate_pages()
    assert call("/privacy/")["X-Cache"] == "miss"


def test_a_broken_connection_falls_back_to_the_full_client(site, call, monkeypatch):  # noqa: F811
    call("/privacy/")
    sent = []
    real_send = redis.Connection.send_command

    def fails_once(self, *args, **kwargs):
        sent.append(args[0])
        if len(sent) == 1:
            raise redis.ConnectionError("connection reset")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(redis.Connection, "send_command", fails_once)
    reply = call("/privacy/")

    assert reply["X-Cache"] == "hit" and not reply.handled_by_django
    # The full client connected again and sent it again.
    assert sent[0] == "MGET" and sent.count("MGET") == 2
