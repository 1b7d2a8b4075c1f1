"""The page cache's WSGI front (lscp_site/wsgi.py): hits answered before Django, everything
else handed to Django unchanged.

These tests call the WSGI application the way gunicorn does, with an environ dict, so they
see exactly what a reader would: status, headers and bytes. Whether Django handled a request
is told by its ``request_started`` signal, which the front never sends.
"""

import datetime
import io
import re
import sys

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

import pytest
import time_machine

from lscp_site import pagecache
from lscp_site.models import SiteSettings
from tests.lscp_site.conftest import NOON

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.lscp_site.test_pagecache")]

NONCE_IN_HEADER = re.compile(r"'nonce-([^']+)'")
NONCE_IN_BODY = re.compile(r'nonce="([^"]+)"')


class Reply:
    def __init__(self, status, headers, body, handled_by_django):
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.body = body
        self.handled_by_django = handled_by_django

    def __getitem__(self, name):
        return self.headers[name]


@pytest.fixture
def site(home_page):
    SiteSettings.load()  # creating the settings row is a change: make it before caching
    return home_page


@pytest.fixture
def call():
    """Call the application as gunicorn would. It is made on the first call, so settings a
    test changes first reach the middleware (which reads some when it is made)."""
    apps = []

    def call(path, *, method="GET", host="testserver", https=True, **headers):
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "443" if https else "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "wsgi.url_scheme": "https" if https else "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
        }
        started = []
        reply = {}

        def on_started(**kwargs):
            started.append(True)

        def start_response(status, response_headers, exc_info=None):
            reply["status"], reply["headers"] = status, response_headers

        if not apps:
            apps.append(pagecache.PageCacheFront(WSGIHandler()))
        request_started.connect(on_started)
        # As Django's test client does: closing "old" connections at the start and end of a
        # request would close the connection holding the test's transaction.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            chunks = apps[0](environ, start_response)
            body = b"".join(chunks)
            if hasattr(chunks, "close"):
                chunks.close()
        finally:
            request_started.disconnect(on_started)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return Reply(reply["status"], reply["headers"], body, bool(started))

    return call


def test_a_stored_page_is_answered_before_django_with_the_same_bytes_and_headers(site, call):
    first = call("/privacy/")
    second = call("/privacy/")

    assert first.handled_by_django and first["X-Cache"] == "miss"
    assert not second.handled_by_django
    assert second.status_code == 200 and second["X-Cache"] == "hit"
    assert second.body == first.body
    assert int(second["Content-Length"]) == len(first.body)
    for name in ("Content-Type", "Cache-Control", "ETag", "Content-Security-Policy"):
        assert second[name] == first[name]


def test_a_miss_is_looked_up_once(site, call, monkeypatch):
    lookups = []
    real_look_up = pagecache.look_up
    monkeypatch.setattr(
        pagecache, "look_up", lambda request: lookups.append(1) or real_look_up(request)
    )

    assert call("/privacy/")["X-Cache"] == "miss"
    assert len(lookups) == 1  # the middleware used the front's lookup


def test_each_reader_of_a_stored_page_with_a_nonce_gets_their_own(site, call):
    call("/probe/nonce/")
    one, two = call("/probe/nonce/"), call("/probe/nonce/")

    assert not one.handled_by_django and not two.handled_by_django
    nonces = []
    for reply in (one, two):
        in_header = NONCE_IN_HEADER.search(reply["Content-Security-Policy"]).group(1)
        assert NONCE_IN_BODY.search(reply.body.decode()).group(1) == in_header
        nonces.append(in_header)
    assert nonces[0] != nonces[1]


def test_a_head_request_gets_the_headers_without_the_body(site, call):
    full = call("/privacy/")
    head = call("/privacy/", method="HEAD")

    assert not head.handled_by_django and head["X-Cache"] == "hit"
    assert head.body == b""
    assert int(head["Content-Length"]) == len(full.body)


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"cookie": "sessionid=abc"},
        {"cookie": "messages=abc"},
        {"authorization": "Basic YTpi"},
        {"if_none_match": "*"},
    ],
    ids=["session", "messages", "authorization", "conditional"],
)
def test_personal_and_conditional_requests_go_to_django(site, call, request_kwargs):
    call("/privacy/")

    reply = call("/privacy/", **request_kwargs)

    assert reply.handled_by_django


def test_a_conditional_request_for_a_stored_page_gets_304(site, call):
    etag = call("/privacy/")["ETag"]

    reply = call("/privacy/", if_none_match=etag)

    assert reply.status_code == 304 and reply.body == b""


def test_a_post_goes_to_django(site, call):
    call("/privacy/")

    assert call("/privacy/", method="POST").handled_by_django


def test_a_host_django_refuses_is_refused_by_django(site, call, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    call("/privacy/")

    reply = call("/privacy/", host="evil.example")

    assert reply.handled_by_django and reply.status_code == 400


def test_plain_http_is_redirected_by_django_when_https_is_required(site, call, settings):
    settings.SECURE_SSL_REDIRECT = True
    call("/privacy/")

    reply = call("/privacy/", https=False)

    assert reply.handled_by_django and reply.status_code == 301
    assert reply["Location"] == "https://testserver/privacy/"
    assert not call("/privacy/").handled_by_django


def test_a_publish_makes_the_front_go_to_django_again(site, call):
    call("/privacy/")
    pagecache.invalidate_pages()

    reply = call("/privacy/")

    assert reply.handled_by_django and reply["X-Cache"] == "miss"


def test_when_the_cache_is_down_django_serves_the_page(site, call, monkeypatch):
    call("/privacy/")

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(pagecache.cache, "get_many", broken)
    reply = call("/privacy/")

    assert reply.handled_by_django and reply.status_code == 200
    assert reply["X-Cache"] == "bypass"


def test_with_the_page_cache_off_everything_goes_to_django(site, call, settings):
    settings.PAGE_CACHE_ENABLED = False
    call("/privacy/")

    reply = call("/privacy/")

    assert reply.handled_by_django and "X-Cache" not in reply.headers


def test_the_deployed_application_has_the_front():
    from lscp_site import wsgi

    assert isinstance(wsgi.application, pagecache.PageCacheFront)


def test_a_page_is_not_answered_past_the_moment_it_shows_something_else(site, call, morning_event):
    """An event page is stored until its event ends (pagecache.shown_until); the front
    hands the request to Django from that moment, which renders it afresh."""
    with time_machine.travel(NOON - datetime.timedelta(minutes=1), tick=False):
        call("/events/neglect-briefing/")
        assert not call("/events/neglect-briefing/").handled_by_django
    with time_machine.travel(NOON, tick=False):
        reply = call("/events/neglect-briefing/")
        assert reply.handled_by_django and reply["X-Cache"] == "miss"
        assert b"This date has passed" in reply.body
