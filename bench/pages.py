"""Page benchmark: every page type under gunicorn, cached and uncached, demo and large site,
against a bare WSGI app and an empty ``wagtail start`` site; the first view after a publish;
a send day (an editor publishing while readers read).

    .venv/bin/python bench/pages.py            # or: make bench-pages
    .venv/bin/python bench/pages.py --quick    # one short round of everything, to try a change
    .venv/bin/python bench/pages.py --reuse    # keep last run's databases

What it does, in one command (bench/README.md, "## Pages", has the figures, the targets of
issue 21 and how long it takes):

1. Builds three PostgreSQL databases: ``lscp_bench_demo`` (migrate + load_demo),
   ``lscp_bench`` (a copy of it + bench/generate_content.py: 200 issues, 100 courses, 500
   sessions, 500 events, 10,000 subscribers), each with its task queue drained (search
   index) and vacuumed, and ``lscp_bench_wagtail`` for a site made by ``wagtail start`` in
   a temporary folder with this project's virtual environment. ``--reuse`` keeps the first
   two from the last run.
2. Starts, side by side, each under gunicorn with 2 sync workers and production settings
   (DEBUG off, persistent database connections): the large site with the page cache on,
   the same with it off (``PAGE_CACHE_ENABLED=false``; fragment caches stay on and are
   warmed), the demo site with it on and off, a bare WSGI app (bench/bare_wsgi.py)
   returning the same bytes as each page of the large site, Django answering with the same
   bytes read from Redis in one ``get`` (bench/cache_read_settings.py: the ceiling of any
   page cache over Redis), and the ``wagtail start`` site.
3. Counts the queries and bytes of each page with Django's test client (a separate step:
   nothing is added to the pages served).
4. Runs wrk against 127.0.0.1 for each page on each server for a fixed time, interleaved
   over 3 rounds (the ``wagtail start`` home page twice a round), waiting after each run for
   requests wrk left queued; prints the median requests/s, p50 and p99 latency, the ratio of
   each page to the bare app and to the ``wagtail start`` home page, the change from the
   demo to the large site.
5. First view after a publish: a new content version (bench/editor.py, as a publish sets
   it), then one request for the large site's 20-section issue through the page cache, timed;
   repeated, median.
6. Send day: 64 connections read a mix of 26 pages of the large site (page cache on) for a
   minute, once with nobody publishing and once with an editor publishing the newest issue
   under a new title every 10 seconds (bench/editor.py, ``save_revision().publish()``);
   after each publish returns, the archive is fetched and must show the new title.
7. Checks the targets of issue 21, prints which are met, the code size now and before, and
   writes every figure to var/bench/pages/results-<time>.json.

Needs wrk (``apt-get install -y wrk``), PostgreSQL at 127.0.0.1:5432 (user postgres) and Redis
at 127.0.0.1:6379 (databases 7 and 8 are flushed). BENCH_POSTGRES and BENCH_REDIS point
elsewhere.
"""

import argparse
import datetime
import html
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
import tempfile
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
CONN_MAX_AGE = "600"  # as production's default (lscp_site/settings/production.py)
# Production always sets it (`check --deploy` refuses to pass without it): absolute links
# are then built without asking the database for the default Site.
BASE_URL = "https://lscp.bench.example"
WORKERS = 2

SITES = {
    "demo": {"database": "lscp_bench_demo", "redis_db": 7},
    "large": {"database": "lscp_bench", "redis_db": 8},
}
WAGTAIL_DATABASE = "lscp_bench_wagtail"
WAGTAIL_HOME = "wagtail start home"
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
# Configurations measured for each page: (name, site, page cache on?); "bare" is the bare app,
# "one cache read" Django answering with the page read from Redis (bench/cache_read_settings.py).
ONE_CACHE_READ = "one cache read"
CONFIGS = [
    ("bare", None, None),
    (ONE_CACHE_READ, None, None),
    ("large, cached", "large", True),
    ("large, uncached", "large", False),
    ("demo, cached", "demo", True),
    ("demo, uncached", "demo", False),
]

# Targets of issue 21 ("Plain Wagtail underneath"), all read from one run.
CACHED_MIN_OF_BARE = 0.40  # cached pages: at least 40 % of the bare WSGI app's rate
CACHED_P99_MS = 50  # ... and p99 under 50 ms at 16 connections
UNCACHED_MIN_OF_WAGTAIL = 0.5  # uncached: at least half the wagtail start home page's rate
MAX_FALL = 0.20  # uncached: no page type falls more than 20 % from the demo to the large site
FIRST_VIEW_P50_MS = 100  # first view of the 20-section issue after a publish
SEND_DAY_P99_MS = 100  # send day: p99 under 100 ms, no errors, the archive never stale
SEND_DAY_CONNECTIONS = 64
SEND_DAY_PAGES = 26
PUBLISH_EVERY = 10  # seconds
ARCHIVE_READS = 3  # reads of the archive after each publish, every one showing the new title
MAX_HTML = 40 * 1024
MAX_CSS = 25 * 1024
MAX_JS = 5 * 1024

