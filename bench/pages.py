"""Page benchmark: every page type under gunicorn, cached and uncached, demo and large site.

    .venv/bin/python bench/pages.py            # or: make bench-pages
    .venv/bin/python bench/pages.py --quick    # one short round, to try a change

What it does, in one command (bench/README.md, "## Pages", has the figures and how long it
takes):

1. Builds two PostgreSQL databases from scratch: ``lscp_bench_demo`` (migrate + load_demo)
   and ``lscp_bench`` (a copy of it + ``generate_content``: 200 issues, 100 courses, 500
   sessions, 500 events, 10,000 subscribers), each with its task queue drained (search
   index) and vacuumed. ``--reuse`` keeps them from the last run.
2. Starts, side by side, each under gunicorn with 2 sync workers and production settings
   (DEBUG off, persistent database connections, WhiteNoise, Redis as the shared cache):
   the large site with the page cache on, the same with it off (``PAGE_CACHE_ENABLED=false``),
   the demo site with it on and off, and a bare WSGI app (bench/bare_wsgi.py) returning the
   same bytes as each page of the large site.
3. Counts the queries and bytes of each page with Django's test client (a separate step:
   nothing is added to the pages served).
4. Runs wrk against 127.0.0.1 for each page on each server for a fixed time, interleaved
   over 3 rounds, waiting after each run for requests wrk left queued; prints the median
   requests/s, p50 and p99 latency, the ratio of each page to the bare app, the change from
   the demo to the large site, and checks the targets of issue 8. The figures are also
   written to var/bench/pages/results-<time>.json.

Needs wrk (``apt-get install -y wrk``), PostgreSQL at 127.0.0.1:5432 (user postgres) and Redis
at 127.0.0.1:6379 (databases 7 and 8 are flushed). BENCH_POSTGRES and BENCH_REDIS point
elsewhere.
"""

import argparse
import datetime
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent
WORK_DIR = BASE_DIR / "var" / "bench" / "pages"
MEDIA_ROOT = BASE_DIR / "var" / "bench" / "media"
STATIC_ROOT = BASE_DIR / "var" / "bench" / "static"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379").rstrip("/")
SECRET_KEY = secrets.token_urlsafe(50)  # a new one each run: nothing to keep secret
CONNECTIONS = 16

SITES = {
    "demo": {"database": "lscp_bench_demo", "redis_db": 7},
    "large": {"database": "lscp_bench", "redis_db": 8},
}
# (name, path): pages that exist on both sites, so each can be compared as content grows.
PAGES = [
    ("home", "/"),
    ("newsletter index", "/newsletter/"),
    ("year page", "/newsletter/2025/"),
    ("issue", "/newsletter/march-2025/"),
    ("training catalogue", "/training/"),
    ("course", "/training/working-together-to-safeguard-children/"),
    ("events", "/events/"),
    ("event", "/events/leeds-safeguarding-children-conference/"),
    ("search", "/search/?q=safeguarding"),
]
GENERATED_ISSUE = "issue (generated)"  # the large site's longest issue: large site only
# Configurations measured for each page: (site, page cache on?); None is the bare app.
CONFIGS = [
    ("bare", None, None),
    ("large, cached", "large", True),
    ("large, uncached", "large", False),
    ("demo, cached", "demo", True),
    ("demo, uncached", "demo", False),
]
# Targets of issue 8 (ratios to the bare WSGI app in the same run).
CACHED_MIN_RATIO = 0.40
UNCACHED_MIN_RATIO = 0.036
UNCACHED_TARGET_PAGES = {
    "newsletter index",
    "year page",
    "issue",
    GENERATED_ISSUE,
    "course",
    "event",
    "events",
    "training catalogue",
}
MAX_FALL = 0.20
P99_CACHED_MS = 100
P99_UNCACHED_MS = 500
MAX_HTML = 40 * 1024
MAX_CSS = 25 * 1024
MAX_JS = 5 * 1024


def say(message=""):
    print(message, flush=True)


# --- Environment ----------------------------------------------------------------------------


def site_env(site, *, cached=True):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.pages_settings",
        DATABASE_URL=f"{POSTGRES}/{SITES[site]['database']}",
        REDIS_URL=f"{REDIS}/{SITES[site]['redis_db']}",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        CONN_MAX_AGE="600",
        MEDIA_ROOT=str(MEDIA_ROOT),
        PAGE_CACHE_ENABLED="true" if cached else "false",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(BASE_DIR),
    )
    return env


