"""Rate limits for public forms, counted in the shared cache.

The count lives in Django's default cache: Redis in production (REDIS_URL), the database
cache on a developer's machine, so every web process sees the same count. Never a
process's own memory outside tests. A fixed window per client address and scope.
"""

import ipaddress
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.template.response import TemplateResponse


def client_address(request):
    """The client's address. Behind a proxy, the address the proxy saw (X-Forwarded-For)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def client_ip(request):
    """``client_address`` for django-axes (AXES_CLIENT_IP_CALLABLE), or None when it is not an
    IP address: axes keeps it in an IP address column, which PostgreSQL refuses anything else
    in (a request made in code, such as a test's force_login, has no address at all)."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def hit(request, *, scope, limit, period):
    """Count one attempt; return True while the client is within ``limit`` per ``period``."""
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        count = 1
    # None: the cache cannot be reached (django-redis ignoring the error). The form still
    # works; the limit is back when the cache is.
    return count is None or count <= limit


def rate_limited(*, scope, limit, period, methods=("POST",)):
    """View decorator: past the limit, answer 429 with a page that says when to try again."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and not hit(
                request, scope=scope, limit=limit, period=period
            ):
                response = TemplateResponse(
                    request, "429.html", {"retry_minutes": max(1, period // 60)}, status=429
                )
                response["Retry-After"] = str(period)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