# Code size: the last commit before issue 21's work, and what is counted.
CODE_BEFORE = "b8f2d9d"
CODE_SUFFIXES = (".py", ".html", ".jinja", ".txt", ".xml", ".css", ".js")


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
        BASE_URL=BASE_URL,
        CONN_MAX_AGE=CONN_MAX_AGE,
        MEDIA_ROOT=str(MEDIA_ROOT),
        PAGE_CACHE_ENABLED="true" if cached else "false",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(BASE_DIR),
    )
    return env


def run_python(site, *args, quiet=True, what=None):
    """Run ``args`` with this Python in the project folder, under the site's bench settings."""
    result = subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=site_env(site),
        capture_output=quiet,
        text=True,
        check=False,
    )
    if result.returncode:
        say(result.stdout or "")
        say(result.stderr or "")
        sys.exit(f"Failed: {what or ' '.join(args)} on the {site} site")
    return result.stdout


def manage(site, *args, quiet=True):
    return run_python(site, "manage.py", *args, quiet=quiet, what=" ".join(args))


def check_tools():
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed. On Debian: apt-get install -y wrk")
    if not (BIN_DIR / "wagtail").exists() or not (BIN_DIR / "gunicorn").exists():
        sys.exit("Run this with the project's Python: .venv/bin/python bench/pages.py")
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
    """The two databases and the media directory, from scratch."""
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
    # Statistics and the visibility map, as autovacuum leaves a running site's database.
    postgres(["VACUUM ANALYZE"], database=demo)
    say(f"  {time.perf_counter() - started:.0f}s")
    started = time.perf_counter()
    say(f"Building {large}: a copy of the demo site + bench/generate_content.py ...")
    postgres([f'CREATE DATABASE "{large}" TEMPLATE "{demo}"'])
    sizes = [
        f"--{name}={getattr(args, name)}"
        for name in ("issues", "courses", "sessions", "events", "subscribers")
    ]
    output = run_python("large", "bench/generate_content.py", f"--seed={args.seed}", *sizes)
    say(output.rstrip())
    drain_tasks("large")
    postgres(["VACUUM ANALYZE"], database=large)
    say(f"  {time.perf_counter() - started:.0f}s in all")
    flush_redis()


def drain_tasks(site):
    manage(site, "db_worker", "--batch", "--no-reload", "--no-startup-delay")


def collect_static():
    manage("large", "collectstatic", "--no-input", "--clear")


# --- The wagtail start site ----------------------------------------------------------------------

# wagtail start's production settings import settings/local.py if there is one: the few
# things a deployment sets, as this site's production settings set them.
WAGTAIL_LOCAL_SETTINGS = """\
import os

import dj_database_url

from .base import INSTALLED_APPS

SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")
DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"], conn_max_age=int(os.environ["CONN_MAX_AGE"])
    )
}
# On PostgreSQL Wagtail's search index needs it; wagtail start does not add it.
INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.postgres"]
"""


def wagtail_env(folder):
    env = dict(os.environ)
    for name in ("REDIS_URL", "PAGE_CACHE_ENABLED", "MEDIA_ROOT", "PYTHONPATH"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="benchsite.settings.production",
        DATABASE_URL=f"{POSTGRES}/{WAGTAIL_DATABASE}",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CONN_MAX_AGE=CONN_MAX_AGE,
        PYTHONPATH=str(folder),
    )
    return env


def make_wagtail_site(folder):
    """A new ``wagtail start`` project in ``folder``, on a fresh database of its own,
    migrated (its empty home page) and its static files collected."""
    started = time.perf_counter()
    say(f"Building the wagtail start site in {folder} ({WAGTAIL_DATABASE}) ...")
    subprocess.run([str(BIN_DIR / "wagtail"), "start", "benchsite", str(folder)], check=True)
    (folder / "benchsite" / "settings" / "local.py").write_text(WAGTAIL_LOCAL_SETTINGS)
    postgres(
        [f'DROP DATABASE IF EXISTS "{WAGTAIL_DATABASE}"', f'CREATE DATABASE "{WAGTAIL_DATABASE}"']
    )
    env = wagtail_env(folder)
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            say(result.stdout + result.stderr)
            sys.exit(f"wagtail start site: {' '.join(command)} failed")
    say(f"  {time.perf_counter() - started:.0f}s")
    return env


