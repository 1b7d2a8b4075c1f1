"""The least a page served from the shared cache can cost: Django's request handling and one
read from Redis of the page's stored response, nothing else.

bench/pages.py serves it beside the bare WSGI app (bench/bare_wsgi.py), under the same
gunicorn, with the same pages (``BENCH_BARE_PAGES``), as
``gunicorn 'django.core.wsgi:get_wsgi_application()'`` with these settings: the production
settings of the bench (the same cache, database and apps), with the middleware replaced by
:class:`ServeStoredPage`. The bare app is the ceiling for serving a page's bytes; this is
the ceiling for serving them from Redis through Django, which a page cache that reads Redis
once a hit (lscp_site/pagecache.py) can approach but not pass.
"""

import os

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotFound

from bench.bare_wsgi import load_pages
from bench.pages_settings import *  # noqa: F403

MIDDLEWARE = ["bench.cache_read_settings.ServeStoredPage"]
KEY_PREFIX = "bench:cache-read:"


class ServeStoredPage:
    """Answer each request with the response stored under its path, read in one ``get``."""

    def __init__(self, get_response):
        cache.set_many(
            {
                # The bare app's two headers.
                KEY_PREFIX + path: HttpResponse(body, headers={"Content-Length": len(body)})
                for path, body in load_pages(os.environ["BENCH_BARE_PAGES"]).items()
            },
            timeout=None,
        )

    def __call__(self, request):
        return cache.get(KEY_PREFIX + request.get_full_path()) or HttpResponseNotFound()