def manage(site, *args, quiet=True):
    command = [sys.executable, "manage.py", *args]
    result = subprocess.run(
        command, cwd=BASE_DIR, env=site_env(site), capture_output=quiet, text=True, check=False
    )
    if result.returncode:
        say(result.stdout or "")
        say(result.stderr or "")
        sys.exit(f"Failed: {' '.join(args)} on the {site} site")
    return result.stdout


def check_tools():
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed. On Debian: apt-get install -y wrk")
    try:
        import psycopg  # noqa: F401
        import redis  # noqa: F401
    except ImportError:
        sys.exit("Run this with the project's Python: .venv/bin/python bench/pages.py")
    for host, port, name in ((POSTGRES, 5432, "PostgreSQL"), (REDIS, 6379, "Redis")):
        address = host.split("@")[-1].split("://")[-1].split("/")[0]
        hostname, _, port_text = address.partition(":")
        try:
            socket.create_connection((hostname, int(port_text or port)), timeout=2).close()
        except OSError:
            sys.exit(f"{name} is not reachable at {address}")


def postgres(sql_statements, database="postgres"):
    import psycopg

    with psycopg.connect(f"{POSTGRES}/{database}", autocommit=True) as connection:
        for sql in sql_statements:
            connection.execute(sql)


def flush_redis():
    import redis

    for site in SITES.values():
        redis.Redis.from_url(f"{REDIS}/{site['redis_db']}").flushdb()


def prepare(args):
    """The two databases, the static files and the media directory, from scratch."""
    demo, large = SITES["demo"]["database"], SITES["large"]["database"]
    flush_redis()
    started = time.perf_counter()
    say(f"Building {demo}: migrate and load_demo ...")
    postgres([f'DROP DATABASE IF EXISTS "{large}"', f'DROP DATABASE IF EXISTS "{demo}"'])
    postgres([f'CREATE DATABASE "{demo}"'])
    shutil.rmtree(MEDIA_ROOT, ignore_errors=True)
    manage("demo", "migrate", "--no-input")
    manage("demo", "load_demo")
    # What the task worker does after publishing (the search and reference indexes): without
    # it the demo site's search finds nothing, and its figure would measure an empty result.
    drain_tasks("demo")
    # Statistics and the visibility map, as autovacuum leaves a running site's database
    # (generate_content does the same for the large site).
    postgres(["VACUUM ANALYZE"], database=demo)
    say(f"  {time.perf_counter() - started:.0f}s")
    started = time.perf_counter()
    say(f"Building {large}: a copy of the demo site + generate_content ...")
    postgres([f'CREATE DATABASE "{large}" TEMPLATE "{demo}"'])
    sizes = [
        f"--{name}={getattr(args, name)}"
        for name in ("issues", "courses", "sessions", "events", "subscribers")
    ]
    output = manage("large", "generate_content", f"--seed={args.seed}", *sizes)
    say("  " + output.strip().replace("\n", "\n  "))
    drain_tasks("large")
    say(f"  {time.perf_counter() - started:.0f}s in all")
    flush_redis()


def drain_tasks(site):
    manage(site, "db_worker", "--batch", "--no-reload", "--no-startup-delay")


def collect_static():
    manage("large", "collectstatic", "--no-input", "--clear")


