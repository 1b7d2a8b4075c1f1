"""The site's WSGI application called in this process, as the benchmark's gunicorn serves
it: for bench/page_cpu.py and bench/page_cost.py, which measure one request at a time."""

import io
import os
import secrets
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379").rstrip("/")


def set_up(database, redis_db, *, cached):
    """Production settings on ``database`` with Redis database ``redis_db`` (emptied first:
    what another database's run left, the generation, the snapshot, cached pages), the
    page cache on or off; returns the WSGI application and Redis's process id."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.pages_settings",
        DATABASE_URL=f"{POSTGRES}/{database}",
        REDIS_URL=f"{REDIS}/{redis_db}",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        BASE_URL="https://lscp.bench.example",  # as production sets it (bench/pages.py)
        CONN_MAX_AGE="600",
        MEDIA_ROOT=str(BASE_DIR / "var" / "bench" / "media"),
        PAGE_CACHE_ENABLED="true" if cached else "false",
        LOG_LEVEL="WARNING",
    )
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import redis

    client = redis.Redis.from_url(f"{REDIS}/{redis_db}")
    client.flushdb()
    from lscp_site.wsgi import application

    return application, client.info("server")["process_id"]


def get(application, target):
    """GET ``target`` ("/search/?q=safeguarding") through ``application`` as the proxy in
    front passes it on; returns the status line."""
    path, _, query = target.partition("?")
    statuses = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "https",  # as the proxy in front says
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    b"".join(application(environ, lambda status, *_: statuses.append(status)))
    return statuses[0]
