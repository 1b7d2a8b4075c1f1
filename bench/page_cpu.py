"""CPU per request of one page, in one process: the WSGI application called in a loop.

    .venv/bin/python bench/page_cpu.py / --cached --requests 3000
    .venv/bin/python bench/page_cpu.py /training/ --requests 100 --profile

Uses the large site's database from ``bench/pages.py`` (``lscp_bench``; ``--database``
picks another) and Redis database 9, emptied first. CPU time (not wall time) is what it
reports, so the figure holds even when other work shares the machine. ``--profile`` prints
cProfile's top functions (``SORT=tottime``, ``TOP=80``; ``CALLEES=get_context`` prints what a
function calls instead, ``CALLERS=reverse`` what calls it). Not a throughput figure: bench/pages.py
measures that under gunicorn and wrk.
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="e.g. / or /search/?q=safeguarding")
    parser.add_argument("--cached", action="store_true", help="Page cache on (measure hits).")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", default="lscp_bench")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    postgres = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    redis = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379").rstrip("/")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.pages_settings",
        DATABASE_URL=f"{postgres}/{args.database}",
        REDIS_URL=f"{redis}/9",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        CONN_MAX_AGE="600",
        MEDIA_ROOT=str(BASE_DIR / "var" / "bench" / "media"),
        PAGE_CACHE_ENABLED="true" if args.cached else "false",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(BASE_DIR))
    import redis as redis_client

    # What another database's run left (the generation, the snapshot, cached pages).
    redis_client.Redis.from_url(f"{redis}/9").flushdb()
    from lscp_site.wsgi import application

    path, _, query = args.path.partition("?")
    statuses = []

    def request():
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
        b"".join(
            application(environ, lambda status, headers, exc_info=None: statuses.append(status))
        )

    for _ in range(20):  # connections, templates, renditions, the first store
        request()
    if not statuses[-1].startswith("200"):
        sys.exit(f"{args.path} answered {statuses[-1]}")
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    for _ in range(args.requests):
        request()
    cpu = (time.process_time() - started_cpu) / args.requests * 1000
    wall = (time.perf_counter() - started_wall) / args.requests * 1000
    kind = "cached" if args.cached else "uncached"
    print(f"{args.path} ({kind}): {cpu:.2f} ms CPU, {wall:.2f} ms wall per request")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [request() for _ in range(args.requests)])
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
        if os.environ.get("CALLEES"):  # e.g. CALLEES=get_context: what one function calls
            stats.print_callees(os.environ["CALLEES"])
        elif os.environ.get("CALLERS"):  # e.g. CALLERS=_reverse_with_prefix: who calls it
            stats.print_callers(os.environ["CALLERS"])
        else:
            stats.print_stats(int(os.environ.get("TOP", "40")))


if __name__ == "__main__":
    main()