# --- Servers ----------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, name, app, env):
        self.name = name
        self.port = free_port()
        log = WORK_DIR / f"gunicorn-{name.replace(', ', '-')}.log"
        self.process = subprocess.Popen(
            [
                str(BIN_DIR / "gunicorn"),
                app,
                "--workers=2",
                f"--bind=127.0.0.1:{self.port}",
                "--no-control-socket",
                f"--error-logfile={log}",
                "--log-level=warning",
            ],
            cwd=BASE_DIR,
            env=env,
            start_new_session=True,
        )

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_until_up(self, path="/", timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn ({self.name}) stopped: see {WORK_DIR}")
            try:
                fetch(self.url(path), timeout=5)
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        sys.exit(f"gunicorn ({self.name}) did not answer in {timeout}s")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def fetch(url, timeout=30):
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.status, response.read(), dict(response.headers)


# --- Counting queries (a separate process, the test client, the page cache off) -----------------


def count_queries_main(paths):
    """Run inside a child process set up by count_queries(): prints JSON."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lscp_site import views

    client = Client(HTTP_X_FORWARDED_PROTO="https")
    results = {}
    for path in paths:
        client.get(path)  # the first request makes image renditions and warms caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        results[path] = {"status": response.status_code, "queries": len(queries)}
        if path.startswith("/search/"):
            # A search asked again is remembered (views.found_page): count new words too.
            remembered, views.found_page = views.found_page, views._find_page
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            views.found_page = remembered
            results[path]["queries_new_words"] = len(queries)
    print(json.dumps(results))


def count_queries(site, paths):
    result = subprocess.run(
        [sys.executable, __file__, "--count-queries", *paths],
        cwd=BASE_DIR,
        env=site_env(site, cached=False),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        say(result.stderr)
        sys.exit(f"Counting queries on the {site} site failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def generated_issue_path():
    """The path of the large site's generated issue with the most blocks."""
    code = (
        "from newsletter.models import NewsletterIssuePage as P;"
        "i = max(P.objects.live().filter(owner__username='content-generator'),"
        " key=lambda p: len(p.body.raw_data), default=None);"
        "print(i.url if i else '')"
    )
    return manage("large", "shell", "-c", code).strip().splitlines()[-1]


# --- Sizes and third parties --------------------------------------------------------------------

RESOURCE = re.compile(
    r"<(?:script|img|source|iframe|link|video|audio|embed)\b[^>]*?\b(?:src|href|srcset)="
    r"[\"']([^\"']+)[\"']",
    re.IGNORECASE,
)
STYLESHEET = re.compile(r"<link\b[^>]*rel=[\"']stylesheet[\"'][^>]*>", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.IGNORECASE)
HREF = re.compile(r"\bhref=[\"']([^\"']+)[\"']", re.IGNORECASE)


def third_party(html):
    """Resources the page makes the browser load from another site (links do not count)."""
    found = []
    for match in RESOURCE.finditer(html):
        tag = match.group(0).lower()
        if tag.startswith("<link") and "stylesheet" not in tag and "icon" not in tag:
            continue  # rel=alternate, canonical: not loaded
        for url in match.group(1).split(","):
            url = url.strip().split(" ")[0]
            if url.startswith(("http://", "https://", "//")):
                found.append(url)
    return found


def asset_sizes(server, pages_html):
    """Total CSS and JavaScript one page loads (the largest of all pages), in bytes."""
    css, js = 0, 0
    for html in pages_html:
        styles = [HREF.search(tag).group(1) for tag in STYLESHEET.findall(html)]
        scripts = SCRIPT.findall(html)
        page_css = sum(len(fetch(server.url(url))[1]) for url in styles if url.startswith("/"))
        page_js = sum(len(fetch(server.url(url))[1]) for url in scripts if url.startswith("/"))
        css, js = max(css, page_css), max(js, page_js)
    return css, js


# --- wrk ----------------------------------------------------------------------------------------


def to_ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def run_wrk(url, duration):
    output = subprocess.run(
        [
            "wrk",
            "--threads=1",
            f"--connections={CONNECTIONS}",
            f"--duration={duration}s",
            "--latency",
            "--header=X-Forwarded-Proto: https",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": to_ms(latency["50"]),
        "p99": to_ms(latency["99"]),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def median_of(runs):
    return {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50", "p99")} | {
        "errors": sum(run["errors"] for run in runs)
    }


# --- Report -------------------------------------------------------------------------------------


def percent(value):
    return f"{value * 100:.1f} %"


def report(results, pages, queries, html_sizes, css, js, third_parties, uncacheable=()):
    """The figures as a Markdown table, ready for bench/README.md."""

    def rate(run, bare=None):
        if run is None:
            return "n/a"
        return f"{run['rps']:,.0f}" + (f" ({percent(run['rps'] / bare)})" if bare else "")

    def latency(run):
        return f"{run['p50']:.1f} / {run['p99']:.1f}"

    lines = [
        "| page | bare WSGI /s | cached /s (of bare) | p50 / p99 ms | uncached /s (of bare) "
        "| p50 / p99 ms | demo uncached /s | demo to large | demo cached /s "
        "| queries demo / large | HTML KB |",
        "|" + "---|" * 11,
    ]
    for name, _ in pages:
        row = results[name]
        bare = row["bare"]["rps"]
        cached, uncached = row["large, cached"], row["large, uncached"]
        demo_uncached, demo_cached = row.get("demo, uncached"), row.get("demo, cached")
        change = (
            f"{(uncached['rps'] / demo_uncached['rps'] - 1) * 100:+.0f} %"
            if demo_uncached
            else "n/a"
        )
        cells = [
            name,
            f"{bare:,.0f}",
            rate(cached, bare) + (" never cached" if name in uncacheable else ""),
            latency(cached),
            rate(uncached, bare),
            latency(uncached),
            rate(demo_uncached),
            change,
            rate(demo_cached),
            f"{queries['demo'].get(name, 'n/a')} / {queries['large'][name]}",
            f"{html_sizes[name] / 1024:.1f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"CSS per page: {css / 1024:.1f} KB; JavaScript per page: {js / 1024:.1f} KB; "
        f"third-party requests: {', '.join(third_parties) if third_parties else 'none'}."
    )
    return "\n".join(lines)


def check_targets(results, pages, html_sizes, css, js, third_parties, uncacheable=()):
    misses = []
    for name, _ in pages:
        row = results[name]
        bare = row["bare"]["rps"]
        cached, uncached = row["large, cached"], row["large, uncached"]
        if name in uncacheable:
            pass  # the page cache never stores it: its "cached" run is another uncached one
        elif cached["rps"] / bare < CACHED_MIN_RATIO:
            misses.append(f"{name}: cached {percent(cached['rps'] / bare)} of bare (< 40 %)")
        if name in UNCACHED_TARGET_PAGES and uncached["rps"] / bare < UNCACHED_MIN_RATIO:
            misses.append(f"{name}: uncached {percent(uncached['rps'] / bare)} of bare (< 3.6 %)")
        demo = row.get("demo, uncached")
        if demo and uncached["rps"] < demo["rps"] * (1 - MAX_FALL):
            misses.append(
                f"{name}: uncached falls {percent(1 - uncached['rps'] / demo['rps'])} from the "
                "demo to the large site (> 20 %)"
            )
        if cached["p99"] > P99_CACHED_MS and name not in uncacheable:
            misses.append(f"{name}: cached p99 {cached['p99']:.0f} ms (> 100 ms)")
        if uncached["p99"] > P99_UNCACHED_MS:
            misses.append(f"{name}: uncached p99 {uncached['p99']:.0f} ms (> 500 ms)")
        if html_sizes[name] > MAX_HTML:
            misses.append(f"{name}: HTML {html_sizes[name] / 1024:.1f} KB (> 40 KB)")
        errors = sum(run["errors"] for run in row.values())
        if errors:
            misses.append(f"{name}: {errors} responses that were not 2xx or 3xx")
    if css > MAX_CSS:
        misses.append(f"CSS {css / 1024:.1f} KB (> 25 KB)")
    if js > MAX_JS:
        misses.append(f"JavaScript {js / 1024:.1f} KB (> 5 KB)")
    if third_parties:
        misses.append(f"third-party requests: {', '.join(third_parties)}")
    return misses


# --- Main ---------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="Keep the databases of last run.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=3, help="Seconds per wrk run.")
    parser.add_argument("--quick", action="store_true", help="One round of 2 s runs.")
    parser.add_argument("--only", nargs="*", help="Measure only these page names.")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--issues", type=int, default=200)
    parser.add_argument("--courses", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.duration = 1, 2

    began = time.perf_counter()
    check_tools()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    say(
        f"Load before the run: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
        f"{os.getloadavg()[2]:.2f} on {os.cpu_count()} CPUs"
    )
    if not args.reuse:
        prepare(args)
    else:
        flush_redis()
    collect_static()

    pages = list(PAGES)
    generated = generated_issue_path()
    if generated:
        pages.append((GENERATED_ISSUE, generated))
    if args.only:
        pages = [page for page in pages if page[0] in args.only]

    say("Counting queries (Django test client, page cache off) ...")
    queries = {"demo": {}, "large": {}}
    for site in SITES:
        paths = [path for name, path in pages if site == "large" or name != GENERATED_ISSUE]
        counted = count_queries(site, paths)
        for name, path in pages:
            if path in counted:
                if counted[path]["status"] != 200:
                    sys.exit(f"{path} answers {counted[path]['status']} on the {site} site")
                queries[site][name] = counted[path]["queries"]
                if "queries_new_words" in counted[path]:
                    queries[site][name] = (
                        f"{counted[path]['queries']} ({counted[path]['queries_new_words']} "
                        "for new words)"
                    )

    servers = {}
    try:
        for config, site, cached in CONFIGS:
            if site is not None:
                servers[config] = Server(
                    config, "lscp_site.wsgi:application", site_env(site, cached=cached)
                )
        for server in servers.values():
            server.wait_until_up()

        # The bytes of each page of the large site, for the bare app (and for the sizes).
        bare_dir = WORK_DIR / "bare"
        shutil.rmtree(bare_dir, ignore_errors=True)
        bare_dir.mkdir()
        index, html_sizes, pages_html, third_parties = {}, {}, [], []
        uncacheable = set()  # pages the page cache never stores (X-Cache: bypass)
        for number, (name, path) in enumerate(pages):
            for _ in range(2):
                _, _, headers = fetch(servers["large, cached"].url(path))
            if headers.get("X-Cache") == "bypass":
                uncacheable.add(name)
            status, body, _ = fetch(servers["large, uncached"].url(path))
            (bare_dir / f"{number}.html").write_bytes(body)
            index[path] = f"{number}.html"
            html_sizes[name] = len(body)
            pages_html.append(body.decode())
            third_parties += third_party(body.decode())
        (bare_dir / "index.json").write_text(json.dumps(index))
        bare_env = dict(
            os.environ, BENCH_BARE_PAGES=str(bare_dir / "index.json"), PYTHONPATH=str(BASE_DIR)
        )
        servers["bare"] = Server("bare", "bench.bare_wsgi:application", bare_env)
        servers["bare"].wait_until_up(pages[0][1])
        css, js = asset_sizes(servers["large, uncached"], pages_html)

        say("Warming up (image renditions, template loading, connections) ...")
        for config, site, _ in CONFIGS:
            for name, path in pages:
                if site == "demo" and name == GENERATED_ISSUE:
                    continue
                for _ in range(6):
                    fetch(servers[config].url(path))

        runs = {name: {config: [] for config, _, _ in CONFIGS} for name, _ in pages}
        total_runs = args.rounds * sum(
            1
            for name, _ in pages
            for _, site, _ in CONFIGS
            if not (site == "demo" and name == GENERATED_ISSUE)
        )
        say(
            f"Running wrk: {total_runs} runs of {args.duration}s at {CONNECTIONS} connections "
            f"(about {total_runs * (args.duration + 0.5) / 60:.0f} minutes) ..."
        )
        for round_number in range(1, args.rounds + 1):
            for name, path in pages:
                for config, site, _ in CONFIGS:
                    if site == "demo" and name == GENERATED_ISSUE:
                        continue
                    url = servers[config].url(path)
                    runs[name][config].append(run_wrk(url, args.duration))
                    fetch(url)  # sync workers still serve what wrk left queued: wait for it
            say(f"  round {round_number} done, load {os.getloadavg()[0]:.2f}")
    finally:
        for server in servers.values():
            server.stop()

    results = {
        name: {config: median_of(found) for config, found in by_config.items() if found}
        for name, by_config in runs.items()
    }
    table = report(results, pages, queries, html_sizes, css, js, third_parties, uncacheable)
    misses = check_targets(results, pages, html_sizes, css, js, third_parties, uncacheable)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (WORK_DIR / f"results-{stamp}.json").write_text(
        json.dumps(
            {
                "runs": runs,
                "results": results,
                "queries": queries,
                "html_bytes": html_sizes,
                "never_cached": sorted(uncacheable),
                "css_bytes": css,
                "js_bytes": js,
                "load": os.getloadavg(),
            },
            indent=2,
        )
    )
    say()
    say(
        f"wrk: {args.rounds} rounds x {args.duration}s per page and configuration, "
        f"{CONNECTIONS} connections, medians; gunicorn 2 sync workers each."
    )
    say(table)
    say()
    say("Targets: all met." if not misses else "Targets missed:\n  " + "\n  ".join(misses))
    say(
        f"Load after the run: {os.getloadavg()[0]:.2f}; took "
        f"{(time.perf_counter() - began) / 60:.1f} minutes. "
        f"Figures in {WORK_DIR}/results-{stamp}.json"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--count-queries":
        count_queries_main(sys.argv[2:])
    else:
        main()
