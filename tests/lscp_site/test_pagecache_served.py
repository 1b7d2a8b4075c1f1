"""The page cache as readers meet it: the site under gunicorn with the production settings,
Redis reachable or not.

Each test serves the test database from a gunicorn subprocess, so it needs a database that
another process can open: PostgreSQL (CI's). The requests say they came through an HTTPS
proxy (``X-Forwarded-Proto``), as production's load balancer does.
"""

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.management import call_command
from django.db import connection

import pytest
import redis
from bs4 import BeautifulSoup
from django_tasks_db.models import DBTaskResult

from home.models import HomePage
from lscp_site.models import ContentPage
from training.models import CoursePage

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="gunicorn needs a database it can share"
    ),
]

PROJECT = Path(settings.BASE_DIR)
# Headers that differ between any two responses, cached or not.
PER_RESPONSE = {"date", "x-cache"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(*, redis_url, log):
    """The site served by gunicorn on a free port, on the test database; its output goes to
    the file ``log``. The Redis database is emptied first: nothing from an earlier run."""
    port = free_port()
    with contextlib.suppress(redis.ConnectionError):
        redis.Redis.from_url(redis_url, socket_connect_timeout=1).flushdb()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.lscp_site.served_settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}",
        "SECRET_KEY": "served-test-key-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": redis_url,
        "BASE_URL": f"https://127.0.0.1:{port}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--no-control-socket",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "lscp_site.wsgi:application",
        ],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(Path(log.name).read_text()) from None
                time.sleep(0.2)
        yield Reader(port)
    finally:
        server.terminate()
        server.wait(timeout=10)


class Reader:
    """A reader's browser behind the HTTPS proxy: keeps its cookies by hand (they are
    Secure, and this connection is plain HTTP to gunicorn)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "X-Forwarded-Proto": "https",
            "Host": f"127.0.0.1:{self.port}",
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        client.request(method, path, body=body, headers=headers)
        response = client.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie_name, cookie_value = value.split(";")[0].split("=", 1)
                self.cookies[cookie_name] = cookie_value
        client.close()
        return response.status, dict(response.getheaders()), content

    def get(self, path):
        return self.request("GET", path)


def comparable(headers):
    return {
        name.lower(): value for name, value in headers.items() if name.lower() not in PER_RESPONSE
    }


@pytest.fixture
def demo_site():
    call_command("load_demo", verbosity=0)
    return HomePage.objects.get()


@pytest.fixture
def log(tmp_path):
    with open(tmp_path / "gunicorn.log", "w") as file:
        yield file


def a_course_path():
    return CoursePage.objects.live().first().url


def booking_path(reader, course):
    _, _, course_page = reader.get(course)
    return re.search(rb'href="(/training/[^"]+/book/[^"]+)"', course_page).group(1).decode()


def test_a_page_from_the_cache_carries_every_header_the_first_response_had(demo_site, log):
    redis_url = "redis://127.0.0.1:6379/13"
    with gunicorn(redis_url=redis_url, log=log) as reader:
        course = a_course_path()
        paths = [
            "/",
            "/privacy/",
            "/newsletter/",
            course,
            "/events/",
            "/search/?q=neglect",
            "/newsletter/feed/",
            "/newsletter/feed/atom/",
            "/events/feed.ics",
        ]
        for path in paths:
            reader.get("/__nothing__/")  # a 404 between: nothing carries over
            status, miss_headers, miss = reader.get(path)
            status_again, hit_headers, hit = reader.get(path)

            assert (status, status_again) == (200, 200), path
            assert miss_headers["X-Cache"] == "miss", path
            assert hit_headers["X-Cache"] == "hit", path
            assert hit == miss, path
            assert comparable(hit_headers) == comparable(miss_headers), path
            for header in (
                "Strict-Transport-Security",
                "X-Content-Type-Options",
                "Referrer-Policy",
                "Cross-Origin-Opener-Policy",
                "Content-Security-Policy",
            ):
                assert header in hit_headers, (path, header)


@pytest.fixture
def unicode_pages(demo_site):
    pages = {}
    for slug in ("café", "łódź", "東京", "plain-ascii"):
        page = ContentPage(
            title=f"About {slug}", slug=slug, introduction=f"A page at {slug}.", body="<p>x</p>"
        )
        demo_site.add_child(instance=page)
        page.save_revision().publish()
        pages[slug] = page
    return pages


def test_every_address_django_routes_is_served_the_same_through_the_cache(unicode_pages, log):
    paths = []
    for slug in unicode_pages:
        paths.append(f"/{quote(slug)}/")  # as browsers send it
        paths.append(f"/{quote(slug.upper()) if slug.isascii() else quote(slug)}/?utm_source=x")
    paths += ["/%70rivacy/", "/no-such-page-%C5%82/"]
    with gunicorn(redis_url="redis://127.0.0.1:6379/13", log=log) as reader:
        for path in paths:
            first = reader.get(path)
            second = reader.get(path)
            assert first[0] == second[0], path
            assert first[2] == second[2], path
        for slug in unicode_pages:
            status, headers, content = reader.get(f"/{quote(slug)}/")
            assert status == 200, slug
            assert headers["X-Cache"] == "hit", slug
            assert f"About {slug}".encode() in content


def test_with_redis_unreachable_every_page_and_form_still_works(demo_site, log):
    closed = free_port()  # nothing listens there
    with gunicorn(redis_url=f"redis://127.0.0.1:{closed}/0", log=log) as reader:
        course = a_course_path()
        booking = booking_path(reader, course)
        for path in [
            "/",
            "/newsletter/",
            "/training/",
            course,
            "/events/",
            "/events/feed.ics",
            "/search/?q=neglect",
            "/newsletter/feed/",
            "/subscribe/",
            booking,
        ]:
            status, headers, _ = reader.get(path)
            assert status == 200, path
            assert headers["X-Cache"] == "bypass", path

        status, _, form = reader.get("/subscribe/")
        fields = signup_fields(form, email="reader@example.org")
        status, headers, _ = reader.request(
            "POST",
            "/subscribe/",
            body=urlencode(fields, doseq=True),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://127.0.0.1:{reader.port}/subscribe/",
                "Origin": f"https://127.0.0.1:{reader.port}",
            },
        )
        assert status == 302, status
        assert headers["Location"].endswith("/subscribe/check-your-email/")
    # The sign-up is queued for the worker, which does the rest (subscriptions/queued.py).
    [queued] = DBTaskResult.objects.filter(task_path="subscriptions.queued.process_signup")
    assert queued.args_kwargs["kwargs"]["email"] == "reader@example.org"


def signup_fields(html, *, email):
    """What a reader sends from the sign-up page: its hidden fields, the address and the
    first topic."""
    form = BeautifulSoup(html, "html.parser").select_one("main form")
    fields = {
        field["name"]: field.get("value", "")
        for field in form.select("input[type=hidden]")
        if field.get("name")
    }
    fields["email"] = email
    fields["topics"] = [form.select_one("input[name=topics]")["value"]]
    return fields
