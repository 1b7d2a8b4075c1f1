"""`/healthz`: whether this web process can reach what it needs to serve pages.

Load balancers, Docker's HEALTHCHECK and compose ask it every few seconds, so it writes
nothing to the database, opens no session and is never cached (never_cache, and the page
cache skips it: PAGE_CACHE_EXCLUDED_PATHS).
"""

import secrets

from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from wagtail.models import Site

PROBE_KEY_PREFIX = "healthz:"
PROBE_SECONDS = 10


def database_reachable():
    try:
        Site.objects.exists()
    except Exception:
        return False
    return True


def cache_reachable():
    """True when the cache answers.

    A Redis cache set to ignore its errors answers every get with the default when Redis is
    down, so a value is written under a key of this request's own and read back. The
    database cache is only read: its table is in the database, which must not be written to.
    """
    try:
        if isinstance(cache, DatabaseCache):
            cache.get(PROBE_KEY_PREFIX + "probe")
            return True
        token = secrets.token_hex(8)
        key = PROBE_KEY_PREFIX + token
        cache.set(key, token, timeout=PROBE_SECONDS)
        reachable = cache.get(key) == token
        cache.delete(key)
    except Exception:
        return False
    return reachable


@never_cache
@require_safe
def healthz(request):
    checks = {
        "database": "ok" if database_reachable() else "unreachable",
        "cache": "ok" if cache_reachable() else "unreachable",
    }
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)
