"""`make run` on a development database built by an earlier layout of the apps: it is moved
aside with a clear message and built afresh, never migrated half way."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROJECT = Path(settings.BASE_DIR)


def manage(database, *args):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lscp_site.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def database_with_history(path, applied):
    """An SQLite database whose migration history holds ``applied`` (what the check reads)."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE django_migrations "
            "(id INTEGER PRIMARY KEY, app VARCHAR, name VARCHAR, applied DATETIME)"
        )
        db.executemany(
            "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2026-11-30')",
            applied,
        )
    return path


def test_a_database_from_an_earlier_layout_is_moved_aside_with_a_message(tmp_path):
    database = database_with_history(
        tmp_path / "db.sqlite3",
        [("lscp_site", "0001_initial"), ("lscp_site", "0099_from_an_earlier_layout")],
    )

    result = manage(database, "check_dev_database")

    assert "built by migrations the project no longer has" in result.stdout
    assert "lscp_site.0099_from_an_earlier_layout" in result.stdout
    assert not database.exists()
    [kept] = tmp_path.glob("db.sqlite3.old-*")
    assert str(kept) in result.stdout


def test_a_current_database_is_left_alone(tmp_path):
    database = database_with_history(
        tmp_path / "db.sqlite3",
        [("lscp_site", "0001_initial"), ("wagtailcore", "0001_initial")],
    )

    assert manage(database, "check_dev_database").stdout == ""
    assert database.exists()