# --- Servers ----------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, name, app, env, cwd=BASE_DIR):
        self.name = name
        self.port = free_port()
        # gunicorn's log and the site's own (tracebacks of pages that fail) in one file.
        self.log = WORK_DIR / f"gunicorn-{name.replace(', ', '-').replace(' ', '-')}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    str(BIN_DIR / "gunicorn"),
                    app,
                    f"--workers={WORKERS}",
                    f"--bind=127.0.0.1:{self.port}",
                    "--no-control-socket",
                    "--log-level=warning",
                ],
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_until_up(self, path="/", timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn ({self.name}) stopped: see {self.log}")
            try:
                fetch(self.url(path), timeout=5)
                return
            except urllib.error.HTTPError:
                return  # it answers: whether this page works is counted elsewhere
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
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read(), dict(response.headers)


def fetch_status(url, timeout=30):
    """(status, body, headers) whatever the status: an error page is an answer too."""
    try:
        return fetch(url, timeout=timeout)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


# --- The editor (bench/editor.py in a process of its own) ---------------------------------------


class Editor:
    def __init__(self, site):
        self.process = subprocess.Popen(
            [sys.executable, "bench/editor.py"],
            cwd=BASE_DIR,
            env=site_env(site),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            sys.exit(f"bench/editor.py stopped while asked to {command}")
        return json.loads(line)

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


# --- Counting queries (a separate process, the test client, the page cache off) -----------------


def count_queries_main(paths):
    """Run inside a child process set up by count_queries(): prints JSON."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_X_FORWARDED_PROTO="https", raise_request_exception=False)
    results = {}
    for path in paths:
        client.get(path)  # the first request makes image renditions and warms caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        results[path] = {"status": response.status_code, "queries": len(queries)}
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


# --- Sizes and third parties --------------------------------------------------------------------

RESOURCE = re.compile(
    r"<(?:script|img|source|iframe|link|video|audio|embed)\b[^>]*?\b(?:src|href|srcset)="
    r"[\"']([^\"']+)[\"']",
    re.IGNORECASE,
)
STYLESHEET = re.compile(r"<link\b[^>]*rel=[\"']stylesheet[\"'][^>]*>", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.IGNORECASE)
HREF = re.compile(r"\bhref=[\"']([^\"']+)[\"']", re.IGNORECASE)


def third_party(page_html):
    """Resources the page makes the browser load from another site (links do not count)."""
    found = []
    for match in RESOURCE.finditer(page_html):
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
    for page_html in pages_html:
        styles = [HREF.search(tag).group(1) for tag in STYLESHEET.findall(page_html)]
        scripts = SCRIPT.findall(page_html)
        page_css = sum(len(fetch(server.url(url))[1]) for url in styles if url.startswith("/"))
        page_js = sum(len(fetch(server.url(url))[1]) for url in scripts if url.startswith("/"))
        css, js = max(css, page_css), max(js, page_js)
    return css, js


# --- Code size ----------------------------------------------------------------------------------


def code_size(revision=None):
    """Lines in lscp_site/ (with the shell's templates: base.html, components/, email/...),
    in the apps (every other top-level folder with an apps.py, with its templates/<app>/)
    and in docs/architecture.md, at ``revision`` (git) or in the working tree. Migrations
    are left out: makemigrations writes them."""
    tree = ["git", "ls-tree", "-r", "--name-only", revision] if revision else ["git", "ls-files"]
    files = subprocess.run(tree, cwd=BASE_DIR, capture_output=True, text=True, check=True)
    names = files.stdout.split()
    apps = {name.split("/")[0] for name in names if re.fullmatch(r"[a-z_]+/apps\.py", name)}
    apps.discard("lscp_site")

    def lines(name):
        if revision:
            shown = subprocess.run(
                ["git", "show", f"{revision}:{name}"], cwd=BASE_DIR, capture_output=True, check=True
            )
            return shown.stdout.count(b"\n")
        path = BASE_DIR / name
        return path.read_bytes().count(b"\n") if path.exists() else 0

    def area(name):
        """lscp_site, an app's name, or None for what is not counted."""
        parts = name.split("/")
        if "migrations" in parts or not name.endswith(CODE_SUFFIXES):
            return None
        if parts[0] == "templates":
            return parts[1] if len(parts) > 2 and parts[1] in apps else "lscp_site"
        return parts[0] if parts[0] in apps or parts[0] == "lscp_site" else None

    per_app = dict.fromkeys(sorted(apps), 0)
    sizes = {"lscp_site": 0, "apps": 0, "docs/architecture.md": 0}
    for name in names:
        if name == "docs/architecture.md":
            sizes[name] = lines(name)
        elif (where := area(name)) == "lscp_site":
            sizes["lscp_site"] += lines(name)
        elif where is not None:
            per_app[where] += lines(name)
    sizes["apps"] = sum(per_app.values())
    sizes["per_app"] = per_app
    return sizes


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


# wrk spreads its requests over many paths with a Lua script: each connection takes the next
# path in turn; done() prints the figures a send day is judged by, in microseconds.
MIX_SCRIPT = """\
local paths = {%(paths)s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format(
    "MIX requests=%%.0f duration=%%.0f status=%%.0f connect=%%.0f read=%%.0f write=%%.0f "
    .. "timeout=%%.0f p50=%%.0f p90=%%.0f p99=%%.0f p999=%%.0f max=%%.0f\\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
"""


def mix_script(paths, *, folder):
    script = folder / "send-day.lua"
    script.write_text(MIX_SCRIPT % {"paths": ", ".join(json.dumps(path) for path in paths)})
    return script


def start_mix(server, script, duration):
    return subprocess.Popen(
        [
            "wrk",
            "--threads=1",
            f"--connections={SEND_DAY_CONNECTIONS}",
            f"--duration={duration}s",
            "--timeout=10s",
            "--header=X-Forwarded-Proto: https",
            f"--script={script}",
            server.url("/"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def mix_figures(output):
    found = re.search(r"^MIX (.*)$", output, re.MULTILINE)
    if not found:
        sys.exit(f"wrk printed no figures:\n{output}")
    values = {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", found.group(1))}
    return {
        "requests": int(values["requests"]),
        "rps": values["requests"] / (values["duration"] / 1e6),
        "p50": values["p50"] / 1000,
        "p90": values["p90"] / 1000,
        "p99": values["p99"] / 1000,
        "p999": values["p999"] / 1000,
        "max": values["max"] / 1000,
        "non_2xx": int(values["status"]),
        "socket_errors": int(
            values["connect"] + values["read"] + values["write"] + values["timeout"]
        ),
    }


def send_day(server, editor, paths, *, duration, publishing):
    """Readers on ``paths`` for ``duration`` seconds; if ``publishing``, an editor publishes
    every PUBLISH_EVERY seconds and the archive is read back as soon as each publish returns."""
    script = mix_script(paths, folder=WORK_DIR)
    wrk = start_mix(server, script, duration)
    started = time.monotonic()
    publishes = []
    if publishing:
        moment = PUBLISH_EVERY / 2
        while moment < duration - 1:
            time.sleep(max(0, started + moment - time.monotonic()))
            published = editor.ask("publish")
            # The first read must show it, and no read after it may go back to the old title.
            title = html.escape(published["title"]).encode()
            reads = [fetch_status(server.url("/newsletter/"))[1] for _ in range(ARCHIVE_READS)]
            published["on_archive"] = all(title in archive for archive in reads)
            publishes.append(published)
            moment += PUBLISH_EVERY
    output, _ = wrk.communicate()
    figures = mix_figures(output)
    figures["publishes"] = publishes
    fetch_status(server.url("/"))  # sync workers still serve what wrk left queued
    return figures


# --- First view after a publish -----------------------------------------------------------------


def first_views(server, editor, path, repeats):
    """Milliseconds of the first request for ``path`` after each new content version: the
    page cache misses and every fragment is rendered afresh."""
    timings, answers = [], []
    for _ in range(repeats):
        editor.ask("invalidate")
        started = time.perf_counter()
        status, _, headers = fetch_status(server.url(path))
        timings.append((time.perf_counter() - started) * 1000)
        answers.append(f"{status} {headers.get('X-Cache')}")
        time.sleep(0.2)
    return {
        "path": path,
        "p50": statistics.median(timings),
        "max": max(timings),
        "min": min(timings),
        "runs": timings,
        # Each must be "200 miss": the page rendered afresh, not an error or a stored copy.
        "answers": answers,
    }


# --- Report -------------------------------------------------------------------------------------


def percent(value):
    return f"{value * 100:.1f} %"


def report(results, pages, queries, html_sizes, wagtail_home):
    """The figures as a Markdown table, ready for bench/README.md."""

    def rate(run, yardstick=None):
        if run is None:
            return "n/a"
        return f"{run['rps']:,.0f}" + (f" ({percent(run['rps'] / yardstick)})" if yardstick else "")

    def latency(run):
        return "n/a" if run is None else f"{run['p50']:.1f} / {run['p99']:.1f}"

    lines = [
        "| page | bare WSGI /s | one cache read /s (of bare) | cached /s (of bare) "
        "| cached p50 / p99 ms "
        "| uncached /s (of wagtail start) | uncached p50 / p99 ms | demo uncached /s "
        "| demo to large | queries demo / large | HTML KB |",
        "|" + "---|" * 11,
    ]
    for name, _ in pages:
        row = results[name]
        cached, uncached = row.get("large, cached"), row.get("large, uncached")
        demo_uncached = row.get("demo, uncached")
        change = (
            f"{(uncached['rps'] / demo_uncached['rps'] - 1) * 100:+.0f} %"
            if demo_uncached and uncached
            else "n/a"
        )
        bare = row["bare"]["rps"] if "bare" in row else None
        cells = [
            name,
            f"{bare:,.0f}" if bare else "n/a",
            rate(row.get(ONE_CACHE_READ), bare),
            rate(cached, bare) + (" never cached" if row.get("never_cached") else ""),
            latency(cached),
            rate(uncached, wagtail_home["rps"]),
            latency(uncached),
            rate(demo_uncached),
            change,
            f"{queries['demo'].get(name, 'n/a')} / {queries['large'].get(name, 'n/a')}",
            f"{html_sizes[name] / 1024:.1f}" if name in html_sizes else "n/a",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"wagtail start home page: {wagtail_home['rps']:,.0f}/s, p50 / p99 "
        f"{wagtail_home['p50']:.1f} / {wagtail_home['p99']:.1f} ms."
    )
    return "\n".join(lines)


class Targets:
    """Each target of issue 21 with what was measured: met or missed."""

    def __init__(self):
        self.checked = []

    def check(self, name, met, measured):
        self.checked.append({"target": name, "met": bool(met), "measured": measured})

    def lines(self):
        return [
            f"  [{'met' if item['met'] else 'MISSED'}] {item['target']}: {item['measured']}"
            for item in self.checked
        ]


def check_pages(targets, results, pages, wagtail_home, failing):
    cached_ratios, cached_p99, uncached_ratios, falls = {}, {}, {}, {}
    one_read_ratios = {}
    for name, _ in pages:
        row = results[name]
        bare, cached, uncached = row["bare"], row["large, cached"], row["large, uncached"]
        if not row.get("never_cached"):
            cached_ratios[name] = cached["rps"] / bare["rps"]
            one_read_ratios[name] = row[ONE_CACHE_READ]["rps"] / bare["rps"]
            cached_p99[name] = cached["p99"]
        for config in ("large, uncached", "demo, uncached"):
            if config in row:
                uncached_ratios[f"{name} ({config.split(',')[0]})"] = (
                    row[config]["rps"] / wagtail_home["rps"]
                )
        if "demo, uncached" in row:
            falls[name] = 1 - uncached["rps"] / row["demo, uncached"]["rps"]

    def worst(values, *, lowest=True):
        if not values:
            return "nothing measured"
        name = (min if lowest else max)(values, key=values.get)
        return name, values[name]

    def listed(values, test, show):
        return ", ".join(f"{name} {show(value)}" for name, value in values.items() if test(value))

    low = listed(cached_ratios, lambda v: v < CACHED_MIN_OF_BARE, percent)
    # Not a target: the most any page read from Redis through Django reaches on this machine.
    one_read = (
        f" (one cache read through Django: {percent(min(one_read_ratios.values()))} to "
        f"{percent(max(one_read_ratios.values()))})"
        if one_read_ratios
        else ""
    )
    targets.check(
        "cached pages at least 40 % of the bare WSGI app",
        cached_ratios and not low,
        (low or f"lowest {worst(cached_ratios)[0]} {percent(worst(cached_ratios)[1])}") + one_read,
    )
    slow = listed(cached_p99, lambda v: v >= CACHED_P99_MS, lambda v: f"{v:.1f} ms")
    targets.check(
        f"cached p99 under {CACHED_P99_MS} ms at {CONNECTIONS} connections",
        cached_p99 and not slow,
        slow or f"highest {worst(cached_p99, lowest=False)[1]:.1f} ms",
    )
    low = listed(uncached_ratios, lambda v: v < UNCACHED_MIN_OF_WAGTAIL, percent)
    targets.check(
        "every page uncached at least half the wagtail start home page's rate "
        f"({wagtail_home['rps']:,.0f}/s)",
        uncached_ratios and not low,
        low or f"lowest {worst(uncached_ratios)[0]} {percent(worst(uncached_ratios)[1])}",
    )
    fallen = listed(falls, lambda v: v > MAX_FALL, percent)
    targets.check(
        "no page type falls more than 20 % uncached from the demo to the large site",
        falls and not fallen,
        fallen or f"largest fall {percent(max(falls.values()))}" if falls else "nothing measured",
    )
    problems = [f"{name} answers {status}" for name, status in failing.items()]
    for name, _ in pages:
        errors = sum(run["errors"] for run in results[name].values() if isinstance(run, dict))
        if errors:
            problems.append(f"{name}: {errors} responses not 2xx or 3xx under wrk")
    targets.check("every page answers 200", not problems, ", ".join(problems) or "yes")


def check_weight(targets, html_sizes, css, js, third_parties):
    heavy = ", ".join(
        f"{name} {size / 1024:.1f} KB" for name, size in html_sizes.items() if size > MAX_HTML
    )
    targets.check(
        "HTML at most 40 KB a page",
        not heavy,
        heavy or f"largest {max(html_sizes.values(), default=0) / 1024:.1f} KB",
    )
    targets.check("CSS at most 25 KB", css <= MAX_CSS, f"{css / 1024:.1f} KB")
    targets.check("JavaScript at most 5 KB", js <= MAX_JS, f"{js / 1024:.1f} KB")
    targets.check("no third-party requests", not third_parties, ", ".join(third_parties) or "none")


def check_first_view(targets, first_view):
    if first_view is None:
        targets.check("first view after a publish", False, "no generated issue to measure")
        return
    wrong = sorted({answer for answer in first_view["answers"] if answer != "200 miss"})
    targets.check(
        f"first view of the 20-section issue after a publish: p50 under {FIRST_VIEW_P50_MS} ms",
        first_view["p50"] < FIRST_VIEW_P50_MS and not wrong,
        f"p50 {first_view['p50']:.1f} ms, max {first_view['max']:.1f} ms "
        f"({len(first_view['runs'])} publishes, {first_view['path']})"
        + (f"; answered {', '.join(wrong)} (not a fresh 200)" if wrong else ""),
    )


def check_send_day(targets, day):
    stale = [item["title"] for item in day["publishes"] if not item["on_archive"]]
    targets.check(
        f"send day: p99 under {SEND_DAY_P99_MS} ms",
        day["p99"] < SEND_DAY_P99_MS,
        f"{day['rps']:,.0f}/s, p50 {day['p50']:.1f}, p99 {day['p99']:.1f}, max {day['max']:.1f} ms",
    )
    targets.check(
        "send day: no errors",
        day["non_2xx"] == 0 and day["socket_errors"] == 0,
        f"{day['non_2xx']} non-2xx, {day['socket_errors']} socket errors",
    )
    targets.check(
        "send day: the newest title on the archive as soon as each publish returns",
        day["publishes"] and not stale,
        f"{len(day['publishes']) - len(stale)} of {len(day['publishes'])} publishes shown",
    )


def describe_mix(name, day):
    line = (
        f"  {name}: {day['rps']:,.0f} requests/s, p50 {day['p50']:.1f} ms, p90 "
        f"{day['p90']:.1f} ms, p99 {day['p99']:.1f} ms, p99.9 {day['p999']:.1f} ms, max "
        f"{day['max']:.1f} ms, {day['non_2xx']} non-2xx, {day['socket_errors']} socket errors"
    )
    if day["publishes"]:
        seconds = [item["seconds"] for item in day["publishes"]]
        line += (
            f"; {len(seconds)} publishes of {min(seconds):.2f} to {max(seconds):.2f} s, "
            f"{sum(item['on_archive'] for item in day['publishes'])} on the archive at once"
        )
    return line


# --- Main ---------------------------------------------------------------------------------------


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="Keep the databases of last run.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=3, help="Seconds per wrk run.")
    parser.add_argument("--send-day", type=int, default=60, help="Seconds of each send day run.")
    parser.add_argument("--first-views", type=int, default=15, help="Publishes to time.")
    parser.add_argument(
        "--quick", action="store_true", help="One round of 2 s runs, a 30 s send day."
    )
    parser.add_argument("--only", nargs="*", help="Measure only these page names.")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--issues", type=int, default=200)
    parser.add_argument("--courses", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.duration, args.send_day, args.first_views = 1, 2, 30, 5
    return args


def count_all_queries(pages):
    """Each page's queries on each site; pages that do not answer 200 are left out of the
    rest of the run and reported."""
    queries, failing = {"demo": {}, "large": {}}, {}
    for site in SITES:
        paths = [path for name, path in pages if site == "large" or name != GENERATED_ISSUE]
        counted = count_queries(site, paths)
        for name, path in pages:
            if path not in counted:
                continue
            if counted[path]["status"] != 200:
                failing[f"{name} ({site})"] = counted[path]["status"]
                continue
            queries[site][name] = counted[path]["queries"]
    return queries, failing


def measure_pages(args, servers, pages, wagtail_path):
    """wrk on every page and configuration, interleaved over the rounds; the wagtail start
    home page at the start and the middle of each round."""
    runs = {name: {config: [] for config, _, _ in CONFIGS} for name, _ in pages}
    runs[WAGTAIL_HOME] = {"wagtail start": []}
    plan = [
        (name, config)
        for name, _ in pages
        for config, site, _ in CONFIGS
        if not (site == "demo" and name == GENERATED_ISSUE)
    ]
    count = args.rounds * (len(plan) + (2 if plan else 1))
    say(
        f"Running wrk: {count} runs of {args.duration}s at {CONNECTIONS} connections "
        f"(about {count * (args.duration + 0.5) / 60:.1f} minutes) ..."
    )
    paths = dict(pages)

    def measure_wagtail_home():
        url = servers["wagtail start"].url(wagtail_path)
        runs[WAGTAIL_HOME]["wagtail start"].append(run_wrk(url, args.duration))
        fetch_status(url)

    for round_number in range(1, args.rounds + 1):
        measure_wagtail_home()
        for number, (name, config) in enumerate(plan):
            if number and number == len(plan) // 2:
                measure_wagtail_home()
            url = servers[config].url(paths[name])
            runs[name][config].append(run_wrk(url, args.duration))
            fetch_status(url)  # sync workers still serve what wrk left queued: wait for it
        say(f"  round {round_number} done, load {os.getloadavg()[0]:.2f}")
    return runs


def main():
    args = parse_arguments()
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
    wagtail_folder = Path(tempfile.mkdtemp(prefix="wagtail-start-"))
    servers, editor = {}, None
    try:
        wagtail_site_env = make_wagtail_site(wagtail_folder)
        editor = Editor("large")
        content_paths = editor.ask("paths")
        pages = list(PAGES)
        if content_paths["generated_issue"]:
            pages.append((GENERATED_ISSUE, content_paths["generated_issue"]))
        if args.only:
            pages = [page for page in pages if page[0] in args.only]

        say("Counting queries (Django test client, page cache off) ...")
        queries, failing = count_all_queries(pages)
        for name, status in failing.items():
            say(f"  {name} answers {status}: left out of the wrk runs")
        failing_names = {name.rsplit(" (", 1)[0] for name in failing}
        measured = [page for page in pages if page[0] not in failing_names]

        for config, site, cached in CONFIGS:
            if site is not None:
                servers[config] = Server(
                    config, "lscp_site.wsgi:application", site_env(site, cached=cached)
                )
        servers["wagtail start"] = Server(
            "wagtail start", "benchsite.wsgi:application", wagtail_site_env, cwd=wagtail_folder
        )
        for server in servers.values():
            server.wait_until_up()

        # The bytes of each page of the large site, for the bare app (and for the sizes).
        bare_dir = WORK_DIR / "bare"
        shutil.rmtree(bare_dir, ignore_errors=True)
        bare_dir.mkdir()
        index, html_sizes, pages_html, third_parties = {}, {}, [], []
        never_cached = set()  # pages the page cache never stores (X-Cache: bypass)
        for number, (name, path) in enumerate(measured):
            for _ in range(2):
                _, _, headers = fetch_status(servers["large, cached"].url(path))
            if headers.get("X-Cache") == "bypass":
                never_cached.add(name)
            _, body, _ = fetch_status(servers["large, uncached"].url(path))
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
        one_read_env = dict(
            site_env("large"),
            DJANGO_SETTINGS_MODULE="bench.cache_read_settings",
            BENCH_BARE_PAGES=bare_env["BENCH_BARE_PAGES"],
        )
        servers[ONE_CACHE_READ] = Server(
            ONE_CACHE_READ, "django.core.wsgi:get_wsgi_application()", one_read_env
        )
        for name in ("bare", ONE_CACHE_READ):
            servers[name].wait_until_up(measured[0][1] if measured else "/")
        css, js = asset_sizes(servers["large, uncached"], pages_html)

        say("Warming up (image renditions, fragment caches, template loading, connections) ...")
        for config, site, _ in CONFIGS:
            for name, path in measured:
                if site == "demo" and name == GENERATED_ISSUE:
                    continue
                for _ in range(6):
                    fetch_status(servers[config].url(path))
        for _ in range(6):
            fetch_status(servers["wagtail start"].url("/"))

        runs = measure_pages(args, servers, measured, "/")

        first_view = None
        if content_paths["generated_issue"]:
            say(
                f"First view after a publish: {args.first_views} new content versions, "
                f"{content_paths['generated_issue']} "
                f"({content_paths['generated_issue_sections']} sections) ..."
            )
            first_view = first_views(
                servers["large, cached"], editor, content_paths["generated_issue"], args.first_views
            )

        mix = content_paths["send_day"]
        say(
            f"Send day: {len(mix)} pages, {SEND_DAY_CONNECTIONS} connections, "
            f"{args.send_day}s with nobody publishing, then {args.send_day}s with a publish "
            f"every {PUBLISH_EVERY}s ..."
        )
        mix_failing = {}
        for path in mix:  # every page of the mix cached once, as readers would leave it
            status, _, _ = fetch_status(servers["large, cached"].url(path))
            if status != 200:
                mix_failing[path] = status
        if mix_failing:
            say(f"  answering other than 200: {mix_failing}")
        quiet_day = send_day(
            servers["large, cached"], editor, mix, duration=args.send_day, publishing=False
        )
        busy_day = send_day(
            servers["large, cached"], editor, mix, duration=args.send_day, publishing=True
        )
        editor.ask("restore")
    finally:
        for server in servers.values():
            server.stop()
        if editor is not None:
            editor.stop()
        shutil.rmtree(wagtail_folder, ignore_errors=True)

    results = {
        name: {config: median_of(found) for config, found in by_config.items() if found}
        for name, by_config in runs.items()
    }
    for name in never_cached:
        results[name]["never_cached"] = True
    wagtail_home = results.pop(WAGTAIL_HOME)["wagtail start"]
    table = report(results, measured, queries, html_sizes, wagtail_home)

    targets = Targets()
    check_pages(targets, results, measured, wagtail_home, failing)
    check_first_view(targets, first_view)
    check_send_day(targets, busy_day)
    check_weight(targets, html_sizes, css, js, third_parties)
    sizes = {"before": code_size(CODE_BEFORE), "now": code_size()}

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    results_file = WORK_DIR / f"results-{stamp}.json"
    results_file.write_text(
        json.dumps(
            {
                "commit": subprocess.run(
                    ["git", "rev-parse", "--short", "HEAD"],
                    cwd=BASE_DIR,
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout.strip(),
                "arguments": vars(args),
                "runs": runs,
                "results": results,
                "wagtail_start_home": wagtail_home,
                "queries": queries,
                "failing": failing,
                "html_bytes": html_sizes,
                "never_cached": sorted(never_cached),
                "css_bytes": css,
                "js_bytes": js,
                "third_parties": third_parties,
                "first_view_after_publish": first_view,
                "send_day": {
                    "mix": mix,
                    "failing": mix_failing,
                    "no_publish": quiet_day,
                    "publishing": busy_day,
                },
                "code_size": sizes,
                "targets": targets.checked,
                "load": os.getloadavg(),
            },
            indent=2,
        )
    )
    say()
    say(
        f"wrk: {args.rounds} rounds x {args.duration}s per page and configuration, "
        f"{CONNECTIONS} connections, medians; gunicorn {WORKERS} sync workers each."
    )
    say(table)
    say()
    say(
        f"CSS per page: {css / 1024:.1f} KB; JavaScript per page: {js / 1024:.1f} KB; "
        f"third-party requests: {', '.join(third_parties) if third_parties else 'none'}."
    )
    if first_view:
        say(
            f"First view after a publish ({first_view['path']}): p50 {first_view['p50']:.1f} ms, "
            f"min {first_view['min']:.1f}, max {first_view['max']:.1f} ms."
        )
    say(f"Send day ({len(mix)} pages, {SEND_DAY_CONNECTIONS} connections, {args.send_day}s):")
    say(describe_mix("nobody publishing", quiet_day))
    say(describe_mix(f"a publish every {PUBLISH_EVERY}s", busy_day))
    say("Code size (lines, migrations left out):")
    for when, counted in sizes.items():
        label = CODE_BEFORE if when == "before" else "now"
        apps = ", ".join(f"{app} {number:,}" for app, number in counted["per_app"].items())
        say(
            f"  {label}: lscp_site/ {counted['lscp_site']:,}, apps {counted['apps']:,} "
            f"({apps}), docs/architecture.md {counted['docs/architecture.md']:,}"
        )
    say()
    met = sum(item["met"] for item in targets.checked)
    say(f"Targets of issue 21: {met} of {len(targets.checked)} met.")
    for line in targets.lines():
        say(line)
    say(
        f"Load after the run: {os.getloadavg()[0]:.2f}; took "
        f"{(time.perf_counter() - began) / 60:.1f} minutes. Figures in {results_file}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--count-queries":
        count_queries_main(sys.argv[2:])
    else:
        main()
