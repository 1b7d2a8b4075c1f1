"""/healthz answers load balancers and Docker: 200 when the database and cache answer, 503
saying which does not; it writes nothing, opens no session and is never cached."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CLOSED_PORT = 1  # nothing listens on port 1 here


@pytest.mark.django_db
def test_healthz_answers_200_without_writing_or_a_session(client):
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/healthz")
        second = client.get("/healthz")

    assert first.status_code == second.status_code == 200
    assert first.json() == {"database": "ok", "cache": "ok"}
    assert "no-store" in first["Cache-Control"]
    assert second.get("X-Cache", "bypass") == "bypass"  # never served from the page cache
    assert not first.cookies
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "backend, options",
    [
        # django-redis told to swallow its errors still cannot hide a Redis that is down.
        ("django_redis.cache.RedisCache", {"IGNORE_EXCEPTIONS": True}),
        ("django.core.cache.backends.redis.RedisCache", {}),
    ],
)
def test_healthz_answers_503_naming_the_cache_when_redis_is_down(
    client, settings, backend, options
):
    settings.CACHES = {
        "default": {
            "BACKEND": backend,
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 1, **options}
            if backend.startswith("django.core")
            else {"SOCKET_CONNECT_TIMEOUT": 1, **options},
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "unreachable"}


def test_healthz_answers_503_naming_the_database_when_it_is_down():
    # A process of its own: the test database of this one cannot be taken away.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lscp_site.settings.test",
        "DATABASE_URL": f"postgres://lscp@127.0.0.1:{CLOSED_PORT}/lscp",
    }
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(json.dumps([r.status_code, r.json()]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body == {"database": "unreachable", "cache": "ok"}
