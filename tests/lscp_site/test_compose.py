"""The compose file and the image, read as Docker would read them (no engine runs here)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APP_SERVICES = {"migrate", "web", "worker", "scheduler"}


def compose():
    return yaml.safe_load((BASE_DIR / "compose.yaml").read_text())


def test_one_command_starts_the_site_with_its_database_cache_and_object_storage():
    services = compose()["services"]
    started_by_default = {name for name, service in services.items() if "profiles" not in service}

    assert started_by_default == APP_SERVICES | {"db", "redis", "minio", "minio-setup"}
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["minio-setup"]["condition"] == "service_completed_successfully"
    for name in APP_SERVICES - {"migrate"}:
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    # Every service waited for as healthy has a health check.
    for service in services.values():
        for needed, how in service.get("depends_on", {}).items():
            if how["condition"] == "service_healthy":
                assert "test" in services[needed]["healthcheck"], needed


def test_the_web_server_is_checked_through_healthz_and_the_others_are_not_asked():
    services = compose()["services"]

    assert services["web"]["healthcheck"]["test"] == ["CMD", "python", "scripts/healthcheck.py"]
    for name in ("worker", "scheduler", "migrate"):
        assert services[name]["healthcheck"] == {"disable": True}
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert 'CMD ["python", "scripts/healthcheck.py"]' in dockerfile


def test_redis_is_a_bounded_cache_that_evicts_the_least_recently_used_keys():
    command = compose()["services"]["redis"]["command"]

    assert command[command.index("--maxmemory") + 1] == "${REDIS_MAXMEMORY-256mb}"
    assert command[command.index("--maxmemory-policy") + 1] == "allkeys-lru"
    assert command[command.index("--appendonly") + 1] == "no"


def test_data_lives_in_named_volumes():
    document = compose()
    services = document["services"]

    assert set(document["volumes"]) == {"pgdata", "media", "miniodata"}
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "miniodata:/data" in services["minio"]["volumes"]
    assert "media:/app/var/media" in services["web"]["volumes"]
    assert "media:/srv/media:ro" in services["media"]["volumes"]


def test_uploads_go_to_minio_and_browsers_fetch_them_from_its_published_port():
    services = compose()["services"]
    environment = services["web"]["environment"]

    assert environment["AWS_S3_ENDPOINT_URL"] == "${AWS_S3_ENDPOINT_URL-http://minio:9000}"
    assert "localhost:9000/lscp-media" in environment["AWS_S3_CUSTOM_DOMAIN"]
    assert "9000:9000" in services["minio"]["ports"]
    setup = " ".join(services["minio-setup"]["entrypoint"])
    assert "mc anonymous set download local/lscp-media" in setup
    # Without object storage, the local-media profile serves the media volume.
    assert services["media"]["profiles"] == ["local-media"]
    nginx = (BASE_DIR / "deploy" / "nginx-local-media.conf").read_text()
    assert "alias /srv/media/;" in nginx and "proxy_pass http://web:8000;" in nginx


def gunicorn_settings(**environment):
    script = (
        "import json, lscp_site.settings.gunicorn as g; "
        "print(json.dumps([g.workers, g.threads, g.bind]))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUNICORN_")}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={**env, **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return yaml.safe_load(result.stdout)


def test_gunicorn_takes_its_workers_and_threads_from_the_environment():
    assert gunicorn_settings(GUNICORN_WORKERS="6", GUNICORN_THREADS="4") == [6, 4, "0.0.0.0:8000"]
    workers, threads, _bind = gunicorn_settings()
    assert workers == 2 * (os.process_cpu_count() or 1)
    assert threads == 1
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert '"-c", "python:lscp_site.settings.gunicorn"' in dockerfile
    assert "--no-control-socket" in dockerfile


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_docker_compose_finds_the_file_valid(tmp_path):
    (tmp_path / ".env").write_text((BASE_DIR / ".env.example").read_text())
    (tmp_path / "compose.yaml").write_text((BASE_DIR / "compose.yaml").read_text())

    result = subprocess.run(
        ["docker-compose", "config", "--quiet"], cwd=tmp_path, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
