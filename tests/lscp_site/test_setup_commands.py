"""The commands behind `make run`: demo content, the admin account, the deploy check."""

import io
import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command

from wagtail.models import Page, Revision

import pytest

from home.models import HomePage
from lscp_site.models import ContentPage

BASE_DIR = Path(__file__).resolve().parents[2]


def page_and_revision_counts():
    return Page.objects.count(), Revision.objects.count()


@pytest.mark.django_db
def test_load_demo_builds_the_site_and_twice_changes_nothing(client):
    call_command("load_demo", stdout=io.StringIO())
    first = page_and_revision_counts()

    call_command("load_demo", stdout=io.StringIO())

    assert page_and_revision_counts() == first
    assert HomePage.objects.live().count() == 1
    assert set(ContentPage.objects.live().values_list("slug", flat=True)) >= {
        "privacy",
        "accessibility",
        "staying-safe-online",
    }
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_ensure_admin_prints_a_working_password_once(client, capsys):
    call_command("ensure_admin")
    first = capsys.readouterr().out
    password = first.split("password: ")[1].split()[0]

    call_command("ensure_admin")
    second = capsys.readouterr().out

    assert get_user_model().objects.filter(username="admin", is_superuser=True).count() == 1
    assert password not in second
    response = client.post("/admin/login/", {"username": "admin", "password": password})
    assert response.status_code == 302
    # Signed in; a superuser sets up two-factor sign-in before any other admin page.
    assert client.get("/admin/")["Location"].startswith("/admin/2fa/setup/")


def run_with_production_settings(args, **extra_env):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update({"DJANGO_SETTINGS_MODULE": "lscp_site.settings.production", **extra_env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_under_production_settings():
    result = run_with_production_settings(
        ["check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY="x7!kq2@pl9#zr4$wm8^tn3&yb6*vc1(hd5)gf0_js-ue+ai=ox" + "long-enough-key",
        ALLOWED_HOSTS="lscp.example.org",
        BASE_URL="https://lscp.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr


def test_deploy_check_fails_without_the_public_address():
    result = run_with_production_settings(
        ["check", "--deploy"],
        SECRET_KEY="x7!kq2@pl9#zr4$wm8^tn3&yb6*vc1(hd5)gf0_js-ue+ai=ox" + "long-enough-key",
        ALLOWED_HOSTS="lscp.example.org",
        BASE_URL="",
    )

    assert result.returncode != 0
    assert "lscp_site.E001" in result.stderr
    assert "BASE_URL is not set" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_with_production_settings(["check"], ALLOWED_HOSTS="lscp.example.org")

    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


@pytest.mark.django_db
def test_set_site_address_makes_wagtails_own_urls_follow_the_port(home_page, client):
    call_command("set_site_address", "http://127.0.0.1:8123", stdout=io.StringIO())

    assert home_page.get_full_url() == "http://127.0.0.1:8123/"
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://127.0.0.1:8123/</loc>" in sitemap
